-- The audit head's seal and the clean-close marker.
--
-- seal is the HMAC of the head under the workspace's key (kept in the OS
-- keychain, never here), written with every append; empty when the entry
-- was appended without the keychain (docs/audit-trail.md).
--
-- clean_close.marker is a random value the console writes as the last
-- change before it closes the file, and empties in the first write of every
-- session. The keychain remembers the marker with the file's size,
-- modification time and CRC-32C at that close, so opening can tell a file
-- untouched since (quick check) from one that changed (full integrity
-- check), and one whose bytes changed without any console writing it
-- (refused as damaged) (docs/audit-trail.md, "The workspace file itself").
-- workspace_id repeats the workspace's id as of that close: the record is
-- found by id, so a damaged id must not lead to the wrong record, or none.

-- +goose Up
ALTER TABLE audit_head ADD COLUMN seal TEXT NOT NULL DEFAULT '';

CREATE TABLE clean_close (
    singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
    marker       TEXT NOT NULL,
    workspace_id TEXT NOT NULL
) STRICT;

INSERT INTO clean_close (singleton, marker, workspace_id) VALUES (1, '', '');
