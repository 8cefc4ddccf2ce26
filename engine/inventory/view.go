package inventory

import (
	"encoding/json"
	"fmt"
	"time"
)

// View is the typed, vendor-neutral reading of one item: exactly one member
// is set, the one of the item's kind. Assessment rules read views, never the
// raw payload, so a fact a rule needs is a field here, and a fact the vendor
// did not give is said to be unknown (a Tri left Unknown, or a *Gap field
// naming why) rather than left looking empty.
//
// Each view type documents, field by field, where each vendor's value comes
// from and the vendor reference it was checked against. Fields tagged
// `raw:"verbatim"` copy a string from the item's own raw payload unchanged:
// the conformance suite (engine/inventory/conformance) checks that every
// such value appears in the raw payload, so a normalizer cannot invent one.
type View struct {
	Application *ApplicationView `json:"application,omitempty"`
	Provider    *ProviderView    `json:"provider,omitempty"`
	RoutingRule *RoutingRuleView `json:"routing_rule,omitempty"`
	Policy      *PolicyView      `json:"policy,omitempty"`
	Group       *GroupView       `json:"group,omitempty"`
	Assignment  *AssignmentView  `json:"assignment,omitempty"`
	Domain      *DomainView      `json:"domain,omitempty"`
	// Unbuilt says why no member is set: the item was stored before views
	// existed and its view is not rebuilt yet (ViewNotBuiltYet), or
	// rebuilding it from the raw payload failed (the reason).
	Unbuilt string `json:"unbuilt,omitempty"`
}

// ViewNotBuiltYet is View.Unbuilt of an item stored before views existed
// whose view the console has not rebuilt yet.
const ViewNotBuiltYet = "stored before typed views; rebuilt from the raw payload when the console opens the workspace"

// Kind is the kind of the member that is set, or "" when none is (an item
// stored before views existed whose view has not been built yet).
func (v View) Kind() Kind {
	switch {
	case v.Application != nil:
		return KindApplication
	case v.Provider != nil:
		return KindProvider
	case v.RoutingRule != nil:
		return KindRoutingRule
	case v.Policy != nil:
		return KindPolicy
	case v.Group != nil:
		return KindGroup
	case v.Assignment != nil:
		return KindAssignment
	case v.Domain != nil:
		return KindDomain
	}
	return ""
}

// Missing reports an item without a view.
func (v View) Missing() bool { return v.Kind() == "" }

// Subtype is the item's vendor-neutral subtype, taken from the view: one
// of the closed set of its kind (see Subtypes).
func (v View) Subtype() string {
	switch {
	case v.Application != nil:
		return string(v.Application.Protocol)
	case v.Provider != nil:
		return string(v.Provider.Protocol)
	case v.RoutingRule != nil:
		return string(v.RoutingRule.Type)
	case v.Policy != nil:
		return PolicySubtype(v.Policy.Type, v.Policy.Rule)
	case v.Group != nil:
		return string(v.Group.Type)
	case v.Assignment != nil:
		return string(v.Assignment.Target)
	case v.Domain != nil:
		return string(v.Domain.Type)
	}
	return ""
}

// NewItem builds an item whose kind and subtype come from its view, so the
// envelope can never disagree with the view.
func NewItem(sourceID, displayName string, v View, raw json.RawMessage, refs ...Ref) Item {
	return Item{
		SourceID: sourceID, Kind: v.Kind(), Subtype: v.Subtype(),
		DisplayName: displayName, View: v, Refs: refs, Raw: raw,
	}
}

// Tri is a fact that may be unknown: the vendor said yes, said no, or did
// not say (the field is absent from the payload, or the API does not expose
// it). The zero value is Unknown, so a normalizer that forgets a fact
// reports it unknown rather than false. It reads and writes as "yes", "no"
// or "unknown".
type Tri string

const (
	Unknown Tri = ""
	Yes     Tri = "yes"
	No      Tri = "no"
)

// TriOf is Yes for true and No for false.
func TriOf(b bool) Tri {
	if b {
		return Yes
	}
	return No
}

// TriPtr is Unknown for nil, else TriOf(*b).
func TriPtr(b *bool) Tri {
	if b == nil {
		return Unknown
	}
	return TriOf(*b)
}

// Known reports a Yes or No.
func (t Tri) Known() bool { return t == Yes || t == No }

func (t Tri) String() string {
	if t == Unknown {
		return "unknown"
	}
	return string(t)
}

var (
	jsonYes     = []byte(`"yes"`)
	jsonNo      = []byte(`"no"`)
	jsonUnknown = []byte(`"unknown"`)
)

// MarshalJSON writes "yes", "no" or "unknown" (a value outside the three
// is written as it is, quoted).
func (t Tri) MarshalJSON() ([]byte, error) {
	switch t {
	case Yes:
		return jsonYes, nil
	case No:
		return jsonNo, nil
	case Unknown:
		return jsonUnknown, nil
	}
	return json.Marshal(string(t))
}

// UnmarshalJSON reads "yes", "no" or "unknown" (or "").
func (t *Tri) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("tri-state fact: %w", err)
	}
	switch s {
	case "yes":
		*t = Yes
	case "no":
		*t = No
	case "unknown", "":
		*t = Unknown
	default:
		return fmt.Errorf("tri-state fact %q is not yes, no or unknown", s)
	}
	return nil
}

// State is an item's lifecycle state, vendor-neutral. The vendor's own
// value is kept beside it (VendorStatus).
type State string

const (
	// StateActive: in force (Okta ACTIVE; Graph accountEnabled true, a
	// conditional-access policy "enabled").
	StateActive State = "active"
	// StateInactive: defined but not in force (Okta INACTIVE; Graph
	// accountEnabled false, a policy "disabled").
	StateInactive State = "inactive"
	// StateReportOnly: evaluated and logged but not enforced (Graph
	// conditional access "enabledForReportingButNotEnforced").
	StateReportOnly State = "report_only"
	// StateUnknown: the payload has no state, or one this build does not
	// know (VendorStatus keeps it).
	StateUnknown State = "unknown"
)

// States is the closed set of State values.
var States = []State{StateActive, StateInactive, StateReportOnly, StateUnknown}

// Certificate is a public X.509 certificate an item trusts or signs with,
// read from the payload or the vendor's key listing. Key material that is
// not a public certificate is never copied.
type Certificate struct {
	// KeyID is the vendor's id of the key: Okta's JWK "kid", Graph's
	// keyCredential "keyId".
	KeyID string `json:"key_id,omitempty"`
	// Usage is what the key is for: "signing", "encryption" or
	// "verification" (Graph "Sign", "Encrypt", "Verify"); "" when unsaid.
	Usage string `json:"usage,omitempty"`
	// Subject is the certificate's subject DN (read from the certificate
	// when its bytes are present; Graph's displayName otherwise).
	Subject string `json:"subject,omitempty"`
	// SHA256Fingerprint is the upper-case hex SHA-256 of the DER bytes, ""
	// when the payload carries metadata only (Graph listings omit "key").
	SHA256Fingerprint string `json:"sha256_fingerprint,omitempty"`
	// PEM is the public certificate, "" when the payload carries metadata
	// only. It is left out of search text and facts (search:"-").
	PEM       string     `json:"pem,omitempty" search:"-"`
	NotBefore *time.Time `json:"not_before,omitempty"`
	NotAfter  *time.Time `json:"not_after,omitempty"`
	// Expired is whether NotAfter had passed when the item was collected;
	// Unknown without NotAfter.
	Expired Tri `json:"expired"`
	// Error says why the certificate could not be read; the entry is kept
	// so a broken certificate is a finding, not a silent absence.
	Error string `json:"error,omitempty"`
}

// ValidAt reports whether the certificate is known to be valid at t.
func (c Certificate) ValidAt(t time.Time) bool {
	return c.Error == "" && c.NotAfter != nil && t.Before(*c.NotAfter) && (c.NotBefore == nil || !t.Before(*c.NotBefore))
}

// ValidCertificate is Yes when one of certs is valid at t, No when certs
// are listed and none is, Unknown when none is listed.
func ValidCertificate(certs []Certificate, t time.Time) Tri {
	if len(certs) == 0 {
		return Unknown
	}
	for _, c := range certs {
		if c.ValidAt(t) {
			return Yes
		}
	}
	return No
}

// Credential is the metadata of one client secret or certificate an
// application authenticates with: never the secret or key material.
type Credential struct {
	// Type is "secret" (a client secret / Graph passwordCredential) or
	// "certificate" (a key / Graph keyCredential, Okta JWKS key).
	Type string `json:"type"`
	// VendorType is the vendor's key type (Graph "AsymmetricX509Cert",
	// "Symmetric"; Okta JWK "kty").
	VendorType string `json:"vendor_type,omitempty"`
	// Usage is Graph's "Sign"/"Verify"/"Encrypt" or Okta's JWK "use".
	Usage       string `json:"usage,omitempty"`
	KeyID       string `json:"key_id,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
	// Hint is Graph's first characters of a secret, which Graph itself
	// shows to administrators.
	Hint    string     `json:"hint,omitempty"`
	Start   *time.Time `json:"start,omitempty"`
	End     *time.Time `json:"end,omitempty"`
	Expired Tri        `json:"expired"`
	// Status is the vendor's status of the credential (Okta ACTIVE or
	// INACTIVE), "" when unsaid.
	Status string `json:"status,omitempty"`
}

// SecretField says whether a payload carried a secret, never its value.
// The evidence transport replaces a secret with a marker beginning
// "[REDACTED" before anything reads it; Marker keeps that marker as is (it
// names the field and carries a keyed digest, so two snapshots can show the
// secret changed). Marker is never a plain secret: a value that is not a
// marker is recorded as Present only.
type SecretField struct {
	Present Tri    `json:"present"`
	Marker  string `json:"marker,omitempty"`
}

// RedactedPrefix begins every marker the evidence transport writes in place
// of a secret.
const RedactedPrefix = "[REDACTED"

// IncludeExclude is a condition's included and excluded object ids.
type IncludeExclude struct {
	Include []string `json:"include,omitempty" raw:"verbatim"`
	Exclude []string `json:"exclude,omitempty" raw:"verbatim"`
}

// Empty reports a condition with nothing included or excluded.
func (ie IncludeExclude) Empty() bool { return len(ie.Include) == 0 && len(ie.Exclude) == 0 }
