-- A post's featured image, from the media library. A table of its own so
-- that deleting the image (only ever forced) unsets it.

CREATE TABLE post_featured (
    post_id  INTEGER PRIMARY KEY REFERENCES posts(id) ON DELETE CASCADE,
    media_id INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE
);
CREATE INDEX post_featured_media ON post_featured (media_id);
