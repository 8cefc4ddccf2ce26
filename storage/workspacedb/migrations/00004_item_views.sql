-- Typed item views (engine/inventory/view.go) stored beside the raw
-- payload, and a search index that covers them.
--
-- Items written before views exist keep view NULL until the console
-- rebuilds it from the raw payload when it opens the workspace
-- (inventory.Service.BuildMissingViews). Their normalized fields stay, as
-- legacy_attributes, because the rebuild needs a few facts the raw payload
-- of the item alone lacks (an Okta SAML app's signing certificate came from
-- another page); rows written since hold '{}' there.

-- +goose Up
ALTER TABLE items RENAME COLUMN attributes TO legacy_attributes;
ALTER TABLE items ADD COLUMN view TEXT CHECK (view IS NULL OR json_valid(view));
CREATE INDEX items_without_view ON items (id) WHERE view IS NULL;

-- The index is rebuilt as a contentless table that accepts deletes by
-- rowid, so an item whose view is rebuilt or completed is re-indexed. Until
-- then an item is found by its legacy fields' values, as before.
DROP TABLE items_fts;
CREATE VIRTUAL TABLE items_fts USING fts5 (
    display_name, source_id, subtype, view,
    content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO items_fts (rowid, display_name, source_id, subtype, view)
SELECT i.id, i.display_name, i.source_id, i.subtype,
       coalesce((SELECT group_concat(t.value, ' ') FROM json_tree(i.legacy_attributes) t WHERE t.type = 'text'), '')
FROM items i;
