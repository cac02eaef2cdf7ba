package site

import (
	"container/list"
	"html/template"
	"sync"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
)

// fragmentCache keeps what the site works out from one version of a post
// and would otherwise work out again for every reader: its teaser as the
// theme's "teaser" template renders it (shared by the front page, its
// pages and the archives), its article as the "article" template renders
// it, its page's description and picture, and its item in feeds (shared
// by the site's feed and its archives', in every format). It is bounded in bytes,
// least recently used first out, and follows the store's changes
// (forget): a changed post (an edit, its featured image set, or that
// image's alt text or caption changed) loses its fragments; a change to
// settings, terms, users or aliases, which fragments show (authors' and
// terms' names and addresses), loses them all. It knows the slugs of the
// posts whose article it keeps, so that a post's page knows without a
// query whether reading the post's version first may pay. A nil
// fragmentCache keeps nothing.
type fragmentCache struct {
	max int64
	// sharedOnly keeps only the parts that several pages show (teasers,
	// feed items): a site that renders each page once would never read a
	// post's article or description again.
	sharedOnly bool

	mu      sync.Mutex
	gen     uint64 // bumped by every change
	entries map[fragmentKey]*list.Element
	lru     list.List // of *fragment, front: most recently used
	size    int64
	// articles are the posts whose article is kept, by slug: a post's
	// page not among them reads the post in full at once (see Site.post).
	articles map[string]int64
}

// part names what of a post a fragment is.
type part uint8

const (
	teaserPart part = iota
	articlePart
	entryMetaPart
	feedItemPart
	// leadPart is the post's teaser as the front page's lead story.
	leadPart
)

type fragmentKey struct {
	post int64
	part part
}

// fragment is one part of a post, worked out from the version of the post
// last updated at updated (Unix seconds).
type fragment struct {
	key     fragmentKey
	updated int64
	value   any
	size    int64  // of value, in bytes
	slug    string // of a post's article, else ""
}

// fragmentOverhead is what an entry costs beside its value: the entry, its
// list element and its map slot.
const fragmentOverhead = 160

// newFragmentCache returns a cache of at most max bytes, or nil (none)
// when max is not positive; with sharedOnly, it keeps only the parts that
// several pages show.
func newFragmentCache(max int64, sharedOnly bool) *fragmentCache {
	if max <= 0 {
		return nil
	}
	return &fragmentCache{max: max, sharedOnly: sharedOnly, entries: map[fragmentKey]*list.Element{}, articles: map[string]int64{}}
}

// generation is read before the posts whose fragments will be kept: put
// keeps nothing worked out from what was read before a change.
func (c *fragmentCache) generation() uint64 {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// get returns the post's part for its version updated at updated.
func (c *fragmentCache) get(id int64, pt part, updated time.Time) (any, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[fragmentKey{id, pt}]
	if e == nil {
		return nil, false
	}
	f := e.Value.(*fragment)
	if f.updated != updated.Unix() {
		return nil, false
	}
	c.lru.MoveToFront(e)
	return f.value, true
}

// hasArticle reports whether the article of the post of that slug is kept,
// for some version of it.
func (c *fragmentCache) hasArticle(slug string) bool {
	if c == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.articles[slug]
	return ok
}

// put keeps a post's part, of size bytes, unless a change came since
// generation gen.
func (c *fragmentCache) put(id int64, pt part, updated time.Time, value any, size int, gen uint64) {
	c.putFragment(&fragment{key: fragmentKey{id, pt}, updated: updated.Unix(), value: value, size: int64(size) + fragmentOverhead}, gen)
}

// putArticle keeps a post's article, as put does, remembering its slug.
func (c *fragmentCache) putArticle(p *content.Post, html template.HTML, gen uint64) {
	f := &fragment{key: fragmentKey{p.ID, articlePart}, updated: p.UpdatedAt.Unix(), value: html, size: int64(len(html)+len(p.Slug)) + fragmentOverhead}
	if p.Kind == content.KindPost {
		f.slug = p.Slug
	}
	c.putFragment(f, gen)
}

func (c *fragmentCache) putFragment(f *fragment, gen uint64) {
	if c == nil || c.sharedOnly && (f.key.part == articlePart || f.key.part == entryMetaPart) {
		return
	}
	if f.size > c.max/4 {
		return // one fragment must not empty the cache
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if e := c.entries[f.key]; e != nil {
		c.remove(e)
	}
	c.entries[f.key] = c.lru.PushFront(f)
	c.size += f.size
	if f.slug != "" {
		c.articles[f.slug] = f.key.post
	}
	for c.size > c.max {
		c.remove(c.lru.Back())
	}
}

// remove drops e; c.mu is held.
func (c *fragmentCache) remove(e *list.Element) {
	f := c.lru.Remove(e).(*fragment)
	delete(c.entries, f.key)
	c.size -= f.size
	if f.slug != "" && c.articles[f.slug] == f.key.post {
		delete(c.articles, f.slug)
	}
}

// parts are every part a post may have kept.
var parts = [...]part{teaserPart, articlePart, entryMetaPart, feedItemPart, leadPart}

// forget drops what a committed change makes stale: the changed posts'
// fragments, or every fragment when settings, terms, users or aliases
// changed.
func (c *fragmentCache) forget(ch store.Change) {
	if c == nil || ch.Empty() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if ch.Site {
		c.entries = map[fragmentKey]*list.Element{}
		c.articles = map[string]int64{}
		c.lru.Init()
		c.size = 0
		return
	}
	for _, id := range ch.Posts {
		for _, pt := range parts {
			if e := c.entries[fragmentKey{id, pt}]; e != nil {
				c.remove(e)
			}
		}
	}
}
