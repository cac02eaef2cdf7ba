package store

import (
	"context"
	"fmt"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

// FindDuePosts returns the ids of scheduled entries whose time has come.
func (c conn) FindDuePosts(ctx context.Context, now time.Time) ([]int64, error) {
	// The kind condition lets the listing index (kind, status, published_at)
	// answer, so the scheduler's look every second costs almost nothing.
	ids, err := c.queryIDs(ctx, `SELECT id FROM posts WHERE kind IN (?, ?) AND status = ? AND published_at <= ?
		ORDER BY published_at, id`, content.KindPost, content.KindPage, content.StatusScheduled, now.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: find due posts: %w", err)
	}
	return ids, nil
}

// PublishDue publishes every scheduled entry whose time has come, each in
// its own transaction, and returns the ids this call published. Several
// processes may call it at once on the same database: each post is
// claimed by a conditional write that only one of them can make, so each
// is published exactly once.
func (db *DB) PublishDue(ctx context.Context) ([]int64, error) {
	ids, err := db.FindDuePosts(ctx, db.Now())
	if err != nil {
		return nil, err
	}
	var done []int64
	for _, id := range ids {
		claimed := false
		err := db.Update(ctx, func(tx *Tx) error {
			// The claim writes the row without changing its status: on
			// PostgreSQL a second process's claim waits for the row lock and
			// then finds the post published; on SQLite write transactions
			// are serial. The status change itself goes through UpdatePost,
			// so subscribers see the post newly published.
			res, err := tx.exec(ctx, `UPDATE posts SET updated_at = ? WHERE id = ? AND status = ? AND published_at <= ?`,
				unix(tx.Now), id, content.StatusScheduled, tx.Now.Unix())
			if err != nil {
				return fmt.Errorf("store: claim scheduled post %d: %w", id, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil // another process published it, or it was unscheduled
			}
			p, err := tx.FindPostByID(ctx, id)
			if err != nil {
				return err
			}
			p.Status = content.StatusPublished
			if err := tx.UpdatePost(ctx, p); err != nil {
				return err
			}
			claimed = true
			return nil
		})
		if err != nil {
			return done, err
		}
		if claimed {
			done = append(done, id)
		}
	}
	return done, nil
}
