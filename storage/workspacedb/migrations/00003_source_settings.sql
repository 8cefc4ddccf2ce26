-- Sources of any kind the vendor registry knows. The kind is no longer
-- checked against a fixed list (a new incumbent is a new vendor package,
-- not a new schema), and the settings column holds the vendor's own JSON
-- document, validated in code when the source is added.
--
-- SQLite cannot drop a CHECK constraint, so the table is rebuilt. Snapshots
-- refer to sources by id: the foreign key checks are deferred to the end of
-- this migration's transaction, and every source row is back, under the
-- same id and pk, before it ends.

-- +goose Up
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE sources_before AS SELECT * FROM sources;

DROP TABLE sources;

-- pk keeps insertion order ("oldest first") independent of the text times.
CREATE TABLE sources (
    pk                INTEGER PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    workspace_id      TEXT NOT NULL REFERENCES workspace (id),
    name              TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind <> ''),
    status            TEXT NOT NULL,
    settings          TEXT NOT NULL CHECK (json_valid(settings) AND json_type(settings) = 'object'),
    created_at        TEXT NOT NULL,
    archived_at       TEXT,
    last_inventory_at TEXT,
    UNIQUE (workspace_id, name)
) STRICT;

INSERT INTO sources (pk, id, workspace_id, name, kind, status, settings, created_at, archived_at, last_inventory_at)
SELECT pk, id, workspace_id, name, kind, status, settings, created_at, archived_at, last_inventory_at
FROM sources_before ORDER BY pk;

DROP TABLE sources_before;

-- Up to schema 2 the file wrote every optional setting, empty or not
-- ("client_id": "", "scopes": null). A vendor's settings document leaves
-- them out, and a source reads the same either way: drop them, so a source
-- from an older file is shown exactly as one added today.
UPDATE sources SET settings = json_remove(settings, '$.client_id')
WHERE json_type(settings, '$.client_id') = 'text' AND json_extract(settings, '$.client_id') = '';
UPDATE sources SET settings = json_remove(settings, '$.scopes')
WHERE json_type(settings, '$.scopes') = 'null'
   OR (json_type(settings, '$.scopes') = 'array' AND json_array_length(settings, '$.scopes') = 0);
UPDATE sources SET settings = json_remove(settings, '$.graph_url')
WHERE json_type(settings, '$.graph_url') = 'text' AND json_extract(settings, '$.graph_url') = '';
UPDATE sources SET settings = json_remove(settings, '$.authority_url')
WHERE json_type(settings, '$.authority_url') = 'text' AND json_extract(settings, '$.authority_url') = '';
