package assessment

import "fmt"

// Class is an item's compatibility class: what the migration can do with it.
type Class string

// The classes, from least to most restrictive (docs/migration-contract.md).
const (
	// NativeImport: the Portal represents the item as it is; the cutover
	// creates it.
	NativeImport Class = "native_import"
	// ImportWithApproximation: the Portal represents the item, but some of
	// its behaviour changes or is dropped; the notes say what.
	ImportWithApproximation Class = "import_with_approximation"
	// VisibilityOnly: the item is shown for the record and not migrated (a
	// Microsoft first-party app, an inactive item, a fact the target has no
	// noun for).
	VisibilityOnly Class = "visibility_only"
	// ManualRebuildRequired: the Portal cannot take the item as it is; a
	// person must rebuild it (or decide not to), following the notes.
	ManualRebuildRequired Class = "manual_rebuild_required"
	// Blocked: the item cannot move until something is fixed; the blocked
	// reason says what.
	Blocked Class = "blocked"
)

// Classes lists every class from least to most restrictive: a later class
// wins over an earlier one when several rules match an item.
var Classes = []Class{NativeImport, ImportWithApproximation, VisibilityOnly, ManualRebuildRequired, Blocked}

// Rank is the class's restrictiveness (0 for native_import, 4 for blocked),
// -1 for a value that is not a class.
func (c Class) Rank() int {
	for i, k := range Classes {
		if k == c {
			return i
		}
	}
	return -1
}

// Valid reports one of Classes.
func (c Class) Valid() bool { return c.Rank() >= 0 }

// Imports reports a class whose item the cutover creates on the target
// (native_import and import_with_approximation): an item that references
// another by id can move only when the other imports.
func (c Class) Imports() bool { return c == NativeImport || c == ImportWithApproximation }

// ParseClass reads a class name.
func ParseClass(s string) (Class, error) {
	if c := Class(s); c.Valid() {
		return c, nil
	}
	return "", fmt.Errorf("%q is not a compatibility class (one of %v)", s, Classes)
}

// Level is an impact level: how much an item's migration changes things
// for operators or for users.
type Level string

const (
	LevelNone   Level = "none"
	LevelLow    Level = "low"
	LevelMedium Level = "medium"
	LevelHigh   Level = "high"
)

// Levels lists every level in increasing order.
var Levels = []Level{LevelNone, LevelLow, LevelMedium, LevelHigh}

func (l Level) rank() int {
	for i, k := range Levels {
		if k == l {
			return i
		}
	}
	return -1
}

// Valid reports one of Levels.
func (l Level) Valid() bool { return l.rank() >= 0 }

// maxLevel returns the higher of two levels.
func maxLevel(a, b Level) Level {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// Audience is who an organisational-change-management (OCM) impact must
// be communicated to.
type Audience string

const (
	AudienceEndUsers       Audience = "end_users"
	AudienceAdministrators Audience = "administrators"
	AudienceHelpDesk       Audience = "help_desk"
	AudienceAppOwners      Audience = "app_owners"
)

// Audiences lists every audience.
var Audiences = []Audience{AudienceEndUsers, AudienceAdministrators, AudienceHelpDesk, AudienceAppOwners}

// Valid reports one of Audiences.
func (a Audience) Valid() bool {
	for _, k := range Audiences {
		if k == a {
			return true
		}
	}
	return false
}

// Severity is how much an OCM impact matters to its audience.
type Severity string

const (
	SeverityLow    Severity = "low"
	SeverityMedium Severity = "medium"
	SeverityHigh   Severity = "high"
)

// Severities lists every severity in increasing order.
var Severities = []Severity{SeverityLow, SeverityMedium, SeverityHigh}

// Valid reports one of Severities.
func (s Severity) Valid() bool {
	for _, k := range Severities {
		if k == s {
			return true
		}
	}
	return false
}

// Vendor is which incumbent a rule applies to.
type Vendor string

const (
	VendorAny   Vendor = "any"
	VendorOkta  Vendor = "okta"
	VendorEntra Vendor = "entra"
)

// Noun is the Portal admin API noun an item becomes (engine/portal/openapi.yaml).
type Noun string

const (
	// NounNone: the item becomes nothing on the target.
	NounNone              Noun = "none"
	NounApplication       Noun = "application"
	NounUpstreamProvider  Noun = "upstream_provider"
	NounRoutingRule       Noun = "routing_rule"
	NounGroup             Noun = "group"
	NounAppAssignment     Noun = "app_assignment"
	NounSSOConfiguration  Noun = "sso_configuration"
	NounTenantAuthSetting Noun = "tenant_auth_settings"
)

// Target is the target contract of an item: which Portal noun it becomes
// and in what shape (e.g. application, "custom OIDC, client_type
// confidential"). A rule that does not decide the target leaves Noun
// empty.
type Target struct {
	Noun  Noun   `json:"noun"`
	Shape string `json:"shape,omitempty"`
}
