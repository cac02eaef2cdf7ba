package site

import (
	"html/template"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/readcache"
)

// The site's fragments (readcache.Fragments) are what it works out from
// one version of a post and would otherwise work out again for every
// reader: its teaser as the theme's "teaser" template renders it (shared
// by the front page, its pages and the archives), its article as the
// "article" template renders it, its page's description and picture, and
// its item in feeds (shared by the site's feed and its archives', in
// every format). The store's caches owner forgets them with every change
// (a changed post loses its own; a change to settings, terms, users or
// aliases, which fragments show, loses them all).
const (
	teaserPart readcache.Part = iota
	articlePart
	entryMetaPart
	feedItemPart
	// leadPart is the post's teaser as the front page's lead story.
	leadPart
)

// newFragments returns the site's fragment cache of at most max bytes
// kept under the caches c, or nil (none); with sharedOnly, it keeps only
// the parts that several pages show (teasers, feed items): a site that
// renders each page once would never read a post's article or
// description again.
func newFragments(c *readcache.Caches, max int64, sharedOnly bool) *readcache.Fragments {
	var skip func(readcache.Part) bool
	if sharedOnly {
		skip = func(pt readcache.Part) bool { return pt == articlePart || pt == entryMetaPart }
	}
	return readcache.NewFragments(c, max, articlePart, skip)
}

// putArticle keeps a post's article, naming a post's slug (not a page's)
// as kept, for Site.post.
func (s *Site) putArticle(p *content.Post, html template.HTML, gen uint64) {
	slug := ""
	if p.Kind == content.KindPost {
		slug = p.Slug
	}
	s.frags.PutArticle(p.ID, slug, p.UpdatedAt, html, len(html), gen)
}
