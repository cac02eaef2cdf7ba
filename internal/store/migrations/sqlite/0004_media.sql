-- The media library: uploaded images and PDFs. The files themselves live
-- in the media storage (a folder by default); this table describes them.
-- variants holds the resized copies as "width:key" lines, widest last.

CREATE TABLE media (
    id          INTEGER PRIMARY KEY,
    storage_key TEXT    NOT NULL UNIQUE,
    filename    TEXT    NOT NULL,
    mime        TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    width       INTEGER NOT NULL DEFAULT 0,
    height      INTEGER NOT NULL DEFAULT 0,
    alt         TEXT    NOT NULL DEFAULT '',
    variants    TEXT    NOT NULL DEFAULT '',
    uploaded_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX media_created ON media (created_at DESC, id DESC);
