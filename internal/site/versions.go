package site

import (
	"context"
	"sync"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
)

// postVersions keeps what pages read of posts' versions when the fragment
// cache keeps what they render of each version: by slug, what a post's
// page reads when its article and head are kept
// (store.FindPostPageVersion), what names the post's version, and its
// older and newer neighbours' links; by listing page, which posts it lists
// and their versions, and how many the listing has
// (store.FindPostVersions). Both change with any post (published,
// unpublished, retitled, moved) and when a post dated in the future
// becomes public: so every change forgets them all, and they hold only
// within a span of time in which no post becomes public. They are trusted
// only while the process hears every change, other processes' included
// (store.DB.Relaying). Bounded in entries; a nil postVersions keeps
// nothing.
type postVersions struct {
	db *store.DB

	mu sync.Mutex
	// gen is bumped by forget and by a new span.
	gen   uint64
	m     map[string]postVersion
	lists map[string]listVersions
	// [from, until) is the span of time, in Unix seconds, the entries
	// were read in, in which no post becomes public; until 0: nothing is
	// scheduled. settled is false until a span is known.
	from, until int64
	settled     bool
}

// postVersion is a post's version and its neighbours' links, as
// FindPostPageVersion reads them; none of them is ever modified.
type postVersion struct{ post, older, newer *content.Post }

// listVersions are the posts one page of a listing shows, and how many
// the listing has; the slice is never modified.
type listVersions struct {
	versions []store.PostVersion
	total    int
}

// maxPostVersions bounds the posts' entries kept: each is three posts
// without their bodies, authors or terms, about 1.5 kB; maxListVersions
// the listings' pages, each a few dozen bytes a post.
const (
	maxPostVersions = 8192
	maxListVersions = 4096
)

func newPostVersions(db *store.DB) *postVersions {
	return &postVersions{db: db}
}

// untrusted is the generation get returns when nothing may be kept.
const untrusted = ^uint64(0)

// get returns what is kept for slug at now, and the generation to put
// what is read otherwise.
func (v *postVersions) get(slug string, now time.Time) (pv postVersion, gen uint64, ok bool) {
	if v == nil || !v.db.Relaying() {
		return postVersion{}, untrusted, false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.holds(now.Unix()) {
		return postVersion{}, v.gen, false
	}
	pv, ok = v.m[slug]
	return pv, v.gen, ok
}

// list returns what is kept for the listing's page named key at now, and
// the generation to put what is read otherwise.
func (v *postVersions) list(key string, now time.Time) (lv listVersions, gen uint64, ok bool) {
	if v == nil || !v.db.Relaying() {
		return listVersions{}, untrusted, false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.holds(now.Unix()) {
		return listVersions{}, v.gen, false
	}
	lv, ok = v.lists[key]
	return lv, v.gen, ok
}

// holds reports whether the span kept holds the instant u; v.mu is held.
func (v *postVersions) holds(u int64) bool {
	return v.settled && u >= v.from && (v.until == 0 || u < v.until)
}

// put keeps pv, read at now, for slug, unless a change came since
// generation gen was read, before pv.
func (v *postVersions) put(ctx context.Context, slug string, now time.Time, gen uint64, pv postVersion) {
	if !v.settle(ctx, now, gen) {
		return
	}
	defer v.mu.Unlock()
	v.m = keep(v.m, maxPostVersions, slug, pv)
}

// putList keeps lv, read at now, for the listing's page named key, unless
// a change came since generation gen was read, before lv.
func (v *postVersions) putList(ctx context.Context, key string, now time.Time, gen uint64, lv listVersions) {
	if !v.settle(ctx, now, gen) {
		return
	}
	defer v.mu.Unlock()
	v.lists = keep(v.lists, maxListVersions, key, lv)
}

// keep sets m[k] = val, making m if nil and taking any one entry out first
// when it holds max; it returns m.
func keep[K comparable, V any](m map[K]V, max int, k K, val V) map[K]V {
	if m == nil {
		m = map[K]V{}
	}
	if _, ok := m[k]; !ok && len(m) >= max {
		for old := range m { // one out, any
			delete(m, old)
			break
		}
	}
	m[k] = val
	return m
}

// settle reports whether what was read at now, after generation gen, may
// be kept, with v.mu then held: no change came since, and the span kept
// holds now, found anew if need be.
func (v *postVersions) settle(ctx context.Context, now time.Time, gen uint64) bool {
	if v == nil || gen == untrusted || !v.db.Relaying() {
		return false
	}
	u := now.Unix()
	v.mu.Lock()
	if v.gen != gen {
		v.mu.Unlock()
		return false
	}
	if !v.holds(u) {
		v.mu.Unlock()
		// A new span: from now until the next post becomes public.
		_, next, scheduled, err := v.db.NextScheduled(ctx, now)
		if err != nil {
			return false
		}
		v.mu.Lock()
		if v.gen != gen {
			v.mu.Unlock()
			return false // a change landed meanwhile
		}
		v.gen++
		v.m, v.lists = nil, nil
		v.settled, v.from, v.until = true, u, 0
		if scheduled {
			v.until = next.Unix()
		}
		if !v.holds(u) {
			v.mu.Unlock()
			return false
		}
	}
	return true
}

// forget drops everything on a committed change.
func (v *postVersions) forget(ch store.Change) {
	if v == nil || ch.Empty() {
		return
	}
	v.mu.Lock()
	v.gen++
	v.m, v.lists = nil, nil
	v.settled = false // the change may have dated a post in the span
	v.mu.Unlock()
}

// versionOf is what FindPostPageVersion reads of p, or nil.
func versionOf(p *content.Post) *content.Post {
	if p == nil {
		return nil
	}
	return &content.Post{ID: p.ID, Kind: p.Kind, Slug: p.Slug, Title: p.Title, Status: p.Status,
		PublishedAt: p.PublishedAt, UpdatedAt: p.UpdatedAt, SEOTitle: p.SEOTitle}
}
