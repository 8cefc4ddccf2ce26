// Package keychain keeps credentials in the operating system's keychain
// (the freedesktop Secret Service on Linux, the macOS Keychain, the Windows
// Credential Manager) through go-keyring. It implements the engine's
// workspace.Secrets. There is deliberately no plaintext fallback: where no
// keychain answers, every call fails with ErrUnavailable and names the fix.
package keychain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/portal-id/migration-console/engine/secret"
)

// Service is the keychain service name every entry is stored under.
const Service = "Portal Migration Console"

// DefaultTimeout bounds each keychain call. A locked keyring or a Secret
// Service that never answers makes go-keyring block forever (gh uses the
// same guard).
const DefaultTimeout = 3 * time.Second

// Errors callers can tell apart with errors.Is.
var (
	ErrNotFound    = secret.ErrNotFound
	ErrUnavailable = errors.New("the OS keychain is not reachable")
)

// Keychain stores secrets under Service with the account name
// "<workspaceID>/<role>".
type Keychain struct {
	timeout time.Duration
}

// New returns a Keychain whose calls time out after DefaultTimeout.
func New() *Keychain { return NewWithTimeout(DefaultTimeout) }

// NewWithTimeout returns a Keychain whose calls time out after d; d <= 0
// means DefaultTimeout.
func NewWithTimeout(d time.Duration) *Keychain {
	if d <= 0 {
		d = DefaultTimeout
	}
	return &Keychain{timeout: d}
}

// Set stores v, replacing any previous value for the same workspace and role.
func (k *Keychain) Set(ctx context.Context, workspaceID, role string, v secret.Value) error {
	account, err := accountName(workspaceID, role)
	if err != nil {
		return fmt.Errorf("store a secret in the keychain: %w", err)
	}
	if v.IsEmpty() {
		return fmt.Errorf("store %s in the keychain: the secret is empty", account)
	}
	_, err = call(ctx, k.timeout, func() (struct{}, error) {
		return struct{}{}, keyring.Set(Service, account, v.Reveal())
	})
	if err != nil {
		return fmt.Errorf("store %s in the keychain: %w", account, classify(err, v))
	}
	return nil
}

// Get returns the stored value, or an error wrapping ErrNotFound.
func (k *Keychain) Get(ctx context.Context, workspaceID, role string) (secret.Value, error) {
	account, err := accountName(workspaceID, role)
	if err != nil {
		return secret.Value{}, fmt.Errorf("read a secret from the keychain: %w", err)
	}
	plaintext, err := call(ctx, k.timeout, func() (string, error) {
		return keyring.Get(Service, account)
	})
	if err != nil {
		return secret.Value{}, fmt.Errorf("read %s from the keychain: %w", account, classify(err, secret.Value{}))
	}
	// Exact: the keychain returns what it was given. A credential was
	// trimmed on its way in; a vendor secret keeps its spaces.
	return secret.Exact(plaintext), nil
}

// Delete removes the entry. A missing entry is not an error: the caller
// wants it gone and it is.
func (k *Keychain) Delete(ctx context.Context, workspaceID, role string) error {
	account, err := accountName(workspaceID, role)
	if err != nil {
		return fmt.Errorf("delete a secret from the keychain: %w", err)
	}
	_, err = call(ctx, k.timeout, func() (struct{}, error) {
		return struct{}{}, keyring.Delete(Service, account)
	})
	if err != nil {
		err = classify(err, secret.Value{})
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return fmt.Errorf("delete %s from the keychain: %w", account, err)
	}
	return nil
}

func accountName(workspaceID, role string) (string, error) {
	if workspaceID == "" || role == "" {
		return "", fmt.Errorf("workspace id and role are both required (got %q, %q)", workspaceID, role)
	}
	if strings.Contains(workspaceID, "/") {
		return "", fmt.Errorf("workspace id %q may not contain '/'", workspaceID)
	}
	return workspaceID + "/" + role, nil
}

// timeoutError reports a keychain that did not answer in time.
type timeoutError time.Duration

func (e timeoutError) Error() string {
	return fmt.Sprintf("no answer within %s (%s)", time.Duration(e), hangCause)
}

// call runs fn with the timeout and honours ctx. go-keyring cannot be
// interrupted, so on timeout or cancellation the goroutine is left to finish
// on its own whenever the keychain answers; its result is discarded.
func call[T any](ctx context.Context, timeout time.Duration, fn func() (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	if err := precheck(); err != nil {
		return zero, err
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	case <-timer.C:
		return zero, timeoutError(timeout)
	}
}

// classify maps go-keyring's errors onto this package's. Anything but a
// missing entry, an oversized value or the caller's own cancellation means
// the keychain could not do the job (no bus, no service, locked, refused).
func classify(err error, v secret.Value) error {
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return fmt.Errorf("%w: a Windows credential holds at most 2,560 bytes and a macOS item about 3,000", err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	cause := err.Error()
	if p := v.Reveal(); p != "" {
		// The backends do not echo the value today; make sure it stays so.
		cause = strings.ReplaceAll(cause, p, "[REDACTED]")
	}
	return fmt.Errorf("%w: %s; %s", ErrUnavailable, cause, fixHint)
}
