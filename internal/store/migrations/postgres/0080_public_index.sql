-- Readers' listings and the lists of every public entry are read from
-- indexes alone. The posts table's rows hold whole bodies, about one row to
-- a page, so looking each listed post up in it cost a page read per post.
--
-- A listing (the front page, a date archive) names each post's version by
-- its last update: posts_listing now holds it.
DROP INDEX posts_listing;
CREATE INDEX posts_listing ON posts (kind, status, published_at DESC, id DESC, updated_at);
-- Every entry readers may see, newest first, with what names its address
-- and when it last changed: the export's list of pages and the sitemaps.
CREATE INDEX posts_public ON posts (status, published_at DESC, id DESC, kind, slug, updated_at);
