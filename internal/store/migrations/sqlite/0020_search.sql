-- Full-text search: one FTS5 row per post, its rowid the post's id, holding
-- the title and the plain text of the body (see search.PlainText). Porter
-- stemming over unicode61 with diacritics removed: "sanctions" finds
-- "sanctioned", "sao tome" finds "São Tomé". Kept in step with posts by the
-- store's post writes, in the same transaction; an existing archive is
-- indexed when the database is opened (see DB.Reindex). Prefix indexes of
-- two to four characters keep search-as-you-type from reading the lists of
-- every word that starts with "sa".
CREATE VIRTUAL TABLE post_search USING fts5(
    title, body,
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3 4'
);
