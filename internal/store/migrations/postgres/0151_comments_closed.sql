-- Whether readers may comment on an entry, as WordPress's comment_status:
-- 1 when closed. Approved comments are shown either way. Pages are
-- closed unless they already have comments (a WordPress site's pages
-- come with theirs), as WordPress closes pages by default.
ALTER TABLE posts ADD COLUMN comments_closed INTEGER NOT NULL DEFAULT 0;
UPDATE posts SET comments_closed = 1 WHERE kind = 'page' AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.post_id = posts.id);
