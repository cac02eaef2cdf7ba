-- Broadsheet's first schema: users, terms, posts with their source
-- attribution, post-term and post-author links, aliases and settings.
-- Times are Unix seconds (UTC) in both engines, so one code path reads them.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    slug          TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    email         TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL,
    bio           TEXT    NOT NULL DEFAULT '',
    password_hash TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
);

CREATE TABLE terms (
    id          INTEGER PRIMARY KEY,
    taxonomy    TEXT    NOT NULL,
    slug        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    parent_id   INTEGER REFERENCES terms(id) ON DELETE SET NULL,
    UNIQUE (taxonomy, slug)
);

CREATE TABLE posts (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT    NOT NULL,
    title               TEXT    NOT NULL,
    slug                TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    published_at        INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    format              TEXT    NOT NULL,
    body                TEXT    NOT NULL,
    excerpt             TEXT    NOT NULL DEFAULT '',
    body_html           TEXT    NOT NULL,
    teaser_html         TEXT    NOT NULL,
    has_more            INTEGER NOT NULL DEFAULT 0,
    source_name         TEXT    NOT NULL DEFAULT '',
    source_url          TEXT    NOT NULL DEFAULT '',
    source_author       TEXT    NOT NULL DEFAULT '',
    source_published_at INTEGER NOT NULL DEFAULT 0,
    import_key          TEXT UNIQUE,
    UNIQUE (kind, slug)
);
CREATE INDEX posts_listing ON posts (kind, status, published_at DESC, id DESC);

CREATE TABLE post_terms (
    post_id  INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    term_id  INTEGER NOT NULL REFERENCES terms(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (post_id, term_id)
);
CREATE INDEX post_terms_term ON post_terms (term_id, post_id);

CREATE TABLE post_authors (
    post_id  INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (post_id, user_id)
);
CREATE INDEX post_authors_user ON post_authors (user_id, post_id);

CREATE TABLE aliases (
    path    TEXT PRIMARY KEY,
    post_id INTEGER REFERENCES posts(id) ON DELETE CASCADE,
    target  TEXT NOT NULL DEFAULT ''
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
