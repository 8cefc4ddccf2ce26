// Package vendor is the seam between the console and the incumbent
// identity platforms it migrates from (Okta, Microsoft Entra ID, …): the
// one interface each implements in its own package, the spec of a source's
// settings from which migctl's `source add <kind>` flags and the GUI's
// add-source form are built, and the registry the rest of the console
// looks vendors up in. It imports no vendor SDK.
//
// Adding a vendor (Ping, Google Workspace, an AD FS export) is one package
// and one line. The package, engine/<kind>, has a type that implements
// Vendor: its settings struct (JSON names = the spec's field names), the
// Spec, Validate and Facts over it, a collector that reads the tenant
// through the *http.Client Open is given, and a Test that probes each
// inventory domain with inventory.CheckDomains; only that package imports
// the vendor's SDK, and engine/okta/vendor.go is a short example. The line
// goes in the list in app/wiring/vendors.go:
//
//	return vendor.NewRegistry(
//		okta.Vendor{},
//		entra.Vendor{},
//		ping.Vendor{}, // the new one
//	)
//
// Its tests then give it a replay server that speaks its wire format and
// run the shared collector conformance suite on it, as engine/okta and
// engine/entra do.
//
// Nothing else changes: the CLI, the GUI, the workspace file (settings are
// a JSON document the vendor validates) and the inventory service all go
// through the registry.
//
// The model is restic's backend registry (internal/backend/location and
// all.Backends: one explicit list, a factory interface per backend, config
// opaque to the rest) with rclone's per-backend option lists (fs.Option:
// name, help, default, examples, required, password, provider filter) as
// the settings spec.
package vendor

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/redact"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Vendor is one incumbent identity platform. Settings travel as the
// vendor's own JSON document (json.RawMessage) everywhere outside its
// package; only the vendor decodes them.
type Vendor interface {
	// Kind is the stable name stored with each source and typed after
	// `migctl source add`: lowercase, e.g. "okta".
	Kind() workspace.SourceKind
	// Label is the platform's name for people: "Okta".
	Label() string
	// Spec describes the settings and the credential a source of this
	// kind takes.
	Spec() Spec
	// Validate checks a new source's settings (every spec field present
	// in values has passed Spec.Check: trimmed, a valid choice, applying
	// to the auth mode, defaults filled in) and its credential, and
	// returns the settings document to store. Errors wrap
	// workspace.ErrInvalid (see Invalid) and never quote the credential.
	Validate(values map[string]string, cred secret.Value) (json.RawMessage, error)
	// Facts are the non-secret settings recorded in the audit trail when
	// a source is added.
	Facts(settings json.RawMessage) map[string]string
	// Describe says where a source points and how it signs in, for lists
	// and forms.
	Describe(settings json.RawMessage) Description
	// Endpoints are the base URLs the settings point at; a source test
	// checks that each answers before it sends the credential.
	Endpoints(settings json.RawMessage) ([]string, error)
	// Pacing groups the vendor's requests by rate-limit bucket and reads
	// its rate-limit headers (inventory.OktaLimits, inventory.GraphLimits
	// or the vendor's own LimitReader). The inventory service adds the
	// share of each window a collection may spend and the wait reporting.
	Pacing() inventory.PacingOptions
	// Open builds the collector of a source. client carries every
	// inventory request through the shared evidence and pacing transports;
	// the vendor's SDK must send through it with its own retries off (the
	// pacer owns retries). Requests that are not inventory (a token
	// exchange) may use a client of the vendor's own, so they never become
	// evidence.
	Open(ctx context.Context, settings json.RawMessage, cred secret.Value, client *http.Client) (inventory.Collector, error)
	// Test asks each inventory domain for the least a read can fetch,
	// through client (paced, no evidence), and returns one check per
	// domain in collection order. Run the probes with
	// inventory.CheckDomains, which runs a few at a time.
	Test(ctx context.Context, settings json.RawMessage, cred secret.Value, client *http.Client) ([]inventory.DomainCheck, error)
	// Scrub removes the credential, in every form the vendor's SDK or
	// API may echo it, from text. ScrubCredential covers the common forms.
	Scrub(text string, cred secret.Value) string
	// PayloadSecrets is the catalogue of the secret-bearing fields of the
	// vendor's API payloads (engine/redact.Field: resource, endpoints,
	// path, whether the migration keeps the value, the vendor reference
	// that documents it), which the evidence transport redacts before a
	// page is stored. Declare it as data in the vendor's package
	// (engine/okta/secrets.go); docs/evidence.md says how it is kept
	// current. Nil: none catalogued, and only the vendor-neutral rules
	// (secret-looking names, PEM private keys, private JWK members) apply.
	PayloadSecrets() []redact.Field
	// RebuildView rebuilds, from its raw payload, the item the vendor's
	// normalizer makes of an item stored before typed views existed.
	RebuildView(inventory.LegacyItem) (inventory.Item, error)
}

// Description is how people see a source's settings.
type Description struct {
	// Endpoint is where the tenant is, on one line: "https://acme.okta.com"
	// or "tenant contoso.onmicrosoft.com, usgov cloud".
	Endpoint string
	// Auth is the authentication mode's value: "api_token".
	Auth string
	// Summary is every setting worth showing, in order, each short enough
	// for one line joined with the others: "https://acme.okta.com",
	// "API token", "client 0oa1…".
	Summary []string
}

// Invalid is a validation error: it wraps workspace.ErrInvalid, so migctl
// exits 2 and the GUI keeps the form open with the message, and whatever
// format wraps with %w (endpoint.ErrCredentialsInURL, say).
func Invalid(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{workspace.ErrInvalid}, a...)...)
}
