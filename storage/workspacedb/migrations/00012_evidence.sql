-- Post-cutover evidence: the rollback guidance and completion evidence an
-- operator records on a cutover plan (docs/evidence.md, "Post-cutover
-- evidence"). One row per plan, keyed by the cutover stage's plan id; the
-- handoff criteria are derived on every read and have no column.

-- +goose Up
CREATE TABLE cutover_evidence (
    plan_id               TEXT PRIMARY KEY,
    rollback              TEXT NOT NULL CHECK (json_valid(rollback)),
    rollback_updated_at   TEXT,
    rollback_updated_by   TEXT NOT NULL,
    completion            TEXT NOT NULL CHECK (json_valid(completion)),
    completion_updated_at TEXT,
    completion_updated_by TEXT NOT NULL
) STRICT;
