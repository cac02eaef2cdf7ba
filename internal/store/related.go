package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

// What a post's page shows besides the post: the posts related to it and
// more from the outlet it was republished from. Both read only what a
// link to a post shows (no bodies, authors or terms), each in one query,
// and need of p only its ID, so a page naming the post by its version
// alone can show them.

// FindRelatedPosts returns at most n posts readers may see at now that
// share a category or a tag with p, newest first, p itself left out.
func (c conn) FindRelatedPosts(ctx context.Context, p *content.Post, n int, now time.Time) ([]*content.Post, error) {
	if n <= 0 {
		return nil, nil
	}
	posts, err := c.linkedPosts(ctx, `p.id IN (SELECT pt.post_id FROM post_terms pt
		WHERE pt.term_id IN (SELECT mine.term_id FROM post_terms mine WHERE mine.post_id = ?)
		AND pt.kind = ? AND pt.status = ? AND pt.published_at <= ?) AND p.id <> ?`,
		[]any{p.ID, content.KindPost, content.StatusPublished, now.Unix(), p.ID}, n)
	if err != nil {
		return nil, fmt.Errorf("store: find posts related to %d: %w", p.ID, err)
	}
	return posts, nil
}

// FindMoreFromOutlet returns the outlet p was republished from (without
// its feeds) and at most n other posts readers may see at now republished
// from it, newest first; a nil outlet for a post republished from none.
func (c conn) FindMoreFromOutlet(ctx context.Context, p *content.Post, n int, now time.Time) (*content.Outlet, []*content.Post, error) {
	o, err := scanOutlet(c.queryRow(ctx, `SELECT `+outletColumns+` FROM posts x CROSS JOIN sources s
		WHERE x.id = ? AND s.id = x.outlet_id AND s.slug IS NOT NULL`, p.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("store: find the source of post %d: %w", p.ID, err)
	}
	if n <= 0 {
		return o, nil, nil
	}
	posts, err := c.linkedPosts(ctx, `p.outlet_id = ? AND p.kind = ? AND p.status = ? AND p.published_at <= ? AND p.id <> ?`,
		[]any{o.ID, content.KindPost, content.StatusPublished, now.Unix(), p.ID}, n)
	if err != nil {
		return nil, nil, fmt.Errorf("store: find more from source %d: %w", o.ID, err)
	}
	return o, posts, nil
}

// linkedPosts reads at most n posts matching where, newest first, without
// bodies, authors or terms.
func (c conn) linkedPosts(ctx context.Context, where string, args []any, n int) ([]*content.Post, error) {
	rows, err := c.query(ctx, `SELECT `+postColumns+`, '', '' FROM posts p WHERE `+where+`
		ORDER BY p.published_at DESC, p.id DESC LIMIT ?`, append(args, n)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*content.Post
	for rows.Next() {
		var body, bodyHTML string
		q, err := scanPost(rows, &body, &bodyHTML)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, rows.Err()
}
