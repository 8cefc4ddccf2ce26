// Package workspace holds a customer tenant's migration workspace and its
// incumbent sources: the first stage of the migration flow
// (docs/migration-contract.md), and the ground every later stage stands on.
// The workspace summary is derived above the stages, in engine/readiness.
package workspace

import "time"

// Mode is how the workspace treats live target state.
type Mode string

const (
	ModeFirstRunAdoption  Mode = "first_run_adoption"
	ModeMergeIntoExisting Mode = "merge_into_existing"
)

// Valid reports whether m is one of the two modes the contract defines.
func (m Mode) Valid() bool { return m == ModeFirstRunAdoption || m == ModeMergeIntoExisting }

// Status is the workspace lifecycle state.
type Status string

const (
	StatusDraft             Status = "draft"
	StatusReadyForInventory Status = "ready_for_inventory"
	StatusArchived          Status = "archived"
)

// Workspace is one customer tenant's migration. Its target token lives in
// the keychain, never here.
type Workspace struct {
	ID        string    `json:"id"`
	Tenant    string    `json:"tenant"`
	Mode      Mode      `json:"mode"`
	Status    Status    `json:"status"`
	Target    Target    `json:"target"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Target is the Portal admin API this workspace writes to, and what the last
// successful connection test said about the token.
type Target struct {
	URL            string     `json:"url,omitempty"`
	TenantID       string     `json:"tenant_id,omitempty"`
	SessionContext string     `json:"session_context,omitempty"`
	Permissions    []string   `json:"permissions,omitempty"`
	ConnectedAt    *time.Time `json:"connected_at,omitempty"`
}

// SourceKind is the incumbent platform.
type SourceKind string

const (
	KindOkta  SourceKind = "okta"
	KindEntra SourceKind = "entra"
)

// SourceStatus is the source lifecycle state.
type SourceStatus string

const (
	SourceConfigured SourceStatus = "configured"
	SourceArchived   SourceStatus = "archived"
)

// Source is a read-only connection to an incumbent tenant. Exactly one of
// Okta and Entra is set, matching Kind. Its credential lives in the keychain.
type Source struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	Kind            SourceKind     `json:"kind"`
	Status          SourceStatus   `json:"status"`
	Okta            *OktaSettings  `json:"okta,omitempty"`
	Entra           *EntraSettings `json:"entra,omitempty"`
	CreatedAt       time.Time      `json:"created_at"`
	ArchivedAt      *time.Time     `json:"archived_at,omitempty"`
	LastInventoryAt *time.Time     `json:"last_inventory_at,omitempty"`
}

// OktaAuth is how the console authenticates to an Okta org.
type OktaAuth string

const (
	// OktaAPIToken is an SSWS API token.
	OktaAPIToken OktaAuth = "api_token"
	// OktaPrivateKey is an OAuth 2.0 service app with a private key (Okta's
	// recommendation for least privilege); the credential is the PEM key.
	OktaPrivateKey OktaAuth = "private_key"
)

// OktaSettings are the non-secret connection facts of an Okta source.
type OktaSettings struct {
	OrgURL   string   `json:"org_url"`
	Auth     OktaAuth `json:"auth"`
	ClientID string   `json:"client_id,omitempty"`
	Scopes   []string `json:"scopes,omitempty"`
}

// EntraAuth is how the console authenticates to Microsoft Graph.
type EntraAuth string

const (
	EntraClientSecret EntraAuth = "client_secret"
	EntraCertificate  EntraAuth = "certificate"
	EntraAccessToken  EntraAuth = "access_token"
)

// Cloud is a Microsoft national cloud.
type Cloud string

const (
	CloudGlobal Cloud = "global"
	CloudUSGov  Cloud = "usgov"
	CloudChina  Cloud = "china"
)

// EntraSettings are the non-secret connection facts of an Entra source.
// GraphURL and AuthorityURL override the cloud's endpoints (a sovereign or
// test deployment); plain http is accepted only for loopback hosts.
type EntraSettings struct {
	TenantID     string    `json:"tenant_id"`
	ClientID     string    `json:"client_id,omitempty"`
	Auth         EntraAuth `json:"auth"`
	Cloud        Cloud     `json:"cloud"`
	GraphURL     string    `json:"graph_url,omitempty"`
	AuthorityURL string    `json:"authority_url,omitempty"`
}
