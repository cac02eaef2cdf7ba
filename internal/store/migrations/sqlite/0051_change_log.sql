-- The change log tells other processes sharing this SQLite file (a serve
-- process and an import run from the command line, say) what each
-- transaction changed, so their caches follow; each process polls it for
-- entries from others. Entries are kept a few minutes. PostgreSQL needs
-- no such table: it relays changes with LISTEN/NOTIFY.

CREATE TABLE change_log (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    origin TEXT    NOT NULL,
    posts  TEXT    NOT NULL DEFAULT '',
    site   INTEGER NOT NULL DEFAULT 0,
    at     BIGINT  NOT NULL
);
