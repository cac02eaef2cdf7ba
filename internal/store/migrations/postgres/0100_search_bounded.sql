-- The search index holds, beside each entry's text, what a search filters
-- on: its kind, status, publication time, categories and tags, and
-- authors. A search then counts and ranks the matches of a common word
-- inside this table alone, never joining every match to its post (as
-- SQLite's index does with its facets column). A second, title-only
-- tsvector finds the posts with a query's words in their title without
-- reading each match's whole document. The body's text is kept for
-- snippets. The table is rebuilt empty; the archive is indexed again when
-- the database is opened (see DB.Reindex).
DROP TABLE IF EXISTS post_search;
CREATE TABLE post_search (
    post_id      BIGINT PRIMARY KEY REFERENCES posts(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    status       TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    terms        BIGINT[] NOT NULL,
    authors      BIGINT[] NOT NULL,
    titles       tsvector NOT NULL,
    doc          tsvector NOT NULL,
    body         TEXT NOT NULL
);
-- A post's document and text leave the row (TOAST) first, uncompressed, so
-- that the rows a count or a sort by date reads stay a few hundred bytes
-- and ranking reads each document without decompressing it.
ALTER TABLE post_search ALTER COLUMN doc SET STORAGE EXTERNAL;
ALTER TABLE post_search ALTER COLUMN body SET STORAGE EXTERNAL;
-- fastupdate off: every write goes straight into the index rather than a
-- pending list, which searches would have to scan. A full rebuild fills a
-- fresh table and builds these indexes once at the end (see the search
-- package's Rebuild), so it never pays for writing them entry by entry.
CREATE INDEX post_search_doc ON post_search USING GIN (doc) WITH (fastupdate = off);
CREATE INDEX post_search_titles ON post_search USING GIN (titles) WITH (fastupdate = off);
