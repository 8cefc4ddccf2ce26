package wiring

import (
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/vendor"
	"github.com/portal-id/migration-console/engine/workspace"
)

// viewBuilders rebuild, by source kind, the typed views of items a
// workspace stored before views existed (schema 3 and older); Open runs
// them, so such a workspace reads like a new one.
func viewBuilders(r vendor.Registry) map[workspace.SourceKind]inventory.ViewBuilder {
	out := map[workspace.SourceKind]inventory.ViewBuilder{}
	for _, v := range r.Vendors() {
		out[v.Kind()] = v.RebuildView
	}
	return out
}
