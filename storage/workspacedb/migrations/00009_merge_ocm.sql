-- Merge review and OCM acknowledgement (docs/migration-contract.md,
-- "Merge decisions" and "OCM acknowledgement").

-- +goose Up

-- What overlap detection read of the live target for one assessment run:
-- whether it was read, live counts and a few names per noun, and the
-- overlaps of items that do not move (shown, not decided).
CREATE TABLE merge_scans (
    run_id          TEXT PRIMARY KEY REFERENCES assessment_runs (id),
    mode            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('read', 'not_configured', 'failed')),
    reason          TEXT NOT NULL,
    target_url      TEXT NOT NULL,
    counts          TEXT NOT NULL CHECK (json_valid(counts)),
    samples         TEXT NOT NULL CHECK (json_valid(samples)),
    decisions       INTEGER NOT NULL,
    unmoved         INTEGER NOT NULL,
    unmoved_samples TEXT NOT NULL CHECK (json_valid(unmoved_samples)),
    read_at         TEXT NOT NULL
) STRICT;

-- Every provider, group and application name the run read, by its
-- comparison key, so create_new is checked against the live state as read.
CREATE TABLE merge_live_names (
    run_id    TEXT NOT NULL REFERENCES assessment_runs (id),
    noun      TEXT NOT NULL,
    name_key  TEXT NOT NULL,
    target_id TEXT NOT NULL,
    name      TEXT NOT NULL,
    PRIMARY KEY (run_id, noun, name_key, target_id)
) STRICT, WITHOUT ROWID;

-- One row per incumbent item of a run that collides with live state.
-- matched_resources holds each live object as read (id, name, ETag,
-- evidence, the object). A row is updated when it is decided; every
-- decision is also appended to merge_decision_history.
CREATE TABLE merge_decisions (
    pk                INTEGER PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    run_id            TEXT NOT NULL REFERENCES assessment_runs (id),
    source_id         TEXT NOT NULL,
    source_kind       TEXT NOT NULL,
    item_id           INTEGER NOT NULL REFERENCES items (id),
    kind              TEXT NOT NULL,
    item_source_id    TEXT NOT NULL,
    display_name      TEXT NOT NULL,
    class             TEXT NOT NULL,
    noun              TEXT NOT NULL,
    match_types       TEXT NOT NULL CHECK (json_valid(match_types)),
    matched_resources TEXT NOT NULL CHECK (json_valid(matched_resources)),
    status            TEXT NOT NULL CHECK (status IN ('pending', 'resolved')),
    resolution        TEXT NOT NULL CHECK (resolution IN ('', 'map_to_existing', 'create_new', 'skip')),
    target_id         TEXT NOT NULL,
    new_name          TEXT NOT NULL,
    note              TEXT NOT NULL,
    resolved_by       TEXT NOT NULL,
    resolved_at       TEXT,
    created_at        TEXT NOT NULL,
    carried_from      TEXT NOT NULL,
    CHECK ((status = 'pending') = (resolution = '')),
    CHECK ((resolution = 'map_to_existing') = (target_id <> '')),
    UNIQUE (run_id, kind, item_source_id)
) STRICT;

CREATE INDEX merge_decisions_by_run ON merge_decisions (run_id, status, kind, display_name);

CREATE TABLE merge_decision_history (
    decision_id  TEXT NOT NULL REFERENCES merge_decisions (id),
    seq          INTEGER NOT NULL,
    resolution   TEXT NOT NULL,
    target_id    TEXT NOT NULL,
    new_name     TEXT NOT NULL,
    note         TEXT NOT NULL,
    actor        TEXT NOT NULL,
    at           TEXT NOT NULL,
    carried_from TEXT NOT NULL,
    PRIMARY KEY (decision_id, seq)
) STRICT, WITHOUT ROWID;

-- OCM acknowledgement lives on the assessment's own impact rows: no second
-- object. ack_items is the fingerprint of the items the acknowledgement
-- covered; carried_from the run it was first given in.
ALTER TABLE assessment_impacts ADD COLUMN ack_status TEXT NOT NULL DEFAULT 'pending'
    CHECK (ack_status IN ('pending', 'acknowledged', 'needs_review'));
ALTER TABLE assessment_impacts ADD COLUMN acked_by TEXT NOT NULL DEFAULT '';
ALTER TABLE assessment_impacts ADD COLUMN acked_at TEXT;
ALTER TABLE assessment_impacts ADD COLUMN ack_note TEXT NOT NULL DEFAULT '';
ALTER TABLE assessment_impacts ADD COLUMN ack_items TEXT NOT NULL DEFAULT '';
ALTER TABLE assessment_impacts ADD COLUMN ack_carried_from TEXT NOT NULL DEFAULT '';
ALTER TABLE assessment_impacts ADD COLUMN ack_review_reason TEXT NOT NULL DEFAULT '';
