// Package assessment is the compatibility assessment stage: every item of
// a completed inventory snapshot gets exactly one class, decided by a named
// rule of a versioned catalogue, with the contract's per-item fields
// (target contract, rationale, approximation notes, blocked reason,
// operator and user impact), every rule that matched (findings), and the
// OCM impacts the rules raise (docs/migration-contract.md, "Assessment").
//
// # Runs
//
// Service.Run (or RunSource) assesses one completed snapshot: the run is
// durable as assessing before the first item is read, and ends completed
// only once every result, impact row and contributor row is persisted, or
// failed with its reason (a cancelled or killed run included: a run whose
// heartbeat stops is shown failed). One run per snapshot may be assessing at
// a time, across processes; reruns add runs, never overwrite. Items are read
// a page at a time in dependency order (Layers) and results written in
// batched transactions, so a snapshot of a million items assesses with a
// flat heap. Runs emit migration.assessment.completed or .failed.
//
// # Rules
//
// A Rule is data plus a Match function; the catalogue (engine/assessment/
// rules, one explicit list) is validated by NewCatalogue and versioned by
// its semantic version and a digest of every rule's data
// (ClassifierVersion). Classify documents how the deciding rule is chosen:
// most restrictive class first (blocked > manual_rebuild_required >
// visibility_only > import_with_approximation > native_import), then a rule
// that proves the item fits before one that only annotates, then rule id.
// No item is native_import unless a proving rule matched it; an item no
// deciding rule matches falls to its kind's conservative fallback.
//
// # Queries the GUI uses
//
//   - Runs(ctx), Get(ctx, id): the run history and one run (Counts,
//     KindCounts, ImpactCount, ClassifierVersion, Error); ClassChart(run)
//     and KindChart(run) are the donut and the class-by-kind bars as
//     chart.Spec, drawn with engine/report/chart.
//   - Results(ctx, ResultQuery): a window of item results filtered by class,
//     kind, rule (deciding or matched) and text, sorted, with a total, each
//     finding carrying its disposition; fast at 100,000 rows.
//   - Detail(ctx, runID, itemID): one item's result, the inventory item with
//     its raw payload, its evidence page (SHA-256) and the rules of its
//     findings.
//   - Impacts(ctx, ImpactQuery): the run's OCM impact rows with the items
//     they touch; Impact.Key is stable across runs (acknowledgements carry
//     over by it).
//   - Readiness(ctx, runID): the roll-up per kind and per application (its
//     assignments, provider and routing), with dispositions applied.
//   - Dispose(ctx, DisposeRequest): the what-if on one finding (will fix,
//     risk accepted, not applicable; note, owner, review date); it changes
//     the roll-up, never the verdict, and is audited.
//   - Changes(ctx, runID, limit): what changed since the source's previous
//     completed run; DiffRuns(ctx, from, to, limit) compares any two.
//   - Run(ctx, snapshotID, progress) with a cancellable context: progress
//     is reported about ten times a second.
//
// ReadStatus is the stage's read-only status query for the workspace
// summary. Contributors (Contributor) add their own rows to a run before it
// completes: merge-mode overlap detection plugs in there.
package assessment
