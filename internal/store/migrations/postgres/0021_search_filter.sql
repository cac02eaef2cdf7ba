-- A search joins each of its matches to its post only to test what the
-- reader may see (kind, status, publication time) and to sort by date.
-- This narrow index holds exactly that, so the join reads a few bytes per
-- match instead of the post's whole row, body and all.
CREATE INDEX IF NOT EXISTS posts_search_filter ON posts (id, kind, status, published_at);
