package workspacedb

import "github.com/portal-id/migration-console/engine/readiness"

var _ readiness.Tx = (*Tx)(nil)

// ReadinessStore serves the workspace summary from db: every stage's status
// query in one read transaction.
func ReadinessStore(db *DB) readiness.Store {
	return NewStage(db, func(t *Tx) readiness.Tx { return t })
}
