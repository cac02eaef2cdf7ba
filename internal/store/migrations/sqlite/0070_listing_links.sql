-- An archive (a category's, a tag's, an author's posts, newest first) is a
-- walk of its links alone: each link carries its post's kind, status and
-- publication time, rewritten with the links on every write of the post,
-- and an index orders them as the listing does. Filtering the site-wide
-- listing by "is linked to this term" walked, for a tag with one post in
-- two hundred, two hundred posts for every one shown.
ALTER TABLE post_terms ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE post_terms ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE post_terms ADD COLUMN published_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE post_authors ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE post_authors ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE post_authors ADD COLUMN published_at INTEGER NOT NULL DEFAULT 0;
UPDATE post_terms SET kind = (SELECT p.kind FROM posts p WHERE p.id = post_terms.post_id),
    status = (SELECT p.status FROM posts p WHERE p.id = post_terms.post_id),
    published_at = (SELECT p.published_at FROM posts p WHERE p.id = post_terms.post_id);
UPDATE post_authors SET kind = (SELECT p.kind FROM posts p WHERE p.id = post_authors.post_id),
    status = (SELECT p.status FROM posts p WHERE p.id = post_authors.post_id),
    published_at = (SELECT p.published_at FROM posts p WHERE p.id = post_authors.post_id);
CREATE INDEX post_terms_listing ON post_terms (term_id, kind, status, published_at DESC, post_id DESC);
CREATE INDEX post_authors_listing ON post_authors (user_id, kind, status, published_at DESC, post_id DESC);
