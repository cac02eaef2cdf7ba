-- Each link also carries its post's last update, rewritten with the links on
-- every write of the post, and the archives' listing indexes hold it: an
-- archive's page names its posts' versions from its links alone, without
-- looking each post up in the posts table, whose rows hold whole bodies.
ALTER TABLE post_terms ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE post_authors ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
UPDATE post_terms SET updated_at = (SELECT p.updated_at FROM posts p WHERE p.id = post_terms.post_id);
UPDATE post_authors SET updated_at = (SELECT p.updated_at FROM posts p WHERE p.id = post_authors.post_id);
DROP INDEX post_terms_listing;
CREATE INDEX post_terms_listing ON post_terms (term_id, kind, status, published_at DESC, post_id DESC, updated_at);
DROP INDEX post_authors_listing;
CREATE INDEX post_authors_listing ON post_authors (user_id, kind, status, published_at DESC, post_id DESC, updated_at);
