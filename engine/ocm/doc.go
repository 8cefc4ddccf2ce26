// Package ocm is the organisational-change-management stage: the OCM
// impact rows an assessment run raised, each marked an acknowledgement
// item (the customer accepts a change) or a configuration item (someone
// must act) with the owner of the action (ActionOf), grouped by audience
// and severity, and acknowledged one or many at a time with who, when and
// a note (docs/migration-contract.md, "OCM acknowledgement").
//
// An acknowledgement updates the run's existing impact row; there is no
// second object. It is audited as migration.ocm_impacts.acknowledged.
// Carrier, an assessment contributor, carries acknowledgements over to a
// rerun where the impact is unchanged and flags the rows where it changed
// as needing review.
//
// ReadStatus is the stage's read-only status query for the workspace
// summary.
package ocm
