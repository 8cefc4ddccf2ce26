-- Inventory snapshots, their normalized items and the raw evidence pages.
-- A page body is stored once per distinct SHA-256 and referred to by every
-- page that returned it; items refer to the page they came from.

-- +goose Up
CREATE TABLE snapshots (
    pk           INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    source_id    TEXT NOT NULL REFERENCES sources (id),
    source_name  TEXT NOT NULL,
    source_kind  TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('collecting', 'completed', 'failed')),
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    heartbeat_at TEXT NOT NULL,
    owner        TEXT NOT NULL,
    counts       TEXT NOT NULL CHECK (json_valid(counts)),
    item_count   INTEGER NOT NULL,
    page_count   INTEGER NOT NULL,
    error        TEXT NOT NULL
) STRICT;

-- One collection per source at a time, across processes.
CREATE UNIQUE INDEX snapshots_one_collecting ON snapshots (source_id) WHERE status = 'collecting';

CREATE TABLE page_bodies (
    sha256 TEXT PRIMARY KEY,
    body   BLOB NOT NULL
) STRICT;

CREATE TABLE evidence_pages (
    snapshot_id TEXT NOT NULL REFERENCES snapshots (id),
    page_id     INTEGER NOT NULL,
    domain      TEXT NOT NULL,
    method      TEXT NOT NULL,
    endpoint    TEXT NOT NULL,
    query       TEXT NOT NULL,
    page_number INTEGER NOT NULL,
    status      INTEGER NOT NULL,
    fetched_at  TEXT NOT NULL,
    bytes       INTEGER NOT NULL,
    sha256      TEXT NOT NULL REFERENCES page_bodies (sha256),
    PRIMARY KEY (snapshot_id, page_id)
) STRICT;

CREATE TABLE items (
    id            INTEGER PRIMARY KEY,
    snapshot_id   TEXT NOT NULL REFERENCES snapshots (id),
    kind          TEXT NOT NULL,
    source_id     TEXT NOT NULL,
    subtype       TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    attributes    TEXT NOT NULL CHECK (json_valid(attributes)),
    refs          TEXT NOT NULL CHECK (json_valid(refs)),
    raw           BLOB NOT NULL,
    evidence_page INTEGER NOT NULL,
    UNIQUE (snapshot_id, kind, source_id)
) STRICT;

CREATE INDEX items_by_name ON items (snapshot_id, display_name COLLATE NOCASE);
CREATE INDEX items_by_kind ON items (snapshot_id, kind, display_name COLLATE NOCASE);

-- Full-text search over what a consultant types into the filter box. The
-- index holds no copy of the text (content=''); its rowid is items.id.
CREATE VIRTUAL TABLE items_fts USING fts5 (
    display_name, source_id, subtype, attributes,
    content = '', tokenize = 'unicode61 remove_diacritics 2'
);
