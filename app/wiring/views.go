package wiring

import (
	"github.com/portal-id/migration-console/engine/entra"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/okta"
	"github.com/portal-id/migration-console/engine/workspace"
)

// viewBuilders rebuild, by source kind, the typed views of items a
// workspace stored before views existed (schema 3 and older); Open runs
// them, so such a workspace reads like a new one.
var viewBuilders = map[workspace.SourceKind]inventory.ViewBuilder{
	workspace.KindOkta:  okta.RebuildView,
	workspace.KindEntra: entra.RebuildView,
}
