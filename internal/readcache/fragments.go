package readcache

import (
	"container/list"
	"sync"
	"time"
)

// Part names what of a post a fragment is; the site numbers its parts
// from 0 up to MaxParts.
type Part uint8

// MaxParts bounds the parts a post may have kept.
const MaxParts = 8

// Fragments keeps what the site works out from one version of a post and
// would otherwise work out again for every reader (its teaser, its
// article, its page's description, its feed item): bounded in bytes,
// least recently used first out. A changed post loses its fragments; a
// change to the site (settings, terms, users or aliases, which fragments
// show) loses them all. It knows the slugs of the posts whose article it
// keeps, so that a post's page knows without a query whether reading the
// post's version first may pay. A nil Fragments keeps nothing.
//
// The values kept are immutable (rendered HTML, and values their users
// never change): they are handed out as they are.
type Fragments struct {
	owner *Caches
	max   int64
	// skip names the parts not kept (a site that renders each page once
	// would never read a post's own parts again).
	skip func(Part) bool
	// articlePart is the part whose slug is remembered (HasArticle).
	articlePart Part

	mu      sync.Mutex
	entries map[fragmentKey]*list.Element
	lru     list.List // of *fragment, front: most recently used
	size    int64
	// articles are the posts whose article is kept, by slug.
	articles map[string]int64
}

type fragmentKey struct {
	post int64
	part Part
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

// FragmentOverhead is what an entry costs beside its value: the entry, its
// list element and its map slot.
const FragmentOverhead = 160

// NewFragments adds to c a fragment cache of at most max bytes, or returns
// nil (none) when max is not positive; skip, when not nil, names the parts
// not kept; article is the part HasArticle knows the slugs of.
func NewFragments(c *Caches, max int64, article Part, skip func(Part) bool) *Fragments {
	if max <= 0 || c == nil {
		return nil
	}
	f := &Fragments{owner: c, max: max, skip: skip, articlePart: article, entries: map[fragmentKey]*list.Element{}, articles: map[string]int64{}}
	c.register(f)
	return f
}

// Generation is read before the posts whose fragments will be kept: Put
// keeps nothing worked out from what was read before a change.
func (c *Fragments) Generation() uint64 {
	if c == nil {
		return 0
	}
	return c.owner.Generation()
}

// Get returns the post's part for its version updated at updated.
func (c *Fragments) Get(id int64, pt Part, updated time.Time) (any, bool) {
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

// HasArticle reports whether the article of the post of that slug is
// kept, for some version of it.
func (c *Fragments) HasArticle(slug string) bool {
	if c == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.articles[slug]
	return ok
}

// Put keeps a post's part, of size bytes, unless a change came since
// generation gen.
func (c *Fragments) Put(id int64, pt Part, updated time.Time, value any, size int, gen uint64) {
	if c == nil {
		return
	}
	c.put(&fragment{key: fragmentKey{id, pt}, updated: updated.Unix(), value: value, size: int64(size) + FragmentOverhead}, gen)
}

// PutArticle keeps a post's article, as Put does, remembering its slug
// unless slug is "" (a page's, which HasArticle does not serve).
func (c *Fragments) PutArticle(id int64, slug string, updated time.Time, value any, size int, gen uint64) {
	if c == nil {
		return
	}
	c.put(&fragment{key: fragmentKey{id, c.articlePart}, updated: updated.Unix(), value: value,
		size: int64(size+len(slug)) + FragmentOverhead, slug: slug}, gen)
}

func (c *Fragments) put(f *fragment, gen uint64) {
	if c.skip != nil && c.skip(f.key.part) {
		return
	}
	if f.size > c.max/4 {
		return // one fragment must not empty the cache
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.owner.Generation() != gen {
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
func (c *Fragments) remove(e *list.Element) {
	f := c.lru.Remove(e).(*fragment)
	delete(c.entries, f.key)
	c.size -= f.size
	if f.slug != "" && c.articles[f.slug] == f.key.post {
		delete(c.articles, f.slug)
	}
}

// Size returns the bytes and the entries kept.
func (c *Fragments) Size() (bytes int64, entries int) {
	if c == nil {
		return 0, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size, len(c.entries)
}

// apply drops what a change makes stale: the changed posts' fragments, or
// every fragment when the site changed. A fragment names the version of
// its post, so a new span changes none.
func (c *Fragments) apply(ch Change, spanOnly bool) {
	if spanOnly {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch.Site {
		c.entries = map[fragmentKey]*list.Element{}
		c.articles = map[string]int64{}
		c.lru.Init()
		c.size = 0
		return
	}
	for _, id := range ch.Posts {
		for pt := Part(0); pt < MaxParts; pt++ {
			if e := c.entries[fragmentKey{id, pt}]; e != nil {
				c.remove(e)
			}
		}
	}
}
