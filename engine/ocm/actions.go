package ocm

import "github.com/portal-id/migration-console/engine/assessment"

// Action is what an impact asks of whom.
type Action struct {
	Kind  Kind
	Owner string
}

// byAudience is the action an impact asks of its audience unless an
// exception below says otherwise:
//   - end users act on nothing in the migration: the customer accepts the
//     change for them and tells them (acknowledgement);
//   - application owners must change their applications (configuration);
//   - administrators must rebuild or reconfigure something on one side
//     (configuration);
//   - the help desk must prepare scripts and staff for the change
//     (configuration).
var byAudience = map[assessment.Audience]Action{
	assessment.AudienceEndUsers:       {Acknowledgement, "customer change sponsor"},
	assessment.AudienceAppOwners:      {Configuration, "application owners"},
	assessment.AudienceAdministrators: {Configuration, "identity administrators"},
	assessment.AudienceHelpDesk:       {Configuration, "help desk lead"},
}

// exceptions are impacts whose wording asks the customer to accept a
// change rather than to act, by rule and audience: a security control the
// Portal does not enforce is accepted by the customer's security lead,
// since nobody can configure it back. One line per exception.
var exceptions = map[[2]string]Action{
	{"ANY-APP-OIDC-CLIENTAUTH-001", string(assessment.AudienceAdministrators)}: {Acknowledgement, "customer security lead"},
	{"ANY-POLICY-DEVICE-001", string(assessment.AudienceAdministrators)}:       {Acknowledgement, "customer security lead"},
	{"ANY-POLICY-NETWORK-001", string(assessment.AudienceAdministrators)}:      {Acknowledgement, "customer security lead"},
	{"ANY-POLICY-RISK-001", string(assessment.AudienceAdministrators)}:         {Acknowledgement, "customer security lead"},
}

// ActionOf is what impact asks of whom. An audience this build does not
// know is a configuration item for the customer's project lead: someone
// must look at it.
func ActionOf(ruleID string, audience assessment.Audience) Action {
	if a, ok := exceptions[[2]string{ruleID, string(audience)}]; ok {
		return a
	}
	if a, ok := byAudience[audience]; ok {
		return a
	}
	return Action{Configuration, "customer project lead"}
}
