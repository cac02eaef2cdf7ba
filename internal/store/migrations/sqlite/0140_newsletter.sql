-- The newsletter: its subscribers, the key that signs their links, the
-- editions (a post, a day's or a week's digest) and the send queue, one row
-- per edition and subscriber, so each is mailed once.

CREATE TABLE subscribers (
    id              INTEGER PRIMARY KEY,
    email           TEXT    NOT NULL,
    -- the address in lower case: one subscriber per address
    email_key       TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL DEFAULT '',
    status          TEXT    NOT NULL,
    frequency       TEXT    NOT NULL DEFAULT 'each',
    -- followed categories' slugs, comma-separated; '' is all
    sections        TEXT    NOT NULL DEFAULT '',
    source          TEXT    NOT NULL DEFAULT 'form',
    created_at      INTEGER NOT NULL,
    confirmed_at    INTEGER NOT NULL DEFAULT 0,
    unsubscribed_at INTEGER NOT NULL DEFAULT 0,
    failure         TEXT    NOT NULL DEFAULT '',
    -- when the last confirmation link was mailed: one at most every few minutes
    confirm_sent_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX subscribers_status ON subscribers (status, frequency);

-- One row: the secret that signs confirmation and unsubscribe links.
CREATE TABLE newsletter_keys (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    secret     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

-- An edition is queued once: "post:ID", "daily:YYYY-MM-DD", "weekly:YYYY-Www".
CREATE TABLE newsletter_editions (
    edition    TEXT    PRIMARY KEY,
    post_id    INTEGER NOT NULL DEFAULT 0,
    subject    TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

CREATE TABLE newsletter_sends (
    id            INTEGER PRIMARY KEY,
    edition       TEXT    NOT NULL REFERENCES newsletter_editions(edition) ON DELETE CASCADE,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    -- queued, sending (claimed by a process), sent, failed
    status        TEXT    NOT NULL DEFAULT 'queued',
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_at       INTEGER NOT NULL,
    claimed_until INTEGER NOT NULL DEFAULT 0,
    -- the batch a claim took, named by its first send (see store.RecoverSends)
    claim_id      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT    NOT NULL DEFAULT '',
    sent_at       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (edition, subscriber_id)
);
CREATE INDEX newsletter_sends_due ON newsletter_sends (status, next_at);
