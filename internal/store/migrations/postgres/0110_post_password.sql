-- A post's password, as WordPress protects a post: its title is public,
-- its body is shown to readers who give the password. Empty for none.
ALTER TABLE posts ADD COLUMN password TEXT NOT NULL DEFAULT '';
