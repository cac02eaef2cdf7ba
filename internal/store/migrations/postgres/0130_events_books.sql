-- Events and books: an entry's details (an event's time, place and status;
-- a book's authors, ISBN, cover and links) are kept as JSON in details; an
-- event's start and end are columns too, by which its listings (upcoming,
-- past) are ordered and split.
ALTER TABLE posts ADD COLUMN details TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN event_starts_at BIGINT;
ALTER TABLE posts ADD COLUMN event_ends_at BIGINT;
CREATE INDEX posts_events ON posts (status, event_ends_at, event_starts_at) WHERE kind = 'event';
