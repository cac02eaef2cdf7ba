-- One-time links an admin gives a user to set a new password. Only the
-- hash of a link's secret is stored; a link works once, until it expires.

CREATE TABLE reset_links (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_by INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX reset_links_user ON reset_links (user_id);
