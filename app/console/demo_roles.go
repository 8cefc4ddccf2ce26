package main

import (
	"context"
	"fmt"

	"github.com/portal-id/migration-console/app/wiring"
	"github.com/portal-id/migration-console/engine/rollout"
)

// demoRoleRules is the role mapping the demo opens with, so the rollout's
// simulator has something to show per group and per user: engineers
// operate, the Okta org's admin console group would be made admin (an
// elevation nobody has approved yet), everyone else is a member.
var demoRoleRules = []rollout.RoleRule{
	{SourceAttribute: "groups", MatchValue: "Admin Center Administrators", Role: "admin"},
	{SourceAttribute: "groups", MatchValue: "Engineering", Role: "operator"},
}

// seedDemoRoleMapping records the demo's role mapping in the workspace (not
// on the SSO configuration: writing it is the consultant's step).
func seedDemoRoleMapping(ctx context.Context, w *wiring.Workspace) error {
	if _, err := w.Rollout.SetRoleMapping(ctx, demoRoleRules, "member"); err != nil {
		return fmt.Errorf("demo: role mapping: %w", err)
	}
	return nil
}
