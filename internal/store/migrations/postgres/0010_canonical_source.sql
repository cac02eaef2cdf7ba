-- A republished post may name the original article as its canonical URL
-- (1) instead of its own address on this site (0, the default).
ALTER TABLE posts ADD COLUMN canonical_source INTEGER NOT NULL DEFAULT 0;
