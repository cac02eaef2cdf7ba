-- Revisions: every save from the admin or the Admin API keeps a copy of
-- what an editor controls. A post's version is its newest revision's
-- number; the unique (post_id, number) pair makes two concurrent saves
-- based on the same version collide instead of overwriting each other.
-- An autosave replaces the autosave just before it by the same person (under
-- a new number), so a long session of typing keeps one revision, not hundreds.

CREATE TABLE revisions (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    author_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    title       TEXT    NOT NULL,
    slug        TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    excerpt     TEXT    NOT NULL DEFAULT '',
    source_name   TEXT  NOT NULL DEFAULT '',
    source_url    TEXT  NOT NULL DEFAULT '',
    source_author TEXT  NOT NULL DEFAULT '',
    autosave    INTEGER NOT NULL DEFAULT 0,
    source_published_at INTEGER NOT NULL DEFAULT 0,
    UNIQUE (post_id, number)
);
