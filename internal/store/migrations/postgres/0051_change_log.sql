-- Nothing to do: on SQLite this version adds the change log through which
-- processes sharing a database file hear each other's changes; PostgreSQL
-- relays changes with LISTEN/NOTIFY instead (see relay.go).
SELECT 1;
