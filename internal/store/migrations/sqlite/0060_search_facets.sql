-- The search index gains a third column, facets, holding each entry's kind,
-- status, terms and authors as words ("kpage", "sdraft", "t12", "a3"). Searches filter on them inside
-- FTS5 ("… NOT facets : sdraft"), so counting and ranking the matches of a
-- common word never joins every match to its post. Readers' words are
-- matched against title and body only. The table is rebuilt empty; the
-- archive is indexed again when the database is opened (see DB.Reindex).
DROP TABLE IF EXISTS post_search;
CREATE VIRTUAL TABLE post_search USING fts5(
    title, body, facets,
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3 4'
);

-- Titles again, on their own with the same facets: a title is a few words,
-- so finding the posts with every word of a query in their title (ranked
-- first, and offered as suggestions while a reader types) reads short lists
-- instead of every match's positions in the whole index.
DROP TABLE IF EXISTS post_search_titles;
CREATE VIRTUAL TABLE post_search_titles USING fts5(
    title, facets,
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3 4'
);
