-- PostgreSQL's search index gains the columns SQLite's holds as facets
-- (see 0060); SQLite's is unchanged. This file keeps the two engines'
-- schema versions in step, which copying between them requires.
SELECT 1;
