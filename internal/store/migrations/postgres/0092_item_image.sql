-- An inbox item's lead image, as its feed or page names it (an absolute
-- address at the outlet), shown beside the item in the inbox; empty when
-- there is none.
ALTER TABLE source_items ADD COLUMN image_url TEXT NOT NULL DEFAULT '';
