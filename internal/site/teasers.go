package site

import (
	"container/list"
	"context"
	"html/template"
	"sync"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web/cache"
)

// teaserCache keeps posts' teasers as the theme's "teaser" template
// renders them, so that the front page, its pages and the archives render
// each post's teaser once per version of the post instead of once per
// listing and reader. It is bounded in bytes, least recently used first
// out, and follows the store's changes (forget): a changed post loses its
// teaser; a change to settings, terms, users or aliases (which teasers
// show: authors' and terms' names and addresses) loses them all. A nil
// teaserCache keeps nothing.
type teaserCache struct {
	max int64

	mu      sync.Mutex
	gen     uint64 // bumped by every change
	entries map[int64]*list.Element
	lru     list.List // of *teaser, front: most recently used
	size    int64
}

// teaser is one post's rendered teaser, for the version of the post last
// updated at updated (Unix seconds).
type teaser struct {
	id      int64
	updated int64
	html    template.HTML
}

// teaserOverhead is what an entry costs beside its HTML: the entry, its
// list element and its map slot.
const teaserOverhead = 160

func (t *teaser) size() int64 { return int64(len(t.html)) + teaserOverhead }

// newTeaserCache returns a cache of at most max bytes, or nil (none) when
// max is not positive.
func newTeaserCache(max int64) *teaserCache {
	if max <= 0 {
		return nil
	}
	return &teaserCache{max: max, entries: map[int64]*list.Element{}}
}

// generation is read before the posts whose teasers will be kept: put
// keeps nothing rendered from what was read before a change.
func (c *teaserCache) generation() uint64 {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// get returns the teaser of the post's version updated at updated.
func (c *teaserCache) get(id int64, updated time.Time) (template.HTML, bool) {
	if c == nil {
		return "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[id]
	if e == nil {
		return "", false
	}
	t := e.Value.(*teaser)
	if t.updated != updated.Unix() {
		return "", false
	}
	c.lru.MoveToFront(e)
	return t.html, true
}

// put keeps a post's teaser unless a change came since generation gen.
func (c *teaserCache) put(id int64, updated time.Time, html template.HTML, gen uint64) {
	if c == nil {
		return
	}
	t := &teaser{id: id, updated: updated.Unix(), html: html}
	if t.size() > c.max/4 {
		return // one teaser must not empty the cache
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if e := c.entries[id]; e != nil {
		c.remove(e)
	}
	c.entries[id] = c.lru.PushFront(t)
	c.size += t.size()
	for c.size > c.max {
		c.remove(c.lru.Back())
	}
}

// remove drops e; c.mu is held.
func (c *teaserCache) remove(e *list.Element) {
	t := c.lru.Remove(e).(*teaser)
	delete(c.entries, t.id)
	c.size -= t.size()
}

// forget drops what a committed change makes stale: the changed posts'
// teasers, or every teaser when settings, terms, users or aliases changed.
func (c *teaserCache) forget(ch store.Change) {
	if c == nil || ch.Empty() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if ch.Site {
		c.entries = map[int64]*list.Element{}
		c.lru.Init()
		c.size = 0
		return
	}
	for _, id := range ch.Posts {
		if e := c.entries[id]; e != nil {
			c.remove(e)
		}
	}
}

// listed is one page of a listing: its posts' teasers, and the posts
// themselves, read only if something asks for them (ListPage.Posts).
type listed struct {
	teasers []template.HTML
	ids     []int64
	posts   []*content.Post // nil until loaded
	// load reads the posts; ctx is the request's, which the page's
	// rendering does not outlive.
	ctx  context.Context
	load func(ctx context.Context, ids []int64) ([]*content.Post, error)
}

// allPosts returns the listed posts with their authors and terms.
func (l *listed) allPosts() ([]*content.Post, error) {
	if l.posts == nil && len(l.ids) > 0 {
		posts, err := l.load(l.ctx, l.ids)
		if err != nil {
			return nil, err
		}
		l.posts = posts
	}
	return l.posts, nil
}

// listTeasers reads one page of the posts f selects and renders their
// teasers, reusing those the teaser cache holds: a page whose teasers are
// all there costs one query and no rendering of teasers. It returns the
// page and the number of posts the listing has.
func (s *Site) listTeasers(ctx context.Context, f store.PostFilter) (*listed, int, error) {
	gen := s.teasers.generation()
	l := &listed{ctx: ctx, load: s.cfg.DB.FindPostsByIDs}
	var versions []store.PostVersion
	var total int
	// The page cache, when it keeps this page, wants the posts with their
	// authors and terms (cache.Shows); so does a site without teasers kept.
	if s.teasers == nil || cache.Recording(ctx) {
		posts, n, err := s.cfg.DB.FindPosts(ctx, f)
		if err != nil {
			return nil, 0, err
		}
		cache.Shows(ctx, posts...)
		l.posts, total = posts, n
		for _, p := range posts {
			versions = append(versions, store.PostVersion{ID: p.ID, PublishedAt: p.PublishedAt, UpdatedAt: p.UpdatedAt})
		}
	} else {
		var err error
		if versions, total, err = s.cfg.DB.FindPostVersions(ctx, f); err != nil {
			return nil, 0, err
		}
	}
	l.teasers = make([]template.HTML, len(versions))
	l.ids = make([]int64, len(versions))
	have := make([]bool, len(versions))
	var missing []int64
	for i, v := range versions {
		l.ids[i] = v.ID
		if l.teasers[i], have[i] = s.teasers.get(v.ID, v.UpdatedAt); !have[i] {
			missing = append(missing, v.ID)
		}
	}
	if len(missing) == 0 {
		return l, total, nil
	}
	var fresh []*content.Post
	if l.posts != nil {
		for i, p := range l.posts {
			if !have[i] {
				fresh = append(fresh, p)
			}
		}
	} else {
		var err error
		if fresh, err = s.cfg.DB.FindPostsByIDs(ctx, missing); err != nil {
			return nil, 0, err
		}
	}
	rendered := make(map[int64]template.HTML, len(fresh))
	buf := s.tmpl.GetBuffer()
	defer s.tmpl.PutBuffer(buf)
	for _, p := range fresh {
		buf.Reset()
		if err := s.tmpl.ExecuteBlock(buf, "list", "teaser", p); err != nil {
			return nil, 0, err
		}
		html := template.HTML(buf.String())
		rendered[p.ID] = html
		s.teasers.put(p.ID, p.UpdatedAt, html, gen)
	}
	// A post deleted between the two reads is left out.
	n := 0
	for i, id := range l.ids {
		html, ok := l.teasers[i], have[i]
		if !ok {
			if html, ok = rendered[id]; !ok {
				continue
			}
		}
		l.teasers[n], l.ids[n] = html, id
		n++
	}
	l.teasers, l.ids = l.teasers[:n], l.ids[:n]
	return l, total, nil
}
