-- One-time links an admin gives a user to set a new password. Only the
-- hash of a link's secret is stored; a link works once, until it expires.

CREATE TABLE reset_links (
    token_hash TEXT   PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_by BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX reset_links_user ON reset_links (user_id);
