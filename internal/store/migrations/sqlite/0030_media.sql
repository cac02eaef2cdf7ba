-- The media library: files kept under the data folder's media/ directory,
-- by their path there, with what describes them to readers.
CREATE TABLE media (
    id          INTEGER PRIMARY KEY,
    path        TEXT    NOT NULL UNIQUE,
    mime        TEXT    NOT NULL DEFAULT '',
    size        INTEGER NOT NULL DEFAULT 0,
    title       TEXT    NOT NULL DEFAULT '',
    alt         TEXT    NOT NULL DEFAULT '',
    caption     TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    import_key  TEXT UNIQUE
);
