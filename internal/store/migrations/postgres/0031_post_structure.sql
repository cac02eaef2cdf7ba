-- What a WordPress site carries on its entries and Broadsheet keeps: sticky
-- posts, the page tree and its order, SEO title and description. (The
-- featured image is the library's post_featured.)
ALTER TABLE posts ADD COLUMN sticky INTEGER NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN parent_id BIGINT REFERENCES posts(id) ON DELETE SET NULL;
ALTER TABLE posts ADD COLUMN menu_order INTEGER NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN seo_title TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN seo_description TEXT NOT NULL DEFAULT '';
