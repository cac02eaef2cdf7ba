-- Readers' comments on posts, threaded by parent, moderated by status
-- (approved, pending, spam, trash). wp_id is the comment's id in the
-- WordPress export it came from (0 when written here), so a re-import
-- finds it instead of adding it again.
CREATE TABLE comments (
    id           INTEGER PRIMARY KEY,
    post_id      INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    parent_id    INTEGER REFERENCES comments(id) ON DELETE SET NULL,
    author       TEXT    NOT NULL,
    email        TEXT    NOT NULL DEFAULT '',
    url          TEXT    NOT NULL DEFAULT '',
    user_id      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    ip           TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    content_html TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    kind         TEXT    NOT NULL DEFAULT '',
    wp_id        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX comments_post ON comments (post_id, status, created_at, id);
CREATE INDEX comments_status ON comments (status, created_at DESC, id DESC);
CREATE UNIQUE INDEX comments_wp ON comments (post_id, wp_id) WHERE wp_id <> 0;
