package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
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
//
// While the process hears every change (see caches), what it reads is
// remembered until the next change or the moment a post dated in the
// future becomes public; what it returns is the caller's own.
func (c conn) FindRelatedPosts(ctx context.Context, p *content.Post, n int, now time.Time) (rel *Related, err error) {
	if n <= 0 {
		return &Related{}, nil
	}
	memo := c.memo()
	if memo == nil {
		return c.findRelatedPosts(ctx, p, n, now)
	}
	memo.settle(ctx, c, now)
	key := relatedKey{p.ID, n}
	v, gen, ok := memo.related.Get(key, now)
	if ok {
		return &v, nil
	}
	if rel, err = c.findRelatedPosts(ctx, p, n, now); err == nil {
		memo.related.Put(key, *rel, gen, now)
	}
	return rel, err
}

// relatedKey names one post's related posts, n of each kind.
type relatedKey struct {
	post int64
	n    int
}

// clone returns a copy of r sharing nothing a caller may change.
func (r Related) clone() Related {
	out := Related{Posts: clonePosts(r.Posts), FromOutlet: clonePosts(r.FromOutlet)}
	if r.Outlet != nil {
		o := *r.Outlet
		o.Feeds = nil
		out.Outlet = &o
	}
	return out
}

func clonePosts(ps []*content.Post) []*content.Post {
	if ps == nil {
		return nil
	}
	out := make([]*content.Post, len(ps))
	for i, p := range ps {
		out[i] = clonePost(p)
	}
	return out
}

func (c conn) findRelatedPosts(ctx context.Context, p *content.Post, n int, now time.Time) (*Related, error) {
	rel := &Related{}
	pub := Published(now)
	where, args := pub.where()
	links, linkArgs := pub.conds("pt", "pt.post_id", false, false)
	// The candidates are, for each of p's terms, its n+1 newest public
	// posts (p may be one of them): the n newest sharing any term are
	// among them. Each is one step of the term's listing index
	// (post_terms_listing), however large the term's archive or the site.
	var cand strings.Builder
	all := []any{p.ID}
	for k := 0; k <= n; k++ {
		if k > 0 {
			cand.WriteString(" UNION ALL ")
		}
		cand.WriteString(`SELECT (SELECT pt.post_id FROM post_terms pt WHERE pt.term_id = mine.term_id AND ` + links +
			` ORDER BY pt.published_at DESC, pt.post_id DESC LIMIT 1 OFFSET ` + strconv.Itoa(k) + `) AS id FROM mine`)
		all = append(all, linkArgs...)
	}
	all = append(all, args...)
	all = append(all, p.ID, n, p.ID)
	all = append(all, args...)
	all = append(all, n)
	// The candidates first (CROSS JOIN keeps SQLite to that order), each
	// post then by its key; the outlet's posts from its index
	// (posts_outlet).
	rows, err := c.query(ctx, `WITH mine AS (SELECT term_id FROM post_terms WHERE post_id = ?),
		cand AS (`+cand.String()+`)
		SELECT * FROM (SELECT `+postColumns+`, '', '', 1 AS side, 0, '', ''
		FROM (SELECT DISTINCT id FROM cand WHERE id IS NOT NULL) c CROSS JOIN posts p
		WHERE p.id = c.id AND `+where+` AND p.id <> ?
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
