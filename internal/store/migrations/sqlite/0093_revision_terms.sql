-- Revisions record the post's categories and tags (JSON arrays of names)
-- and its featured image (a media id, 0 for none). Revisions kept before
-- have '' for the terms: not recorded, so restoring one leaves the post's
-- terms and image as they are. The format (markdown or html) of the body
-- is recorded too; '' on older revisions, whose body is in the post's.
ALTER TABLE revisions ADD COLUMN categories TEXT NOT NULL DEFAULT '';
ALTER TABLE revisions ADD COLUMN tags TEXT NOT NULL DEFAULT '';
ALTER TABLE revisions ADD COLUMN featured_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE revisions ADD COLUMN format TEXT NOT NULL DEFAULT '';
