package wiring

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/portal-id/migration-console/engine/entra"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/okta"
	secretfields "github.com/portal-id/migration-console/engine/redact"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
	"github.com/portal-id/migration-console/storage/keychain"
	"github.com/portal-id/migration-console/storage/workspacedb"
)

func newInventory(db *workspacedb.DB, kc *keychain.Keychain, actor string) *inventory.Service {
	return &inventory.Service{
		Store:        workspacedb.InventoryStore(db),
		Secrets:      kc,
		Open:         OpenCollector,
		SecretFields: SecretFields,
		Actor:        actor,
	}
}

// SecretFields is the console's inventory.SecretCatalogue: each vendor's
// secret-bearing fields, which the evidence transport redacts.
func SecretFields(kind workspace.SourceKind) []secretfields.Field {
	switch kind {
	case workspace.KindOkta:
		return okta.SecretFields
	case workspace.KindEntra:
		return entra.SecretFields
	}
	return nil
}

// OpenCollector is the console's inventory.Opener: it builds the Okta or
// Entra collector a source's kind calls for.
func OpenCollector(ctx context.Context, src workspace.Source, cred secret.Value, transport http.RoundTripper, onWait func(inventory.Wait)) (inventory.Collector, error) {
	switch src.Kind {
	case workspace.KindOkta:
		return okta.Open(ctx, src, cred, transport, onWait)
	case workspace.KindEntra:
		if src.Entra == nil {
			return nil, fmt.Errorf("source %q is not an Entra source", src.Name)
		}
		return entra.Open(*src.Entra, cred, transport, onWait)
	}
	return nil, fmt.Errorf("source %q has unknown kind %q", src.Name, src.Kind)
}

// DomainCheck is one row of a source test, the same for Okta and Entra:
// whether the credential can read one inventory domain, or the API's own
// refusal (its HTTP status, error code and message).
type DomainCheck struct {
	Domain   string `json:"domain"`
	Readable bool   `json:"readable"`
	Status   int    `json:"status,omitempty"`
	Code     string `json:"code,omitempty"`
	Message  string `json:"message,omitempty"`
}

// SourceTest asks the named source, with the credential the keychain holds
// for it, for the first element of each inventory domain. It records no
// evidence and writes nothing to the workspace file.
func (w *Workspace) SourceTest(ctx context.Context, name string) ([]DomainCheck, error) {
	ws, err := w.Service.Get(ctx)
	if err != nil {
		return nil, err
	}
	src, err := w.Service.Source(ctx, name)
	if err != nil {
		return nil, err
	}
	if src.Status != workspace.SourceConfigured {
		return nil, fmt.Errorf("test source %q: it is %s, and its credential was removed", name, src.Status)
	}
	cred, err := w.Keychain.Get(ctx, ws.ID, workspace.SourceRole(name))
	if err != nil {
		return nil, fmt.Errorf("test source %q: read its credential from the keychain: %w", name, err)
	}
	// No evidence transport: a test is not a collection. The vendor's pacer
	// still goes on top, so a throttled test waits rather than fails.
	var checks []DomainCheck
	switch src.Kind {
	case workspace.KindOkta:
		if src.Okta == nil {
			return nil, fmt.Errorf("test source %q: it has no Okta settings", name)
		}
		c, err := okta.New(ctx, *src.Okta, cred, http.DefaultTransport, nil)
		if err != nil {
			return nil, fmt.Errorf("test source %q: %s", name, scrub(err.Error(), cred))
		}
		for _, ch := range c.Test(ctx) {
			checks = append(checks, DomainCheck{Domain: ch.Domain, Readable: ch.Readable, Status: ch.Status, Code: ch.ErrorCode, Message: ch.ErrorSummary})
		}
	case workspace.KindEntra:
		if src.Entra == nil {
			return nil, fmt.Errorf("test source %q: it has no Entra settings", name)
		}
		c, err := entra.Open(*src.Entra, cred, http.DefaultTransport, nil)
		if err != nil {
			return nil, fmt.Errorf("test source %q: %s", name, scrub(err.Error(), cred))
		}
		for _, ch := range c.Test(ctx) {
			checks = append(checks, DomainCheck{Domain: ch.Domain, Readable: ch.Readable, Status: ch.Status, Code: ch.ErrorCode, Message: ch.ErrorSummary})
		}
	default:
		return nil, fmt.Errorf("test source %q: unknown kind %q", name, src.Kind)
	}
	// A transport error may quote a request; make sure it never quotes the
	// credential.
	for i := range checks {
		checks[i].Message = scrub(checks[i].Message, cred)
	}
	return checks, nil
}

func scrub(msg string, cred secret.Value) string {
	if cred.IsEmpty() {
		return msg
	}
	return strings.ReplaceAll(msg, cred.Reveal(), "[REDACTED]")
}
