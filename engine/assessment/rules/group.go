package rules

import (
	"slices"

	a "github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
)

// Groups. A Portal group is tenant-scoped: a name (unique per tenant) and a
// description; its members are not part of the group contract (they come
// through SCIM provisioning or are added on the Portal)
// (engine/portal/openapi.yaml GroupInput).

func group(s *a.Subject) *inventory.GroupView { return s.View.Group }

// reservedGroups are names the Portal keeps for its own use; a group the
// migration creates must never take one (docs/migration-contract.md).
var reservedGroups = []string{a.FoldName("Everyone"), a.FoldName("Admin Center Administrators")}

var membershipImpact = a.ImpactSpec{Audience: a.AudienceAdministrators, Severity: a.SeverityMedium,
	Summary: "Groups are created with their name and description only: memberships must be provisioned (SCIM) or added on the Portal before access depends on them."}

var anyGroupTenant = a.Rule{
	ID: "ANY-GROUP-TENANT-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindGroup,
	Title: "Tenant-scoped group with an explicit member list",
	Condition: "a group the tenant owns with an explicit member list (Okta OKTA_GROUP; an Entra security group that is " +
		"neither mail-enabled, Microsoft 365 nor dynamic), that no membership rule maintains (known from the evidence) " +
		"and that is not synced from an on-premises directory",
	Class: a.NativeImport, Proves: true,
	Target: a.Target{Noun: a.NounGroup, Shape: `group "{{.Name}}"`},
	Rationale: "{{.Name}} is a tenant group whose members are listed by hand: the Portal's tenant-scoped group holds " +
		"its name and description as they are.",
	Notes:          "Members are not part of the Portal group: provision them (SCIM) or add them after cutover.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelNone,
	Impacts:    []a.ImpactSpec{membershipImpact},
	References: []string{docOktaGroups, docGraphGroup, docPortalAPI},
	Match: func(s *a.Subject) (a.Vars, bool) {
		g := group(s)
		return nil, g.Type == inventory.GroupTenant && g.RuleBased == inventory.No && g.DirectorySynced == inventory.No
	},
}

var anyGroupReserved = a.Rule{
	ID: "ANY-GROUP-RESERVED-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindGroup,
	Title: "Group with a name the Portal reserves",
	Condition: "a group (other than the incumbent's own built-in group) named Everyone or Admin Center " +
		"Administrators, compared after Unicode NFC and case folding",
	Class:  a.Blocked,
	Target: a.Target{Noun: a.NounGroup},
	Rationale: "{{printf \"%q\" .Name}} is a name the Portal reserves for its own groups; a migrated group must never " +
		"take it (nor be linked to the Portal's reserved group by provisioning).",
	Blocked:        "Rename the group (in the incumbent or at cutover) before it can be created.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelNone,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAdministrators, Severity: a.SeverityMedium,
		Summary: "Groups named like the Portal's reserved groups (Everyone, Admin Center Administrators) must be renamed before cutover."}},
	References: []string{docReservedGroups, docPortalAPI},
	Match: func(s *a.Subject) (a.Vars, bool) {
		return nil, group(s).Type != inventory.GroupBuiltIn && slices.Contains(reservedGroups, a.FoldName(s.DisplayName))
	},
}

var oktaGroupBuiltIn = a.Rule{
	ID: "OKTA-GROUP-BUILTIN-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindGroup,
	Title:     "Okta built-in group",
	Condition: "an Okta BUILT_IN group (Everyone)",
	Class:     a.VisibilityOnly,
	Target:    a.Target{Noun: a.NounNone},
	Rationale: "{{.Name}} is maintained by Okta itself; the Portal keeps its own built-in groups, reserved for its " +
		"internal use, so it is never created and nothing is linked to the Portal's reserved group.",
	Notes:          "Assignments to {{.Name}} cannot move as they are: assign the applications to a tenant group instead.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelNone,
	References: []string{docOktaGroups, docReservedGroups},
	Match:      func(s *a.Subject) (a.Vars, bool) { return nil, group(s).Type == inventory.GroupBuiltIn },
}

var oktaGroupImported = a.Rule{
	ID: "OKTA-GROUP-APPGROUP-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindGroup,
	Title:     "Group imported from a directory or application",
	Condition: "an Okta APP_GROUP (imported from Active Directory, LDAP or an application)",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{Noun: a.NounGroup, Shape: `group "{{.Name}}"`},
	Rationale: "{{.Name}} is imported into Okta{{if .Group.DirectoryName}} from {{.Group.DirectoryName}}{{end}}; its " +
		"membership is mastered there. The Portal group is created, but nothing keeps it in step with that directory.",
	Notes:          "Membership stays mastered in the source directory: provision it to the Portal (SCIM) or the group drifts.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelLow,
	Impacts: []a.ImpactSpec{membershipImpact, {Audience: a.AudienceAdministrators, Severity: a.SeverityMedium,
		Summary: "Groups mastered in Active Directory or another directory are no longer synced through Okta: set up provisioning to the Portal."}},
	References: []string{docOktaGroups},
	Match:      func(s *a.Subject) (a.Vars, bool) { return nil, group(s).Type == inventory.GroupAppImported },
}

var oktaGroupRules = a.Rule{
	ID: "OKTA-GROUP-RULES-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindGroup,
	Title:     "Group maintained by Okta group rules",
	Condition: "an Okta group that one or more group rules assign users to",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{Noun: a.NounGroup, Shape: `group "{{.Name}}"`},
	Rationale: "Okta group rules assign users to {{.Name}} ({{list .Group.MembershipRules}}); the Portal has no group " +
		"rules, so the group is created without them.",
	Notes:          "Membership rules {{list .Group.MembershipRules}} are not reproduced: provision the members or rebuild the rule's effect upstream.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelLow,
	Impacts:    []a.ImpactSpec{membershipImpact},
	References: []string{docOktaGroupRules, docOktaEL},
	Match:      func(s *a.Subject) (a.Vars, bool) { return nil, group(s).RuleBased == inventory.Yes },
}

var entraGroupDynamic = a.Rule{
	ID: "ENTRA-GROUP-DYNAMIC-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindGroup,
	Title:     "Dynamic membership group",
	Condition: "an Entra group with dynamic membership (groupTypes DynamicMembership, a membershipRule)",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{Noun: a.NounGroup, Shape: `group "{{.Name}}"`},
	Rationale: "{{.Name}} computes its members from {{list .Group.MembershipRules}} (processing " +
		"{{.Group.MembershipRuleState}}); the Portal group has no membership rule.",
	Notes:          "The dynamic rule is not reproduced: provision its members to the Portal (SCIM) or the group stays empty.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelLow,
	Impacts:    []a.ImpactSpec{membershipImpact},
	References: []string{docEntraDynamic, docGraphGroup},
	Match:      func(s *a.Subject) (a.Vars, bool) { return nil, group(s).Type == inventory.GroupDynamic },
}

var entraGroupM365 = a.Rule{
	ID: "ENTRA-GROUP-M365-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindGroup,
	Title:     "Microsoft 365 group",
	Condition: "an Entra Microsoft 365 (Unified) group with assigned members",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{Noun: a.NounGroup, Shape: `group "{{.Name}}"`},
	Rationale: "{{.Name}} is a Microsoft 365 group (mailbox {{.Group.Mail}}, Teams and SharePoint); only the group itself " +
		"moves.",
	Notes:          "Its mailbox and collaboration spaces stay in Microsoft 365.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelNone,
	Impacts:    []a.ImpactSpec{membershipImpact},
	References: []string{docGraphGroup},
	Match:      func(s *a.Subject) (a.Vars, bool) { return nil, group(s).Type == inventory.GroupMicrosoft365 },
}

var entraGroupDistribution = a.Rule{
	ID: "ENTRA-GROUP-DISTRIBUTION-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindGroup,
	Title:          "Distribution list",
	Condition:      "an Entra mail-enabled group that is not a security group",
	Class:          a.VisibilityOnly,
	Target:         a.Target{Noun: a.NounNone},
	Rationale:      "{{.Name}} is a distribution list ({{.Group.Mail}}): it carries mail, not access, so it is not created.",
	OperatorImpact: a.LevelNone, UserImpact: a.LevelNone,
	References: []string{docGraphGroup},
	Match:      func(s *a.Subject) (a.Vars, bool) { return nil, group(s).Type == inventory.GroupDistribution },
}

var entraGroupMailSecurity = a.Rule{
	ID: "ENTRA-GROUP-MAILSEC-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindGroup,
	Title:     "Mail-enabled security group",
	Condition: "an Entra security group that is also mail-enabled",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{Noun: a.NounGroup, Shape: `group "{{.Name}}"`},
	Rationale: "{{.Name}} is a security group with an address ({{.Group.Mail}}); the Portal group carries the access " +
		"part only.",
	Notes:          "Its mail address stays in Exchange.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelNone,
	Impacts:    []a.ImpactSpec{membershipImpact},
	References: []string{docGraphGroup},
	Match:      func(s *a.Subject) (a.Vars, bool) { return nil, group(s).Type == inventory.GroupMailEnabledSecurity },
}

var entraGroupRoleAssignable = a.Rule{
	ID: "ENTRA-GROUP-ROLE-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindGroup,
	Title:     "Role-assignable group",
	Condition: "an Entra group that directory roles can be assigned to (isAssignableToRole)",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{Noun: a.NounGroup, Shape: `group "{{.Name}}"`},
	Rationale: "{{.Name}} can hold Entra directory roles; the Portal group grants application access only, and the " +
		"administrative roles stay in Entra.",
	Notes:          "Review which administrators depend on this group and give them the Portal's administrator access separately.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelNone,
	Impacts: []a.ImpactSpec{membershipImpact, {Audience: a.AudienceAdministrators, Severity: a.SeverityMedium,
		Summary: "Directory roles granted through role-assignable groups do not carry over: administrators need Portal access set up separately."}},
	References: []string{docEntraRoleGroups},
	Match:      func(s *a.Subject) (a.Vars, bool) { return nil, group(s).RoleAssignable == inventory.Yes },
}

var anyGroupSynced = a.Rule{
	ID: "ANY-GROUP-SYNCED-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindGroup,
	Title: "Group synced from an on-premises directory",
	Condition: "a group whose membership is mastered in an on-premises directory (Entra onPremisesSyncEnabled; Okta AD " +
		"or LDAP import), other than an Okta APP_GROUP (OKTA-GROUP-APPGROUP-001)",
	Class:  a.ImportWithApproximation,
	Target: a.Target{Noun: a.NounGroup, Shape: `group "{{.Name}}"`},
	Rationale: "{{.Name}} is synced from an on-premises directory{{if .Group.DirectoryName}} " +
		"({{.Group.DirectoryName}}){{end}}; the Portal group is created, but nothing keeps it in step with that directory.",
	Notes:          "Provision its members from the directory to the Portal, or the group drifts.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelLow,
	Impacts:    []a.ImpactSpec{membershipImpact},
	References: []string{docGraphGroup},
	Match: func(s *a.Subject) (a.Vars, bool) {
		g := group(s)
		return nil, g.DirectorySynced == inventory.Yes && g.Type != inventory.GroupAppImported
	},
}

var anyGroupName = a.Rule{
	ID: "ANY-GROUP-NAME-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindGroup,
	Title: "Group name the Portal refuses or that another group has",
	Condition: "a group the Portal would create whose name it refuses (blank, over 200 characters, control characters, " +
		"surrounding space) or that another such group of the snapshot also has, after Unicode NFC and case folding " +
		"(group names are unique per tenant)",
	Class:          a.Blocked,
	Target:         a.Target{Noun: a.NounGroup},
	Rationale:      "The Portal cannot create a group named {{printf \"%q\" .Name}}: {{.V.problem}}.",
	Blocked:        "Rename the group in the incumbent or at cutover.",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelNone,
	References: []string{docPortalAPI},
	Match: func(s *a.Subject) (a.Vars, bool) {
		g := group(s)
		if g.Type == inventory.GroupBuiltIn || g.Type == inventory.GroupDistribution {
			return nil, false
		}
		if p := nameProblem(s.DisplayName); p != "" {
			return a.Vars{"problem": p}, true
		}
		if n := s.Snapshot.NameCount(inventory.KindGroup, s.DisplayName); n > 1 {
			return a.Vars{"problem": "another group of the snapshot has the same name"}, true
		}
		return nil, false
	},
}

var anyGroupFallback = a.Rule{
	ID: "ANY-GROUP-FALLBACK-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindGroup,
	Title:     "Group no rule proves importable",
	Condition: "a group no deciding rule matched (for instance, whether a group rule maintains it is unknown)",
	Class:     a.ManualRebuildRequired, Fallback: true,
	Target:         a.Target{Noun: a.NounNone},
	Rationale:      fallbackRationale,
	Notes:          "Check {{.Name}} ({{.Group.VendorType}}) in the incumbent and create it by hand if it grants access.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelLow,
	References: []string{docOktaGroups, docGraphGroup},
	Match:      fallbackMatch,
}
