-- +goose Up
-- Every API object, as its JSON representation. seq orders lists and
-- cursors; ids are unique per tenant.
CREATE TABLE objects (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    id          TEXT NOT NULL,
    etag        TEXT NOT NULL,
    body        BLOB NOT NULL,
    -- hex SHA-256 of an application's client secret; never the secret
    secret_hash TEXT NOT NULL DEFAULT '',
    UNIQUE (tenant, id)
);
CREATE INDEX objects_by_kind ON objects (tenant, kind, seq);

-- Keys no two objects of one tenant and kind may share (names, emails,
-- routed domains).
CREATE TABLE unique_keys (
    tenant    TEXT NOT NULL,
    kind      TEXT NOT NULL,
    key       TEXT NOT NULL,
    object_id TEXT NOT NULL,
    PRIMARY KEY (tenant, kind, key),
    FOREIGN KEY (tenant, object_id) REFERENCES objects (tenant, id) ON DELETE CASCADE
);
CREATE INDEX unique_keys_by_object ON unique_keys (tenant, object_id);

-- Which object depends on which: a referenced object cannot be deleted.
CREATE TABLE refs (
    tenant  TEXT NOT NULL,
    from_id TEXT NOT NULL,
    to_id   TEXT NOT NULL,
    PRIMARY KEY (tenant, from_id, to_id),
    FOREIGN KEY (tenant, from_id) REFERENCES objects (tenant, id) ON DELETE CASCADE
);
CREATE INDEX refs_by_target ON refs (tenant, to_id);

-- Admin API tokens by SHA-256; the plaintext is never stored.
CREATE TABLE tokens (
    hash            TEXT PRIMARY KEY,
    tenant          TEXT NOT NULL,
    actor           TEXT NOT NULL,
    session_context TEXT NOT NULL,
    permissions     TEXT NOT NULL, -- JSON array
    expires_at      INTEGER        -- unix nanoseconds; NULL never expires
);

-- Stored answers to creates, replayed for 24 hours.
CREATE TABLE idempotency (
    tenant       TEXT NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status       INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    etag         TEXT NOT NULL,
    body         BLOB NOT NULL,
    created_at   INTEGER NOT NULL, -- unix nanoseconds
    PRIMARY KEY (tenant, key)
);
CREATE INDEX idempotency_by_age ON idempotency (created_at);

-- +goose Down
DROP TABLE idempotency;
DROP TABLE tokens;
DROP TABLE refs;
DROP TABLE unique_keys;
DROP TABLE objects;
