-- The progressive SSO rollout: its settings, the waves with their frozen
-- members, every previewed run with the journal of its steps, and the
-- role mapping with its elevation approvals. The live users stay in the
-- Portal; a step's object is the user or configuration as last read or
-- written, the base of the next conditional write.

-- +goose Up
CREATE TABLE rollout_settings (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    settings  TEXT NOT NULL CHECK (json_valid(settings))
) STRICT;

CREATE TABLE rollout_waves (
    pk           INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL CHECK (kind IN ('pilot', 'wave')),
    selection    TEXT NOT NULL,
    criteria     TEXT NOT NULL CHECK (json_valid(criteria)),
    status       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    started_at   TEXT,
    finished_at  TEXT,
    member_count INTEGER NOT NULL
) STRICT;

CREATE TABLE rollout_wave_members (
    wave_id   TEXT NOT NULL REFERENCES rollout_waves (id),
    pos       INTEGER NOT NULL,
    user_id   TEXT NOT NULL,
    label     TEXT NOT NULL,
    set_email TEXT NOT NULL,
    PRIMARY KEY (wave_id, pos)
) STRICT;

CREATE TABLE rollout_runs (
    pk           INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    op           TEXT NOT NULL CHECK (op IN ('wave', 'enforce', 'rollback', 'scim')),
    wave_id      TEXT NOT NULL,
    status       TEXT NOT NULL,
    token        TEXT NOT NULL,
    previewed_at TEXT NOT NULL,
    started_at   TEXT,
    finished_at  TEXT,
    options      TEXT NOT NULL CHECK (json_valid(options)),
    counts       TEXT NOT NULL CHECK (json_valid(counts))
) STRICT;

-- One row per step: its journal entry, rewritten before each request
-- (state sending) and after each answer.
CREATE TABLE rollout_steps (
    run_id     TEXT NOT NULL REFERENCES rollout_runs (id),
    seq        INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    target_id  TEXT NOT NULL,
    label      TEXT NOT NULL,
    from_value TEXT NOT NULL,
    to_value   TEXT NOT NULL,
    set_email  TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('planned', 'refused', 'sending', 'applied', 'failed', 'skipped')),
    reason     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    etag       TEXT NOT NULL,
    object     BLOB,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
) STRICT;
CREATE INDEX rollout_steps_by_target ON rollout_steps (target_id);

CREATE TABLE rollout_role_mapping (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    mapping   TEXT NOT NULL CHECK (json_valid(mapping))
) STRICT;
