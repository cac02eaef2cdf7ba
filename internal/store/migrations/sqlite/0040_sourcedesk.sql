-- The source desk: outlets followed, their feeds, and the inbox of items.
-- An item remembers the post it was republished as (and a post finds its
-- item through source_items.post_id, with the canonical choice made when it
-- was republished); deleting the post frees the item.

CREATE TABLE sources (
    id               INTEGER PRIMARY KEY,
    name             TEXT    NOT NULL,
    homepage         TEXT    NOT NULL DEFAULT '',
    attribution      TEXT    NOT NULL,
    notes            TEXT    NOT NULL DEFAULT '',
    canonical        TEXT    NOT NULL DEFAULT 'original',
    interval_seconds INTEGER NOT NULL,
    next_poll_at     INTEGER NOT NULL DEFAULT 0,
    -- a process polling the source holds it until then (0: nobody)
    claimed_until    INTEGER NOT NULL DEFAULT 0,
    last_polled_at   INTEGER NOT NULL DEFAULT 0,
    last_success_at  INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT    NOT NULL DEFAULT '',
    failures         INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX sources_due ON sources (next_poll_at);

CREATE TABLE source_feeds (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    url           TEXT    NOT NULL,
    title         TEXT    NOT NULL DEFAULT '',
    etag          TEXT    NOT NULL DEFAULT '',
    last_modified TEXT    NOT NULL DEFAULT '',
    position      INTEGER NOT NULL,
    UNIQUE (source_id, url)
);

CREATE TABLE source_items (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER REFERENCES sources(id) ON DELETE SET NULL,
    source_name  TEXT    NOT NULL,
    guid         TEXT    NOT NULL,
    url          TEXT    NOT NULL,
    url_key      TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    title_key    TEXT    NOT NULL,
    summary      TEXT    NOT NULL DEFAULT '',
    content      TEXT    NOT NULL DEFAULT '',
    author       TEXT    NOT NULL DEFAULT '',
    published_at INTEGER NOT NULL,
    fetched_at   INTEGER NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'new',
    canonical    TEXT    NOT NULL DEFAULT '',
    post_id      INTEGER UNIQUE REFERENCES posts(id) ON DELETE SET NULL,
    UNIQUE (source_id, guid)
);
CREATE INDEX source_items_inbox ON source_items (published_at DESC, id DESC);
CREATE INDEX source_items_url ON source_items (url_key);
CREATE INDEX source_items_title ON source_items (title_key);
