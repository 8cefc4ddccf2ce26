-- Compatibility assessment runs of completed snapshots, their per-item
-- results, OCM impact rows and the consultant's what-if dispositions
-- (docs/migration-contract.md, "Assessment"). Runs are never overwritten:
-- a rerun adds a run.

-- +goose Up
CREATE TABLE assessment_runs (
    pk                       INTEGER PRIMARY KEY,
    id                       TEXT NOT NULL UNIQUE,
    snapshot_id              TEXT NOT NULL REFERENCES snapshots (id),
    source_id                TEXT NOT NULL,
    source_name              TEXT NOT NULL,
    source_kind              TEXT NOT NULL,
    status                   TEXT NOT NULL CHECK (status IN ('assessing', 'completed', 'failed')),
    started_at               TEXT NOT NULL,
    finished_at              TEXT,
    heartbeat_at             TEXT NOT NULL,
    owner                    TEXT NOT NULL,
    classifier_version       TEXT NOT NULL,
    catalogue_version        TEXT NOT NULL,
    counts                   TEXT NOT NULL CHECK (json_valid(counts)),
    kind_counts              TEXT NOT NULL CHECK (json_valid(kind_counts)),
    impact_counts            TEXT NOT NULL CHECK (json_valid(impact_counts)),
    item_count               INTEGER NOT NULL,
    impact_count             INTEGER NOT NULL,
    unavoidable_change_count INTEGER NOT NULL,
    carried_dispositions     INTEGER NOT NULL,
    error                    TEXT NOT NULL
) STRICT;

-- One assessing run per snapshot, across processes.
CREATE UNIQUE INDEX assessment_runs_one_assessing ON assessment_runs (snapshot_id) WHERE status = 'assessing';

-- One row per item and run. findings holds every matched rule with its
-- filled-in texts; the item-level fields (target, rationale, notes, blocked
-- reason, impact levels) are derived from them on read, the way the
-- classifier derived them. class_rank orders most restrictive first.
CREATE TABLE assessment_results (
    pk           INTEGER PRIMARY KEY,
    run_id       TEXT NOT NULL REFERENCES assessment_runs (id),
    item_id      INTEGER NOT NULL REFERENCES items (id),
    kind         TEXT NOT NULL,
    source_id    TEXT NOT NULL,
    subtype      TEXT NOT NULL,
    display_name TEXT NOT NULL,
    class        TEXT NOT NULL CHECK (class IN ('native_import', 'import_with_approximation', 'visibility_only',
                                                'manual_rebuild_required', 'blocked')),
    class_rank   INTEGER NOT NULL,
    rule_id      TEXT NOT NULL,
    app_key      TEXT NOT NULL,
    findings     TEXT NOT NULL CHECK (json_valid(findings)),
    UNIQUE (run_id, item_id)
) STRICT;

CREATE INDEX assessment_results_by_key ON assessment_results (run_id, kind, source_id);
CREATE INDEX assessment_results_by_class ON assessment_results (run_id, class_rank DESC, display_name COLLATE NOCASE);
CREATE INDEX assessment_results_by_app ON assessment_results (run_id, app_key, class) WHERE app_key <> '';
CREATE INDEX assessment_results_by_rule ON assessment_results (run_id, rule_id);

-- Findings other than the deciding one (whose rule is the result's
-- rule_id), so results can be filtered by any matched rule.
CREATE TABLE assessment_findings (
    run_id  TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    item_id INTEGER NOT NULL,
    PRIMARY KEY (run_id, rule_id, item_id)
) STRICT, WITHOUT ROWID;

-- OCM impact rows: one per distinct (rule, audience, severity, summary) in
-- a run. key is stable across runs (acknowledgements carry over by it);
-- ordinal numbers the row within its run for the item list below.
CREATE TABLE assessment_impacts (
    run_id     TEXT NOT NULL REFERENCES assessment_runs (id),
    ordinal    INTEGER NOT NULL,
    key        TEXT NOT NULL,
    rule_id    TEXT NOT NULL,
    audience   TEXT NOT NULL,
    severity   TEXT NOT NULL,
    summary    TEXT NOT NULL,
    item_count INTEGER NOT NULL,
    PRIMARY KEY (run_id, ordinal),
    UNIQUE (run_id, key)
) STRICT;

CREATE TABLE assessment_impact_items (
    run_id  TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    item_id INTEGER NOT NULL,
    PRIMARY KEY (run_id, ordinal, item_id)
) STRICT, WITHOUT ROWID;

-- Routing rules and policies conditioned on an application, for the
-- per-application readiness roll-up.
CREATE TABLE assessment_app_links (
    run_id        TEXT NOT NULL,
    app_source_id TEXT NOT NULL,
    item_id       INTEGER NOT NULL,
    PRIMARY KEY (run_id, app_source_id, item_id)
) STRICT, WITHOUT ROWID;

-- What-if dispositions of findings. They never change a verdict; a later
-- run of the same source carries one over while the finding (kind, source
-- id, rule, fingerprint) is unchanged, naming the run it came from.
CREATE TABLE assessment_dispositions (
    run_id       TEXT NOT NULL REFERENCES assessment_runs (id),
    item_id      INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    source_id    TEXT NOT NULL,
    rule_id      TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    disposition  TEXT NOT NULL CHECK (disposition IN ('will_fix', 'risk_accepted', 'not_applicable')),
    note         TEXT NOT NULL,
    owner        TEXT NOT NULL,
    review_date  TEXT NOT NULL,
    set_by       TEXT NOT NULL,
    set_at       TEXT NOT NULL,
    carried_from TEXT NOT NULL,
    PRIMARY KEY (run_id, item_id, rule_id)
) STRICT;
