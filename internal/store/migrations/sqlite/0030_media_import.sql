-- What a WordPress import keeps of an attachment beyond the library's
-- own fields: its caption, and the guid it is matched by on re-import.
ALTER TABLE media ADD COLUMN caption TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN import_key TEXT;
CREATE UNIQUE INDEX media_import_key ON media (import_key);
