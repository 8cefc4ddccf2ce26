// Package workspace holds a customer tenant's migration workspace and its
// incumbent sources: the first stage of the migration flow
// (docs/migration-contract.md), and the ground every later stage stands on.
// The workspace summary is derived above the stages, in engine/readiness.
package workspace

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

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

// SourceKind names the incumbent platform of a source ("okta", "entra"):
// the kind of a vendor in the registry app/wiring builds (engine/vendor).
type SourceKind string

// SourceStatus is the source lifecycle state.
type SourceStatus string

const (
	SourceConfigured SourceStatus = "configured"
	SourceArchived   SourceStatus = "archived"
)

// Source is a read-only connection to an incumbent tenant. Its settings
// are its vendor's JSON document, checked by the vendor when the source was
// added; its credential lives in the keychain.
type Source struct {
	ID              string
	Name            string
	Kind            SourceKind
	Status          SourceStatus
	Settings        json.RawMessage
	CreatedAt       time.Time
	ArchivedAt      *time.Time
	LastInventoryAt *time.Time
}

// MarshalJSON writes a source as scripts read it: its settings under a key
// named after its kind, e.g. {"id": …, "kind": "okta", "okta": {"org_url":
// …}}, so one script can read every kind's settings without guessing.
func (s Source) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	field := func(key string, v any) error {
		if b.Len() == 0 {
			b.WriteByte('{')
		} else {
			b.WriteByte(',')
		}
		k, err := json.Marshal(key)
		if err != nil {
			return err
		}
		val, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("source %q: %s: %w", s.Name, key, err)
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(val)
		return nil
	}
	settings := s.Settings
	if len(settings) == 0 {
		settings = json.RawMessage("{}")
	}
	fields := []struct {
		key  string
		v    any
		omit bool
	}{
		{"id", s.ID, false},
		{"name", s.Name, false},
		{"kind", s.Kind, false},
		{"status", s.Status, false},
		{string(s.Kind), settings, s.Kind == ""},
		{"created_at", s.CreatedAt, false},
		{"archived_at", s.ArchivedAt, s.ArchivedAt == nil},
		{"last_inventory_at", s.LastInventoryAt, s.LastInventoryAt == nil},
	}
	for _, f := range fields {
		if f.omit {
			continue
		}
		if err := field(f.key, f.v); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Source) UnmarshalJSON(data []byte) error {
	var doc struct {
		ID              string       `json:"id"`
		Name            string       `json:"name"`
		Kind            SourceKind   `json:"kind"`
		Status          SourceStatus `json:"status"`
		CreatedAt       time.Time    `json:"created_at"`
		ArchivedAt      *time.Time   `json:"archived_at"`
		LastInventoryAt *time.Time   `json:"last_inventory_at"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return err
	}
	*s = Source{ID: doc.ID, Name: doc.Name, Kind: doc.Kind, Status: doc.Status, Settings: fields[string(doc.Kind)],
		CreatedAt: doc.CreatedAt, ArchivedAt: doc.ArchivedAt, LastInventoryAt: doc.LastInventoryAt}
	return nil
}
