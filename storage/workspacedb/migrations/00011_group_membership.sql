-- Incumbent group membership (docs/architecture.md, "Group membership"),
-- and the rollout's waves chosen by it.
--
-- A membership is a relation, not an item: each member is stored once per
-- snapshot (membership_principals), each group whose member listing was
-- read once (membership_groups), and each (group, member) pair as a row of
-- three integers (memberships), so 100,000 users in 5,000 groups stay small
-- and both "members of a group" and "groups of a person" are one index
-- lookup. A member's raw payload stays in its evidence page.

-- +goose Up
CREATE TABLE membership_groups (
    pk          INTEGER PRIMARY KEY,
    snapshot_id TEXT NOT NULL REFERENCES snapshots (id),
    group_id    TEXT NOT NULL,
    -- Direct members once the listing was read to its end; NULL while it
    -- is being read.
    members     INTEGER,
    UNIQUE (snapshot_id, group_id)
) STRICT;

CREATE TABLE membership_principals (
    pk            INTEGER PRIMARY KEY,
    snapshot_id   TEXT NOT NULL REFERENCES snapshots (id),
    source_id     TEXT NOT NULL,
    type          TEXT NOT NULL,
    vendor_type   TEXT NOT NULL,
    login         TEXT NOT NULL,
    email         TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    state         TEXT NOT NULL,
    vendor_status TEXT NOT NULL,
    -- Canonical email and login (Unicode NFC, case folded), what a person
    -- is looked up by.
    email_key     TEXT NOT NULL,
    login_key     TEXT NOT NULL,
    evidence_page INTEGER NOT NULL,
    UNIQUE (snapshot_id, source_id)
) STRICT;
CREATE INDEX membership_principals_by_email ON membership_principals (snapshot_id, email_key);
CREATE INDEX membership_principals_by_login ON membership_principals (snapshot_id, login_key);
-- A snapshot's members of one type in the order they were stored (the
-- rowid ends the index), without a sort.
CREATE INDEX membership_principals_by_type ON membership_principals (snapshot_id, type);

CREATE TABLE memberships (
    group_pk      INTEGER NOT NULL REFERENCES membership_groups (pk),
    principal_pk  INTEGER NOT NULL REFERENCES membership_principals (pk),
    evidence_page INTEGER NOT NULL,
    PRIMARY KEY (group_pk, principal_pk)
) STRICT, WITHOUT ROWID;
CREATE INDEX memberships_by_principal ON memberships (principal_pk, group_pk);

-- A wave chosen by incumbent group names the snapshot it read, each
-- member the incumbent identity and group path it was matched from, and
-- keeps the group's members it could not move: no Portal account (JIT will
-- create them at their first SSO login), an email two Portal accounts
-- share, no email, not active in the incumbent, not a person.
ALTER TABLE rollout_waves ADD COLUMN snapshot_id TEXT NOT NULL DEFAULT '';
ALTER TABLE rollout_wave_members ADD COLUMN matched_from TEXT NOT NULL DEFAULT '';

CREATE TABLE rollout_wave_unmatched (
    wave_id      TEXT NOT NULL REFERENCES rollout_waves (id),
    pos          INTEGER NOT NULL,
    incumbent_id TEXT NOT NULL,
    label        TEXT NOT NULL,
    via          TEXT NOT NULL,
    reason       TEXT NOT NULL,
    detail       TEXT NOT NULL,
    accounts     TEXT NOT NULL CHECK (json_valid(accounts)),
    PRIMARY KEY (wave_id, pos)
) STRICT;
