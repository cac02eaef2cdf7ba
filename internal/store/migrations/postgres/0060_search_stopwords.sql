-- English stemming without English stop words: "the", "who" or "not"
-- are words a reader may search for ("The Hague", a phrase with "of the"),
-- and SQLite's index keeps every word, so both engines find the same posts.
-- The index is emptied; the archive is indexed again when the database is
-- opened (see DB.Reindex).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_dict WHERE dictname = 'broadsheet_english') THEN
        CREATE TEXT SEARCH DICTIONARY broadsheet_english (TEMPLATE = snowball, Language = english);
    END IF;
END
$$;

ALTER TEXT SEARCH CONFIGURATION broadsheet
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart WITH broadsheet_english;
ALTER TEXT SEARCH CONFIGURATION broadsheet
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, broadsheet_english;

DELETE FROM post_search;
