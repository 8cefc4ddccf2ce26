// Package cutover is the cutover stage: plans, preview against the live
// target, crash-safe apply, resume, rollback and post-cutover probes
// (docs/migration-contract.md, "Cutover"; docs/architecture.md for the
// layout).
//
// # Plans are data
//
// Like terraform's plans, a cutover plan is plain data apart from the code
// that applies it: the plan (source, snapshot, assessment run, the merge
// decisions and acknowledgements it rests on, the preview) and its steps
// (package steps), each with its kind, create or bind, disposition
// (planned, manual_follow_up, blocked, skipped) with the reason and the rule
// or decision behind it, the steps it depends on, and the exact request its
// create sends. Create and Rebuild compute them from the assessment's
// results and the merge decisions; every item that moves, or that a person
// must handle, is one step; visibility-only items are counted, not planned.
//
// # Preview, apply, resume
//
// Preview reads the live target and refuses on drift (a mapped object
// gone or changed, a new collision), naming each; otherwise it mints a
// token bound to the steps, the target state it read and the review, valid
// for PreviewTTL. Apply needs that token and re-reads the target; it takes
// the workspace's one run slot (a unique index, so across processes) and
// journals every step durably before its request (intent) and after its
// answer (target id, ETag, time), sending each create with an idempotency
// key derived from the workspace, plan and step. A step whose answer is
// lost stays in doubt; Resume sends it again with the same key (the Portal
// answers with the object it made) and, past the Portal's idempotency
// window, finds it by its natural key. Nothing is lost or done twice.
// Cancelling stops after the current step; a killed process leaves a run
// whose heartbeat stops: both are interrupted and resumable.
//
// Generated OIDC client secrets reach the operator through
// ApplyOptions.OnSecret and are never stored; the journal records only that
// one was issued and when it was delivered. A secret that never reached
// the operator (the process died first) is rotated on resume.
//
// # Rollback and probes
//
// RollbackPreview lists exactly the objects the apply created, newest
// first, by the ids and ETags it recorded, refusing any changed since
// unless forced; mapped objects are never touched. RollbackApply executes
// it with the same journal. Probe reads back what apply created, checks
// provider certificates and where each routed domain resolves, and stores
// the results as evidence.
//
// Service.AppliedPlan is the check merge review calls so a decision a
// plan acted on cannot change.
package cutover
