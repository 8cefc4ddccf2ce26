-- Cutover plans and their steps, execution runs (apply and rollback) with
-- their per-step journal, and post-cutover probe results
-- (docs/migration-contract.md, "Cutover"). A plan's steps are data: each is
-- stored whole as JSON, with the columns lists and checks need. The
-- journal is written before and after every request a run sends.

-- +goose Up
CREATE TABLE cutover_plans (
    pk                 INTEGER PRIMARY KEY,
    id                 TEXT NOT NULL UNIQUE,
    source_id          TEXT NOT NULL,
    source_name        TEXT NOT NULL,
    source_kind        TEXT NOT NULL,
    snapshot_id        TEXT NOT NULL REFERENCES snapshots (id),
    assessment_run_id  TEXT NOT NULL REFERENCES assessment_runs (id),
    mode               TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('draft', 'previewed', 'applied', 'applied_with_follow_up', 'failed')),
    created_at         TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    rebuilds           INTEGER NOT NULL,
    step_count         INTEGER NOT NULL,
    binds              INTEGER NOT NULL,
    unplanned          INTEGER NOT NULL,
    counts             TEXT NOT NULL CHECK (json_valid(counts)),
    kind_counts        TEXT NOT NULL CHECK (json_valid(kind_counts)),
    steps_digest       TEXT NOT NULL,
    review             TEXT NOT NULL CHECK (json_valid(review)),
    -- The current preview, NULL while draft. Only the token's SHA-256 is
    -- kept: the token is shown once.
    preview            TEXT CHECK (preview IS NULL OR json_valid(preview)),
    preview_token_hash TEXT
) STRICT;

CREATE TABLE cutover_steps (
    plan_id     TEXT NOT NULL REFERENCES cutover_plans (id),
    seq         INTEGER NOT NULL,
    id          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('create', 'bind')),
    disposition TEXT NOT NULL CHECK (disposition IN ('planned', 'manual_follow_up', 'blocked', 'skipped')),
    step        TEXT NOT NULL CHECK (json_valid(step)),
    PRIMARY KEY (plan_id, seq),
    UNIQUE (plan_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE cutover_runs (
    pk           INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    plan_id      TEXT NOT NULL REFERENCES cutover_plans (id),
    kind         TEXT NOT NULL CHECK (kind IN ('apply', 'rollback')),
    status       TEXT NOT NULL CHECK (status IN ('started', 'completed', 'completed_with_follow_up', 'failed')),
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    heartbeat_at TEXT NOT NULL,
    owner        TEXT NOT NULL,
    resumes      INTEGER NOT NULL,
    error        TEXT NOT NULL,
    counts       TEXT NOT NULL CHECK (json_valid(counts)),
    forced       TEXT NOT NULL CHECK (json_valid(forced))
) STRICT;

-- One started run (apply or rollback) per workspace, across processes.
CREATE UNIQUE INDEX cutover_runs_one_started ON cutover_runs (status) WHERE status = 'started';
CREATE INDEX cutover_runs_by_plan ON cutover_runs (plan_id, pk);

CREATE TABLE cutover_journal (
    run_id              TEXT NOT NULL REFERENCES cutover_runs (id),
    step                INTEGER NOT NULL,
    state               TEXT NOT NULL CHECK (state IN ('intent', 'applied', 'failed', 'blocked', 'skipped',
                                                       'manual_follow_up', 'deleted', 'gone', 'refused')),
    intent_at           TEXT,
    result_at           TEXT,
    target_id           TEXT NOT NULL,
    etag                TEXT NOT NULL,
    how                 TEXT NOT NULL,
    attempts            INTEGER NOT NULL,
    reason              TEXT NOT NULL,
    runtime             INTEGER NOT NULL CHECK (runtime IN (0, 1)),
    -- Whether the Portal issued a client secret and when it reached the
    -- operator; the secret itself is never stored.
    secret_issued       INTEGER NOT NULL CHECK (secret_issued IN (0, 1)),
    secret_delivered_at TEXT,
    secret_rotations    INTEGER NOT NULL,
    PRIMARY KEY (run_id, step)
) STRICT, WITHOUT ROWID;

CREATE TABLE cutover_probes (
    pk           INTEGER PRIMARY KEY,
    plan_id      TEXT NOT NULL REFERENCES cutover_plans (id),
    probe_run_id TEXT NOT NULL,
    at           TEXT NOT NULL,
    check_name   TEXT NOT NULL,
    step         INTEGER NOT NULL,
    step_id      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    target_id    TEXT NOT NULL,
    subject      TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('pass', 'warn', 'fail', 'skipped')),
    detail       TEXT NOT NULL
) STRICT;

CREATE INDEX cutover_probes_by_plan ON cutover_probes (plan_id, pk);

-- +goose Down
DROP TABLE cutover_probes;
DROP TABLE cutover_journal;
DROP TABLE cutover_runs;
DROP TABLE cutover_steps;
DROP TABLE cutover_plans;
