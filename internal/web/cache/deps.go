package cache

import (
	"context"
	"strconv"

	"github.com/broadsheet/broadsheet/internal/content"
)

// Tags name what a cached page depends on. A handler declares them while
// it renders (Depend, Shows, Mentions); a change to the store drops every
// entry carrying a tag the change touches.
const (
	// ListPrefix starts the tag of every listing (the front page, an
	// archive): the site names listings' tags, and their pages carry
	// them (Depend); a change to a post drops the pages of the listings
	// Options.Listings names for it.
	ListPrefix = "list:"
	// AnyTag is carried by pages that declared nothing (feeds, sitemaps and
	// routes that do not know about the cache, redirects, 404s): any change
	// to any post drops them, which is always correct if not always needed.
	AnyTag = "any"
	// listsTag is carried by every page of every listing, so that a change
	// whose previous state is unknown can drop all listings at once.
	listsTag = "lists"
)

// PostTag is carried by every page that shows anything of the post: its
// title in a listing or a neighbour link, or the post itself.
func PostTag(id int64) string { return "post:" + strconv.FormatInt(id, 10) }

// PageTag is carried by the post's own page only: it is dropped when the
// post's neighbours change, without dropping listings that merely show it.
func PageTag(id int64) string { return "page:" + strconv.FormatInt(id, 10) }

// recorder collects what one rendering depends on.
type recorder struct {
	listings func(*content.Post) []string // Options.Listings
	declared bool
	tags     []string
	learned  []learnt
}

// learnt is a post's listings as one rendering saw them.
type learnt struct {
	id   int64
	tags []string
}

type ctxKey struct{}

func recorderOf(ctx context.Context) *recorder {
	r, _ := ctx.Value(ctxKey{}).(*recorder)
	return r
}

// Recording reports whether the page being rendered is to be kept by the
// page cache, which then wants to know what it shows (Depend, Shows).
func Recording(ctx context.Context) bool { return recorderOf(ctx) != nil }

// Depend declares that the page being rendered depends on tags. Outside a
// cached request it does nothing.
func Depend(ctx context.Context, tags ...string) {
	if r := recorderOf(ctx); r != nil {
		r.declared = true
		r.tags = append(r.tags, tags...)
	}
}

// Shows declares that the page shows posts, loaded with their authors and
// terms; the cache also learns which listings each post is in, so that it
// can drop them should the post later leave them.
func Shows(ctx context.Context, posts ...*content.Post) {
	r := recorderOf(ctx)
	if r == nil {
		return
	}
	r.declared = true
	for _, p := range posts {
		r.tags = append(r.tags, PostTag(p.ID))
		r.learned = append(r.learned, learnt{id: p.ID, tags: r.listings(p)})
	}
}

// Mentions declares that the page shows something of posts (a title in a
// link) without their authors and terms. Nil posts are ignored.
func Mentions(ctx context.Context, posts ...*content.Post) {
	r := recorderOf(ctx)
	if r == nil {
		return
	}
	r.declared = true
	for _, p := range posts {
		if p != nil {
			r.tags = append(r.tags, PostTag(p.ID))
		}
	}
}
