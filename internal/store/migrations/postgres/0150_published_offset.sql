-- The offset from UTC, in seconds, of the site's clock when a post was
-- published, as WordPress keeps post_date beside post_date_gmt: the day in
-- a post's address and the date shown with it are read on that clock, so
-- a post published late in the evening west of Greenwich keeps the day its
-- readers saw, and changing the site's time zone later moves no address.
-- Posts stored before have 0: their addresses stay as they were.
ALTER TABLE posts ADD COLUMN published_offset INTEGER NOT NULL DEFAULT 0;
