package workspace

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/endpoint"
	"github.com/portal-id/migration-console/engine/secret"
)

// Store is a workspace file. Update runs fn in one durable write
// transaction; View in a read-only one.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	View(ctx context.Context, fn func(Tx) error) error
}

// Tx is what the workspace stage reads and writes inside a transaction.
type Tx interface {
	audit.Log
	// Workspace returns ErrNoWorkspace when the file holds none yet.
	Workspace() (Workspace, error)
	SaveWorkspace(Workspace) error
	Sources() ([]Source, error)
	SaveSource(Source) error
	AuditEntries() ([]audit.Entry, error)
	// VendorSecrets lists the vendor secrets the source's collections put
	// in the keychain (read from its evidence pages' redaction records).
	VendorSecrets(sourceID string) ([]VendorSecret, error)
}

// Secrets is the keychain: credentials keyed by workspace id and role.
type Secrets interface {
	Set(ctx context.Context, workspaceID, role string, v secret.Value) error
	Get(ctx context.Context, workspaceID, role string) (secret.Value, error)
	Delete(ctx context.Context, workspaceID, role string) error
}

// Keychain roles.
const RoleTargetToken = "target-admin-token"

// SourceRole is the keychain role of a source's credential.
func SourceRole(sourceName string) string { return "source/" + sourceName }

// VendorSecret is one secret a collection took from a vendor's payload and
// kept in the keychain because the migration needs it (docs/evidence.md):
// the id of the resource that held it and its catalogue path.
type VendorSecret struct {
	ResourceID string
	Field      string
}

// VendorSecretRole is the keychain role of one vendor secret:
// "vendor-secret/<source id>/<resource id>/<catalogue path>", ids
// path-escaped so a '/' in one cannot shift the others.
func VendorSecretRole(sourceID, resourceID, fieldPath string) string {
	return "vendor-secret/" + url.PathEscape(sourceID) + "/" + url.PathEscape(resourceID) + "/" + fieldPath
}

// Errors callers can tell apart.
var (
	ErrNoWorkspace     = errors.New("this file holds no workspace yet")
	ErrWorkspaceExists = errors.New("this file already holds a workspace")
	ErrArchived        = errors.New("the workspace is archived")
	ErrSourceNotFound  = errors.New("no such source")
	ErrSourceExists    = errors.New("a source with that name already exists in this workspace")
	ErrInvalid         = errors.New("invalid input")
	// ErrNoCredential is wrapped (with ErrInvalid) when a source is added
	// without its credential; each front end says how to supply one.
	ErrNoCredential = errors.New("needs a credential")
)

// Kinds is the catalogue of incumbent platforms a source can be of: the
// vendor registry app/wiring builds (engine/vendor.Registry) implements it.
type Kinds interface {
	// CheckSource validates the settings of a new source of kind (field
	// name to value, as typed) with its credential, and returns the
	// settings document to store. Its errors wrap ErrInvalid.
	CheckSource(kind SourceKind, settings map[string]string, cred secret.Value) (json.RawMessage, error)
	// SourceFacts are the non-secret facts of a source's settings for the
	// audit trail.
	SourceFacts(kind SourceKind, settings json.RawMessage) map[string]string
}

// Service runs the workspace stage against one workspace file.
type Service struct {
	Store   Store
	Secrets Secrets
	// Kinds checks the settings of new sources.
	Kinds Kinds
	// Actor is recorded on every audit entry: the OS user unless configured.
	Actor string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}

// NewID returns a random 128-bit identifier in hex.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("read random bytes: %v", err)) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b[:])
}

var tenantPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// CreateRequest is a new workspace. TargetURL and TargetToken are optional.
type CreateRequest struct {
	Tenant      string
	Mode        Mode
	TargetURL   string
	TargetToken secret.Value
}

// Create makes the file's workspace, in draft.
func (s *Service) Create(ctx context.Context, req CreateRequest) (Workspace, error) {
	tenant := strings.TrimSpace(req.Tenant)
	if !tenantPattern.MatchString(tenant) {
		return Workspace{}, invalid("tenant id %q must be 1-63 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit", req.Tenant)
	}
	if !req.Mode.Valid() {
		return Workspace{}, invalid("mode %q must be first_run_adoption or merge_into_existing", req.Mode)
	}
	var target Target
	if req.TargetURL != "" {
		u, err := endpoint.Parse(req.TargetURL)
		if err != nil {
			return Workspace{}, invalid("target URL: %v", err)
		}
		target.URL = u.String()
	}
	if !req.TargetToken.IsEmpty() && target.URL == "" {
		return Workspace{}, invalid("a target token needs a target URL")
	}
	now := s.now()
	ws := Workspace{ID: NewID(), Tenant: tenant, Mode: req.Mode, Status: StatusDraft, Target: target, CreatedAt: now, UpdatedAt: now}

	if !req.TargetToken.IsEmpty() {
		if err := s.Secrets.Set(ctx, ws.ID, RoleTargetToken, req.TargetToken); err != nil {
			return Workspace{}, fmt.Errorf("store the target admin token: %w", err)
		}
	}
	err := s.Store.Update(ctx, func(tx Tx) error {
		if _, err := tx.Workspace(); err == nil {
			return ErrWorkspaceExists
		} else if !errors.Is(err, ErrNoWorkspace) {
			return err
		}
		if err := tx.SaveWorkspace(ws); err != nil {
			return err
		}
		facts := map[string]string{"mode": string(ws.Mode), "status": string(ws.Status)}
		if target.URL != "" {
			facts["target_url"] = target.URL
			facts["target_token_stored"] = fmt.Sprint(!req.TargetToken.IsEmpty())
		}
		_, err := audit.Record(tx, s.entry(ws, audit.WorkspaceCreated, ws.ID, facts))
		return err
	})
	if err != nil {
		if !req.TargetToken.IsEmpty() {
			_ = s.Secrets.Delete(ctx, ws.ID, RoleTargetToken) // best effort: nothing refers to it
		}
		return Workspace{}, fmt.Errorf("create workspace: %w", err)
	}
	return ws, nil
}

func (s *Service) entry(ws Workspace, event, targetID string, facts map[string]string) audit.Entry {
	return audit.Entry{At: s.now(), Event: event, Tenant: ws.Tenant, Actor: s.Actor, TargetID: targetID, Facts: facts}
}

// Get returns the file's workspace.
func (s *Service) Get(ctx context.Context) (Workspace, error) {
	var ws Workspace
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		ws, err = tx.Workspace()
		return err
	})
	if err != nil {
		return Workspace{}, fmt.Errorf("read workspace: %w", err)
	}
	return ws, nil
}

// Archive ends the workspace's lifecycle: no new sources, no collection.
func (s *Service) Archive(ctx context.Context) (Workspace, error) {
	var ws Workspace
	err := s.Store.Update(ctx, func(tx Tx) error {
		var err error
		if ws, err = tx.Workspace(); err != nil {
			return err
		}
		if ws.Status == StatusArchived {
			return ErrArchived
		}
		prev := ws.Status
		ws.Status, ws.UpdatedAt = StatusArchived, s.now()
		if err := tx.SaveWorkspace(ws); err != nil {
			return err
		}
		_, err = audit.Record(tx, s.entry(ws, audit.WorkspaceArchived, ws.ID, map[string]string{"previous_status": string(prev)}))
		return err
	})
	if err != nil {
		return Workspace{}, fmt.Errorf("archive workspace: %w", err)
	}
	return ws, nil
}

// NewSource is a source to add. Settings are its vendor's fields (name to
// value, as the CLI's flags and the GUI's form carry them); Credential is
// required.
type NewSource struct {
	Name       string
	Kind       SourceKind
	Settings   map[string]string
	Credential secret.Value
}

// AddSource validates and stores a source: the credential goes to the
// keychain first and the source row is written only if that succeeded, so a
// source never exists without its credential and never falls back to
// storing it in the file.
func (s *Service) AddSource(ctx context.Context, req NewSource) (Source, error) {
	src, err := s.validateSource(req)
	if err != nil {
		return Source{}, err
	}
	ws, err := s.Get(ctx)
	if err != nil {
		return Source{}, err
	}
	if ws.Status == StatusArchived {
		return Source{}, fmt.Errorf("add source %q: %w", src.Name, ErrArchived)
	}
	if err := s.checkNameFree(ctx, src.Name); err != nil {
		return Source{}, err
	}
	src.ID, src.Status, src.CreatedAt = NewID(), SourceConfigured, s.now()

	role := SourceRole(src.Name)
	if err := s.Secrets.Set(ctx, ws.ID, role, req.Credential); err != nil {
		return Source{}, fmt.Errorf("add source %q: store its credential: %w", src.Name, err)
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		ws, err := tx.Workspace()
		if err != nil {
			return err
		}
		if ws.Status == StatusArchived {
			return ErrArchived
		}
		sources, err := tx.Sources()
		if err != nil {
			return err
		}
		for _, o := range sources {
			if o.Name == src.Name {
				return ErrSourceExists
			}
		}
		if err := tx.SaveSource(src); err != nil {
			return err
		}
		ws, err = s.refreshStatus(tx, ws, append(sources, src))
		if err != nil {
			return err
		}
		facts := s.sourceFacts(src)
		facts["workspace_status"] = string(ws.Status)
		_, err = audit.Record(tx, s.entry(ws, audit.SourceCreated, src.ID, facts))
		return err
	})
	if err != nil {
		if !errors.Is(err, ErrSourceExists) { // the existing source owns that keychain entry
			_ = s.Secrets.Delete(ctx, ws.ID, role)
		}
		return Source{}, fmt.Errorf("add source %q: %w", src.Name, err)
	}
	return src, nil
}

func (s *Service) checkNameFree(ctx context.Context, name string) error {
	sources, err := s.Sources(ctx)
	if err != nil {
		return err
	}
	for _, o := range sources {
		if o.Name == name {
			return fmt.Errorf("add source %q: %w", name, ErrSourceExists)
		}
	}
	return nil
}

// refreshStatus derives draft / ready_for_inventory from the sources, as
// the contract defines it (docs/migration-contract.md), and saves the
// workspace if it changed.
func (s *Service) refreshStatus(tx Tx, ws Workspace, sources []Source) (Workspace, error) {
	if ws.Status == StatusArchived {
		return ws, nil
	}
	want := StatusDraft
	for _, src := range sources {
		if src.Status == SourceConfigured {
			want = StatusReadyForInventory
			break
		}
	}
	if ws.Status == want {
		return ws, nil
	}
	ws.Status, ws.UpdatedAt = want, s.now()
	return ws, tx.SaveWorkspace(ws)
}

// Sources lists every source, archived ones included, oldest first.
func (s *Service) Sources(ctx context.Context) ([]Source, error) {
	var out []Source
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Sources()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	return out, nil
}

// Source returns the source with the given name.
func (s *Service) Source(ctx context.Context, name string) (Source, error) {
	sources, err := s.Sources(ctx)
	if err != nil {
		return Source{}, err
	}
	for _, src := range sources {
		if src.Name == name {
			return src, nil
		}
	}
	return Source{}, fmt.Errorf("source %q: %w", name, ErrSourceNotFound)
}

// ArchiveSource retires a source and removes its credential from the
// keychain: an archived source can never collect again, so keeping the
// secret would only widen what a stolen laptop gives away.
func (s *Service) ArchiveSource(ctx context.Context, name string) (Source, error) {
	var src Source
	var ws Workspace
	var vendorSecrets []VendorSecret
	err := s.Store.Update(ctx, func(tx Tx) error {
		var err error
		if ws, err = tx.Workspace(); err != nil {
			return err
		}
		sources, err := tx.Sources()
		if err != nil {
			return err
		}
		idx := -1
		for i, o := range sources {
			if o.Name == name {
				idx = i
			}
		}
		if idx < 0 {
			return ErrSourceNotFound
		}
		if sources[idx].Status == SourceArchived {
			return invalid("source %q is already archived", name)
		}
		now := s.now()
		sources[idx].Status, sources[idx].ArchivedAt = SourceArchived, &now
		src = sources[idx]
		if err := tx.SaveSource(src); err != nil {
			return err
		}
		if vendorSecrets, err = tx.VendorSecrets(src.ID); err != nil {
			return err
		}
		if ws, err = s.refreshStatus(tx, ws, sources); err != nil {
			return err
		}
		_, err = audit.Record(tx, s.entry(ws, audit.SourceArchived, src.ID, map[string]string{
			"name": src.Name, "kind": string(src.Kind), "workspace_status": string(ws.Status), "credential_removed": "true",
			"vendor_secrets_removed": fmt.Sprint(len(vendorSecrets)),
		}))
		return err
	})
	if err != nil {
		return Source{}, fmt.Errorf("archive source %q: %w", name, err)
	}
	if err := s.Secrets.Delete(ctx, ws.ID, SourceRole(name)); err != nil {
		return src, fmt.Errorf("source %q is archived, but its credential could not be removed from the keychain: %w", name, err)
	}
	// An archived source is not migrated: the secrets its collections kept
	// for the migration go too. One the keychain never held (it refused it
	// at collection) is already gone.
	var errs []error
	for _, v := range vendorSecrets {
		if err := s.Secrets.Delete(ctx, ws.ID, VendorSecretRole(src.ID, v.ResourceID, v.Field)); err != nil && !errors.Is(err, secret.ErrNotFound) {
			errs = append(errs, fmt.Errorf("%s of %s: %w", v.Field, v.ResourceID, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return src, fmt.Errorf("source %q is archived, but %d of the vendor secrets its collections kept could not be removed from the keychain: %w", name, len(errs), err)
	}
	return src, nil
}

// AuditTrail returns every audit entry in order, and the first break in the
// chain (nil when the trail verifies).
func (s *Service) AuditTrail(ctx context.Context) ([]audit.Entry, *audit.Break, error) {
	var entries []audit.Entry
	var head audit.Head
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		if entries, err = tx.AuditEntries(); err != nil {
			return err
		}
		head, err = tx.AuditHead()
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read audit trail: %w", err)
	}
	return entries, audit.Verify(entries, head), nil
}

// ValidName checks a source name: 1-64 printable characters, no leading or
// trailing space, no '/' (it is part of the keychain key).
func ValidName(name string) error {
	if name == "" || len([]rune(name)) > 64 {
		return invalid("source name must be 1 to 64 characters")
	}
	if strings.TrimSpace(name) != name {
		return invalid("source name %q has leading or trailing spaces", name)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) || r == '/' {
			return invalid("source name %q may not contain '/' or control characters", name)
		}
	}
	return nil
}

func (s *Service) validateSource(req NewSource) (Source, error) {
	if err := ValidName(req.Name); err != nil {
		return Source{}, err
	}
	if req.Credential.IsEmpty() {
		return Source{}, fmt.Errorf("%w: source %q %w", ErrInvalid, req.Name, ErrNoCredential)
	}
	if s.Kinds == nil {
		return Source{}, errors.New("this build knows no source kinds")
	}
	settings, err := s.Kinds.CheckSource(req.Kind, req.Settings, req.Credential)
	if err != nil {
		return Source{}, err
	}
	return Source{Name: req.Name, Kind: req.Kind, Settings: settings}, nil
}

// sourceFacts are the audit facts of a new source: its name, kind and
// status, and its vendor's non-secret settings.
func (s *Service) sourceFacts(src Source) map[string]string {
	f := map[string]string{}
	for k, v := range s.Kinds.SourceFacts(src.Kind, src.Settings) {
		f[k] = v
	}
	f["name"], f["kind"], f["status"] = src.Name, string(src.Kind), string(src.Status)
	return f
}
