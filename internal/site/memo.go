package site

import (
	"html/template"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/readcache"
)

// renderMemo keeps what a template rendered from data named by a key of
// type K that holds everything the template shows of it: the same key
// renders the same bytes for as long as the theme is the same, so nothing
// kept goes stale (readcache.Options.Lasting), unless the key names a
// generation of the caches (teaser lists), whose entries go with it.
// Bounded in entries, any one out when full. A nil renderMemo keeps
// nothing.
type renderMemo[K comparable] struct {
	m *readcache.Map[K, template.HTML]
}

func newRenderMemo[K comparable](c *readcache.Caches, max int, lasting bool) *renderMemo[K] {
	return &renderMemo[K]{m: readcache.NewMap[K, template.HTML](c, readcache.Options[template.HTML]{Max: max, Lasting: lasting})}
}

// get returns what was kept for key.
func (r *renderMemo[K]) get(key K) (template.HTML, bool) {
	if r == nil {
		return "", false
	}
	html, _, ok := r.m.Get(key, time.Time{})
	return html, ok
}

// put keeps html for key.
func (r *renderMemo[K]) put(key K, html template.HTML) {
	if r == nil {
		return
	}
	r.m.Put(key, html, r.m.Generation(), time.Time{})
}

// render returns the page's template name as it renders data(), kept
// under key.
func (r *renderMemo[K]) render(s *Site, page, name string, key K, data func() any) (template.HTML, error) {
	if html, ok := r.get(key); ok {
		return html, nil
	}
	buf := s.tmpl.GetBuffer()
	defer s.tmpl.PutBuffer(buf)
	if err := s.tmpl.ExecuteBlock(buf, page, name, data()); err != nil {
		return "", err
	}
	html := template.HTML(buf.String())
	r.put(key, html)
	return html, nil
}

// headKey is everything the "page-head" template shows, of one page's set.
type headKey struct {
	page                                      string
	title, description, canonical, prev, next string
	noIndex                                   bool
	feeds                                     FeedLinks
	hasFeeds                                  bool
	siteLinks, metaTags, searchAssets         template.HTML
	jsonLD                                    string // joined, each ended by a NUL when more than one
	jsonLDs                                   int
}

// linkKey is everything the "post-nav" template shows of a neighbour: its
// title and what its address is made of; zero for none.
type linkKey struct {
	kind, slug, title string
	published         int64 // Unix nanoseconds
}

func linkKeyOf(p *content.Post) linkKey {
	if p == nil {
		return linkKey{}
	}
	return linkKey{kind: string(p.Kind), slug: p.Slug, title: p.Title, published: p.PublishedAt.UnixNano()}
}

// navKey is everything the "post-nav" template shows, of one page's set.
type navKey struct {
	page         string
	older, newer linkKey
}

// pagerKey is everything the "pager" template shows, of one page's set.
type pagerKey struct {
	page  string
	pager Pager
}

// maxMemo bounds each memo's entries: a post's links to its neighbours
// or a listing's pager is about half a kilobyte with its key; maxHeads
// bounds the pages' heads, each a few kilobytes with its key.
const (
	maxMemo  = 4096
	maxHeads = 2048
	// maxTeaserLists bounds listings' pages' teasers, each tens of
	// kilobytes.
	maxTeaserLists = 256
)
