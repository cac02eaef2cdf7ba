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
	// FrontTag is carried by the pages of the front-page listing.
	FrontTag = "list:front"
	// AnyTag is carried by pages that declared nothing (feeds, sitemaps and
	// routes that do not know about the cache, redirects, 404s): any change
	// to any post drops them, which is always correct if not always needed.
	AnyTag = "any"
	// listsTag is carried by every page of every listing, so that a change
	// whose previous state is unknown can drop all listings at once.
	listsTag   = "lists"
	listPrefix = "list:"
)

// TermTag is carried by the pages of a category's or tag's archive.
func TermTag(id int64) string { return "list:term:" + strconv.FormatInt(id, 10) }

// AuthorTag is carried by the pages of an author's archive.
func AuthorTag(id int64) string { return "list:author:" + strconv.FormatInt(id, 10) }

// DateTag is carried by the pages of a date archive: a year (month and day
// 0), a month (day 0) or a day.
func DateTag(year, month, day int) string {
	b := []byte("list:date:")
	b = strconv.AppendInt(b, int64(year), 10)
	if month > 0 {
		b = append(b, '-', byte('0'+month/10), byte('0'+month%10))
		if day > 0 {
			b = append(b, '-', byte('0'+day/10), byte('0'+day%10))
		}
	}
	return string(b)
}

// PostTag is carried by every page that shows anything of the post: its
// title in a listing or a neighbour link, or the post itself.
func PostTag(id int64) string { return "post:" + strconv.FormatInt(id, 10) }

// PageTag is carried by the post's own page only: it is dropped when the
// post's neighbours change, without dropping listings that merely show it.
func PageTag(id int64) string { return "page:" + strconv.FormatInt(id, 10) }

// ListingTags are the tags of every listing a public post appears in: the
// front page, its categories' and tags' archives, its authors' archives and
// its date archives. p must carry its authors and terms. Pages appear in
// no listing.
func ListingTags(p *content.Post) []string {
	if p.Kind != content.KindPost {
		return nil
	}
	t := p.PublishedAt.UTC()
	tags := make([]string, 0, 4+len(p.Categories)+len(p.Tags)+len(p.Authors))
	tags = append(tags, FrontTag,
		DateTag(t.Year(), 0, 0), DateTag(t.Year(), int(t.Month()), 0), DateTag(t.Year(), int(t.Month()), t.Day()))
	for _, terms := range [][]content.Term{p.Categories, p.Tags} {
		for _, term := range terms {
			tags = append(tags, TermTag(term.ID))
		}
	}
	for _, a := range p.Authors {
		tags = append(tags, AuthorTag(a.ID))
	}
	return tags
}

// recorder collects what one rendering depends on.
type recorder struct {
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
		r.learned = append(r.learned, learnt{id: p.ID, tags: ListingTags(p)})
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
