-- The workspace, its incumbent sources and the audit trail.
-- Times are RFC 3339 UTC text with nanoseconds, the form the audit hash is
-- computed over, so a stored entry rehashes to the same value.
-- No column holds a credential: those live in the OS keychain.

-- +goose Up
CREATE TABLE workspace (
    singleton              INTEGER PRIMARY KEY CHECK (singleton = 1),
    id                     TEXT NOT NULL UNIQUE,
    tenant                 TEXT NOT NULL,
    mode                   TEXT NOT NULL,
    status                 TEXT NOT NULL,
    target_url             TEXT NOT NULL,
    target_tenant_id       TEXT NOT NULL,
    target_session_context TEXT NOT NULL,
    target_permissions     TEXT CHECK (target_permissions IS NULL OR json_valid(target_permissions)),
    target_connected_at    TEXT,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
) STRICT;

-- pk keeps insertion order ("oldest first") independent of the text times.
CREATE TABLE sources (
    pk                INTEGER PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    workspace_id      TEXT NOT NULL REFERENCES workspace (id),
    name              TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('okta', 'entra')),
    status            TEXT NOT NULL,
    settings          TEXT NOT NULL CHECK (json_valid(settings)),
    created_at        TEXT NOT NULL,
    archived_at       TEXT,
    last_inventory_at TEXT,
    UNIQUE (workspace_id, name)
) STRICT;

CREATE TABLE audit_entries (
    seq       INTEGER PRIMARY KEY CHECK (seq > 0),
    at        TEXT NOT NULL,
    event     TEXT NOT NULL,
    tenant    TEXT NOT NULL,
    actor     TEXT NOT NULL,
    target_id TEXT NOT NULL,
    facts     TEXT NOT NULL CHECK (json_valid(facts)),
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;

-- The head is kept apart from the trail so removing entries from its end is
-- detected; AppendAudit moves it in the same transaction as the insert.
CREATE TABLE audit_head (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    seq       INTEGER NOT NULL,
    hash      TEXT NOT NULL
) STRICT;

INSERT INTO audit_head (singleton, seq, hash) VALUES (1, 0, '');
