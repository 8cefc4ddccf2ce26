-- Vendor secrets are redacted from the evidence before it is stored
-- (docs/evidence.md). A page body stays keyed by the SHA-256 of the bytes as
-- received; stored_sha256 is the digest of the body as stored (redacted) and
-- redactions the record of what was replaced (JSON pointers, rule, keyed
-- digest). Rows written before this version have both NULL: the console
-- redacts them in Go the next time the workspace is opened with its keychain
-- (the digests are keyed by the workspace key), and marks each snapshot
-- whose items it has redacted. Snapshots made from now on are redacted at
-- collection, hence the default.

-- +goose Up
ALTER TABLE page_bodies ADD COLUMN stored_sha256 TEXT;
ALTER TABLE page_bodies ADD COLUMN redactions TEXT CHECK (redactions IS NULL OR json_valid(redactions));
ALTER TABLE snapshots ADD COLUMN secrets_redacted INTEGER NOT NULL DEFAULT 1 CHECK (secrets_redacted IN (0, 1));
UPDATE snapshots SET secrets_redacted = 0;
