// Package merge is merge review: in a merge_into_existing workspace, every
// incumbent item that collides with an object the live Portal tenant
// already holds gets a decision row, and a person decides each one
// (docs/migration-contract.md, "Merge decisions"; docs/merge-review.md for
// how overlaps are matched).
//
// Detector is an assessment contributor: when a run's results are
// persisted it reads the live target through the admin API (paged,
// bounded, with a deadline) and records the rows with their
// matched_resources (id, name, ETag and the object as read), plus a Scan
// of what the target held. Nothing is merged or replaced automatically.
//
// Service lists, shows (with a field-by-field diff computed with jsondiff
// on the typed views mapped to the Portal noun's shape) and resolves rows:
// pending → map_to_existing (one of the row's matched resources),
// create_new (refused while the name still collides with the live state as
// read) or skip, each with who, when and a note, kept in the row's history
// and audited as migration.merge_decision.resolved. A decision can change
// until a cutover plan of its run is applied (Plans). Nothing here writes to
// the target.
//
// ReadStatus is the stage's read-only status query for the workspace
// summary.
package merge
