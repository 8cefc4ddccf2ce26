package rules

import (
	a "github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
)

// Assignments. The Portal assigns an application to a group; an
// assignment moves only when both its application and its group will
// exist on the target (engine/portal/openapi.yaml AppAssignmentInput).
// Direct-user assignments stay blocked until identities are linked.

func assignment(s *a.Subject) *inventory.AssignmentView { return s.View.Assignment }

// assignmentDeps says, for a group assignment, what keeps its application
// or group from existing on the target.
func assignmentDeps(s *a.Subject) []string {
	as := assignment(s)
	var problems []string
	carrier, o := s.Snapshot.Carrier(as.AppID)
	label := "application " + firstNonEmpty(as.AppName, as.AppID)
	if carrier != as.AppID {
		label += " (through its registration " + carrier + ")"
	}
	if why := notImported(label, o); why != "" {
		problems = append(problems, why)
	}
	if why := notImported("group "+firstNonEmpty(as.PrincipalName, as.PrincipalID), s.Snapshot.Outcome(inventory.KindGroup, as.PrincipalID)); why != "" {
		problems = append(problems, why)
	}
	return problems
}

var anyAssignGroup = a.Rule{
	ID: "ANY-ASSIGN-GROUP-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindAssignment,
	Title: "Group assignment whose application and group both move",
	Condition: "a direct assignment of an application to a group, with the default access role, where the " +
		"application (or, for an Entra service principal, its registration) and the group are in the snapshot and " +
		"both will be created on the Portal",
	Class: a.NativeImport, Proves: true,
	Target: a.Target{Noun: a.NounAppAssignment, Shape: `{{.Assignment.AppName}} ← group {{.Assignment.PrincipalName}}`},
	Rationale: "Group {{.Assignment.PrincipalName}} is assigned {{.Assignment.AppName}}, and both will exist on the " +
		"Portal: the assignment is created as it is.",
	OperatorImpact: a.LevelNone, UserImpact: a.LevelNone,
	References: []string{docOktaAppGroups, docGraphAssignment, docPortalAPI},
	Match: func(s *a.Subject) (a.Vars, bool) {
		as := assignment(s)
		return nil, as.Target == inventory.AssignGroup && as.Direct == inventory.Yes && as.AppRoleID == "" && len(assignmentDeps(s)) == 0
	},
}

var anyAssignDeps = a.Rule{
	ID: "ANY-ASSIGN-DEP-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindAssignment,
	Title: "Group assignment whose application or group will not exist",
	Condition: "a group assignment whose application or group is not in the snapshot, or will not be created on the " +
		"Portal (its class is not native_import or import_with_approximation)",
	Class:  a.Blocked,
	Target: a.Target{Noun: a.NounAppAssignment},
	Rationale: "The assignment of {{.Assignment.AppName}} to {{.Assignment.PrincipalName}} refers to objects that will " +
		"not exist on the Portal: {{join .V.problems \"; \"}}.",
	Blocked:        "An assignment moves only with its application and group: resolve {{join .V.problems \"; \"}} (or map them to existing Portal objects in merge review).",
	OperatorImpact: a.LevelLow, UserImpact: a.LevelMedium,
	References: []string{docPortalAPI},
	Match: func(s *a.Subject) (a.Vars, bool) {
		if assignment(s).Target != inventory.AssignGroup {
			return nil, false
		}
		p := assignmentDeps(s)
		return a.Vars{"problems": p}, len(p) > 0
	},
}

var anyAssignUser = a.Rule{
	ID: "ANY-ASSIGN-USER-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindAssignment,
	Title: "Direct user assignment",
	Condition: "an application assigned to a user directly (Okta app user scope USER; an Entra app role assignment to " +
		"a user)",
	Class:  a.Blocked,
	Target: a.Target{Noun: a.NounNone},
	Rationale: "{{.Assignment.AppName}} is assigned to the user {{.Assignment.PrincipalName}} directly; the Portal " +
		"assigns applications to groups, and users are linked to their identity only at their first SSO sign-in.",
	Blocked:        "Needs identity linking: assign {{.Assignment.AppName}} to a group the user belongs to, or wait for direct-user import once identities are linked.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelMedium,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceEndUsers, Severity: a.SeverityHigh,
		Summary: "Users who were given an app directly (not through a group) lose it at cutover unless they are added to an assigned group."}},
	References: []string{docOktaAppUsers, docGraphAssignment},
	Match: func(s *a.Subject) (a.Vars, bool) {
		as := assignment(s)
		return nil, as.Target == inventory.AssignUser && as.Direct == inventory.Yes
	},
}

var oktaAssignInherited = a.Rule{
	ID: "OKTA-ASSIGN-INHERITED-001", Version: 1, Vendor: a.VendorOkta, Kind: inventory.KindAssignment,
	Title:     "User who has an app through a group",
	Condition: "an Okta app user whose assignment comes from a group (scope GROUP)",
	Class:     a.VisibilityOnly,
	Target:    a.Target{Noun: a.NounNone},
	Rationale: "{{.Assignment.PrincipalName}} has {{.Assignment.AppName}} through a group assignment, which carries " +
		"it; this row is not created on its own.",
	OperatorImpact: a.LevelNone, UserImpact: a.LevelNone,
	References: []string{docOktaAppUsers},
	Match: func(s *a.Subject) (a.Vars, bool) {
		as := assignment(s)
		return nil, as.Target == inventory.AssignUser && as.Direct == inventory.No
	},
}

var entraAssignServicePrincipal = a.Rule{
	ID: "ENTRA-ASSIGN-SP-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindAssignment,
	Title: "App role granted to a service principal",
	Condition: "an Entra app role assignment whose principal is a service principal (an application granted " +
		"permissions on another)",
	Class:  a.ManualRebuildRequired,
	Target: a.Target{Noun: a.NounNone},
	Rationale: "{{.Assignment.PrincipalName}} (an application) holds a role on {{.Assignment.AppName}}; the Portal " +
		"assigns applications to groups of people only.",
	Notes:          "Rebuild the machine-to-machine access (a client_credentials client and the API's own checks) by hand.",
	OperatorImpact: a.LevelHigh, UserImpact: a.LevelNone,
	Impacts: []a.ImpactSpec{{Audience: a.AudienceAppOwners, Severity: a.SeverityHigh,
		Summary: "Application-to-application permissions granted in Entra must be rebuilt by the owners of the calling services."}},
	References: []string{docGraphAssignment},
	Match: func(s *a.Subject) (a.Vars, bool) {
		return nil, assignment(s).Target == inventory.AssignServicePrincipal
	},
}

var entraAssignRole = a.Rule{
	ID: "ENTRA-ASSIGN-ROLE-001", Version: 1, Vendor: a.VendorEntra, Kind: inventory.KindAssignment,
	Title:     "Group assignment with an app role",
	Condition: "an Entra group assignment that grants a specific app role rather than default access",
	Class:     a.ImportWithApproximation,
	Target:    a.Target{Noun: a.NounAppAssignment, Shape: `{{.Assignment.AppName}} ← group {{.Assignment.PrincipalName}}, without role`},
	Rationale: "The group {{.Assignment.PrincipalName}} holds app role {{.Assignment.AppRoleID}} on " +
		"{{.Assignment.AppName}}; a Portal assignment grants the application without a role.",
	Notes:          "The role is dropped: the app must tell the group's members apart some other way.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelMedium,
	References: []string{docGraphAssignment, docEntraAppRoles},
	Match: func(s *a.Subject) (a.Vars, bool) {
		as := assignment(s)
		return nil, as.Target == inventory.AssignGroup && as.AppRoleID != ""
	},
}

var anyAssignFallback = a.Rule{
	ID: "ANY-ASSIGN-FALLBACK-001", Version: 1, Vendor: a.VendorAny, Kind: inventory.KindAssignment,
	Title:     "Assignment no rule proves importable",
	Condition: "an assignment no deciding rule matched (an unknown principal type, or whether it is direct is unknown)",
	Class:     a.ManualRebuildRequired, Fallback: true,
	Target:         a.Target{Noun: a.NounNone},
	Rationale:      fallbackRationale,
	Notes:          "Check who {{.Assignment.PrincipalName}} ({{.Assignment.VendorType}}) is and assign the app to a group by hand.",
	OperatorImpact: a.LevelMedium, UserImpact: a.LevelMedium,
	References: []string{docOktaAppGroups, docGraphAssignment},
	Match:      fallbackMatch,
}
