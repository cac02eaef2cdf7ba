-- Full-text search: one row per post with its title, the plain text of its
-- body, and a tsvector weighting the title (A) over the body (B), under a
-- GIN index. The "broadsheet" text search configuration is English with
-- accents removed first: "sanctions" finds "sanctioned", "sao tome" finds
-- "São Tomé". Kept in step with posts by the store's post writes, in the
-- same transaction; an existing archive is indexed when the database is
-- opened (see DB.Reindex).
CREATE EXTENSION IF NOT EXISTS unaccent;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'broadsheet') THEN
        CREATE TEXT SEARCH CONFIGURATION broadsheet (COPY = english);
        ALTER TEXT SEARCH CONFIGURATION broadsheet
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
    END IF;
END
$$;

CREATE TABLE post_search (
    post_id BIGINT PRIMARY KEY REFERENCES posts(id) ON DELETE CASCADE,
    title   TEXT NOT NULL,
    body    TEXT NOT NULL,
    doc     tsvector NOT NULL
);
-- fastupdate off: every write goes straight into the index rather than a
-- pending list, which searches would have to scan and which makes the
-- planner prefer reading every row.
CREATE INDEX post_search_doc ON post_search USING GIN (doc) WITH (fastupdate = off);
