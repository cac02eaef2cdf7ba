-- A republished post's provenance beyond the attribution: the original's
-- headline (structured data's isBasedOn), and the outlet's feed that
-- carried it, with that feed's title (the post's <source> in our feeds).
-- Empty when unknown (a post written by hand, an article republished from
-- its address).
ALTER TABLE posts ADD COLUMN source_title TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN source_feed TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN source_feed_title TEXT NOT NULL DEFAULT '';
-- The feed an inbox item came from; empty for an article republished
-- from its address.
ALTER TABLE source_items ADD COLUMN feed_url TEXT NOT NULL DEFAULT '';
