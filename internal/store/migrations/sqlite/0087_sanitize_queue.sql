-- Posts whose stored HTML (body_html, teaser_html) was sanitised under a
-- policy that let through what the current one removes: opening the
-- database with a sanitiser passes each through it once and takes it off
-- the queue. This migration queues every post stored before the policy
-- checked the URLs of srcset, poster and source src; a later tightening
-- of the policy queues them again the same way.

CREATE TABLE sanitize_queue (
    post_id INTEGER PRIMARY KEY REFERENCES posts(id) ON DELETE CASCADE
);
INSERT INTO sanitize_queue (post_id) SELECT id FROM posts;
