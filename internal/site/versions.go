package site

import (
	"context"
	"sync"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
)

// postVersions keeps, by slug, what a post's page reads when the fragment
// cache keeps its article and head (store.FindPostPageVersion): what names
// the post's version, and its older and newer neighbours' links. What a
// post's page shows of its neighbours changes with any post (published,
// unpublished, retitled, moved) and when a scheduled post's time comes: so
// every change forgets them all, and they hold only within a span of time
// in which no post becomes public. They are trusted only while the process
// hears every change, other processes' included (store.DB.Relaying).
// Bounded in entries; a nil postVersions keeps nothing.
type postVersions struct {
	db *store.DB

	mu sync.Mutex
	// gen is bumped by forget and by a new span.
	gen uint64
	m   map[string]postVersion
	// [from, until) is the span of time, in Unix seconds, the entries
	// were read in, in which no post becomes public; until 0: nothing is
	// scheduled. settled is false until a span is known.
	from, until int64
	settled     bool
}

// postVersion is a post's version and its neighbours' links, as
// FindPostPageVersion reads them; none of them is ever modified.
type postVersion struct{ post, older, newer *content.Post }

// maxPostVersions bounds the entries kept: each is three posts without
// their bodies, authors or terms, about 1.5 kB.
const maxPostVersions = 8192

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

// holds reports whether the span kept holds the instant u; v.mu is held.
func (v *postVersions) holds(u int64) bool {
	return v.settled && u >= v.from && (v.until == 0 || u < v.until)
}

// put keeps pv, read at now, for slug, unless a change came since
// generation gen was read, before pv.
func (v *postVersions) put(ctx context.Context, slug string, now time.Time, gen uint64, pv postVersion) {
	if v == nil || gen == untrusted || !v.db.Relaying() {
		return
	}
	u := now.Unix()
	v.mu.Lock()
	if v.gen != gen {
		v.mu.Unlock()
		return
	}
	if !v.holds(u) {
		v.mu.Unlock()
		// A new span: from now until the next post becomes public.
		_, next, scheduled, err := v.db.NextScheduled(ctx, now)
		if err != nil {
			return
		}
		v.mu.Lock()
		if v.gen != gen {
			v.mu.Unlock()
			return // a change landed meanwhile
		}
		v.gen++
		v.m = nil
		v.settled, v.from, v.until = true, u, 0
		if scheduled {
			v.until = next.Unix()
		}
		if !v.holds(u) {
			v.mu.Unlock()
			return
		}
	}
	defer v.mu.Unlock()
	if v.m == nil {
		v.m = map[string]postVersion{}
	}
	if len(v.m) >= maxPostVersions {
		for k := range v.m { // one out, any
			delete(v.m, k)
			break
		}
	}
	v.m[slug] = pv
}

// forget drops everything on a committed change.
func (v *postVersions) forget(ch store.Change) {
	if v == nil || ch.Empty() {
		return
	}
	v.mu.Lock()
	v.gen++
	v.m = nil
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
