-- Outlets get a public archive, /source/{slug}/: each source gets a slug
-- (filled for existing sources from their names when the database is
-- opened; NULL until then, and unique once set), and each post records the
-- source it was republished from, which listings filter and index on.

ALTER TABLE sources ADD COLUMN slug TEXT;
CREATE UNIQUE INDEX sources_slug ON sources (slug);

ALTER TABLE posts ADD COLUMN outlet_id INTEGER REFERENCES sources(id) ON DELETE SET NULL;
UPDATE posts SET outlet_id = (SELECT si.source_id FROM source_items si WHERE si.post_id = posts.id)
    WHERE id IN (SELECT si.post_id FROM source_items si WHERE si.post_id IS NOT NULL);
CREATE INDEX posts_outlet ON posts (outlet_id, kind, status, published_at DESC, id DESC) WHERE outlet_id IS NOT NULL;
