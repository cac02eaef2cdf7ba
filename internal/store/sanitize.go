package store

import (
	"context"
	"fmt"
)

// sanitizeBatch is how many queued posts sanitizeQueued passes through
// the sanitiser in one transaction.
const sanitizeBatch = 200

// sanitizeQueued passes the stored HTML of the posts in sanitize_queue
// (queued by a migration when the sanitising policy became stricter)
// through sanitize, writes back what it changed and takes them off the
// queue, a batch per transaction, so that a process stopped half way goes
// on where it stopped. Bodies are not rendered again: sanitising what
// was served is what closes the hole, and leaves every other byte as it
// was. The posts' update time is kept (their text did not change), but
// caches are told, here and in other processes.
func (db *DB) sanitizeQueued(ctx context.Context, sanitize func(string) string, progress func(done, total int)) error {
	if sanitize == nil {
		return nil
	}
	var total int
	if err := db.conn.queryRow(ctx, `SELECT COUNT(*) FROM sanitize_queue`).Scan(&total); err != nil || total == 0 {
		return err
	}
	done := 0
	for {
		n := 0
		err := db.Update(ctx, func(tx *Tx) error {
			type stored struct {
				id           int64
				body, teaser string
			}
			rows, err := tx.query(ctx, `SELECT q.post_id, p.body_html, p.teaser_html FROM sanitize_queue q
				JOIN posts p ON p.id = q.post_id ORDER BY q.post_id LIMIT ?`, sanitizeBatch)
			if err != nil {
				return err
			}
			var batch []stored
			for rows.Next() {
				var s stored
				if err := rows.Scan(&s.id, &s.body, &s.teaser); err != nil {
					rows.Close()
					return err
				}
				batch = append(batch, s)
			}
			rows.Close()
			if err := rows.Err(); err != nil || len(batch) == 0 {
				return err
			}
			for _, s := range batch {
				body, teaser := sanitize(s.body), sanitize(s.teaser)
				if body == s.body && teaser == s.teaser {
					continue
				}
				if _, err := tx.exec(ctx, `UPDATE posts SET body_html = ?, teaser_html = ? WHERE id = ?`, body, teaser, s.id); err != nil {
					return fmt.Errorf("post %d: %w", s.id, err)
				}
				tx.touchPost(s.id, false, false)
			}
			n = len(batch)
			_, err = tx.exec(ctx, `DELETE FROM sanitize_queue WHERE post_id <= ?`, batch[len(batch)-1].id)
			return err
		})
		if err != nil {
			return fmt.Errorf("store: sanitise stored HTML again: %w", err)
		}
		if n == 0 {
			return nil
		}
		done += n
		if progress != nil {
			progress(done, total)
		}
	}
}
