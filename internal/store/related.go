package store

import (
	"context"
	"fmt"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

// Related is what a post's page shows besides the post: the posts related
// to it, and more from the outlet it was republished from. Its posts carry
// only what a link to a post shows: no bodies, authors or terms.
type Related struct {
	// Posts share a category or a tag with the post, newest first.
	Posts []*content.Post
	// Outlet is the outlet the post was republished from (ID, name and
	// slug only), when readers may see other posts republished from it;
	// FromOutlet are those, newest first.
	Outlet     *content.Outlet
	FromOutlet []*content.Post
}

// FindRelatedPosts returns at most n posts readers may see at now that
// share a category or a tag with p, and at most n others republished from
// the outlet p was republished from; p itself is never among them. One
// query, which needs of p only its ID, so a page naming the post by its
// version alone can show them.
func (c conn) FindRelatedPosts(ctx context.Context, p *content.Post, n int, now time.Time) (*Related, error) {
	rel := &Related{}
	if n <= 0 {
		return rel, nil
	}
	pub := Published(now)
	where, args := pub.where()
	var all []any
	all = append(all, p.ID)
	all = append(all, args...)
	all = append(all, p.ID, n, p.ID)
	all = append(all, args...)
	all = append(all, n)
	// The first walk reads the post's terms' links (post_terms_listing),
	// the second the outlet's posts (posts_outlet).
	rows, err := c.query(ctx, `SELECT * FROM (SELECT `+postColumns+`, '', '', 1 AS side, 0, '', '' FROM posts p
		WHERE p.id IN (SELECT pt.post_id FROM post_terms pt
			WHERE pt.term_id IN (SELECT mine.term_id FROM post_terms mine WHERE mine.post_id = ?))
		AND `+where+` AND p.id <> ?
		ORDER BY p.published_at DESC, p.id DESC LIMIT ?) r
		UNION ALL
		SELECT * FROM (SELECT `+postColumns+`, '', '', 2 AS side, s.id, s.name, s.slug
		FROM posts x CROSS JOIN sources s CROSS JOIN posts p
		WHERE x.id = ? AND s.id = x.outlet_id AND s.slug IS NOT NULL AND p.outlet_id = s.id AND p.id <> x.id
		AND `+where+`
		ORDER BY p.published_at DESC, p.id DESC LIMIT ?) o`, all...)
	if err != nil {
		return nil, fmt.Errorf("store: find posts related to %d: %w", p.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			body, bodyHTML string
			side           int
			outletID       int64
			outlet, slug   string
		)
		q, err := scanPost(rows, &body, &bodyHTML, &side, &outletID, &outlet, &slug)
		if err != nil {
			return nil, fmt.Errorf("store: find posts related to %d: %w", p.ID, err)
		}
		if side == 1 {
			rel.Posts = append(rel.Posts, q)
			continue
		}
		if rel.Outlet == nil {
			rel.Outlet = &content.Outlet{ID: outletID, Name: outlet, Slug: slug}
		}
		rel.FromOutlet = append(rel.FromOutlet, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: find posts related to %d: %w", p.ID, err)
	}
	return rel, nil
}
