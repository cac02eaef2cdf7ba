-- A category's or tag's earlier slugs: renaming or merging a term keeps
-- its old slug here, so the site answers the old address (its pages and
-- feeds too) with 301 to the term's current one. Deleting the term
-- deletes its old slugs with it.
CREATE TABLE term_aliases (
    taxonomy TEXT    NOT NULL,
    slug     TEXT    NOT NULL,
    term_id  BIGINT NOT NULL REFERENCES terms(id) ON DELETE CASCADE,
    PRIMARY KEY (taxonomy, slug)
);
CREATE INDEX term_aliases_term ON term_aliases (term_id);
