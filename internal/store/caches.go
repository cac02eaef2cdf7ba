package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/readcache"
	"github.com/broadsheet/broadsheet/internal/search"
)

// Caches returns the owner of the database's read-model caches, for the
// site to keep its own under: what it keeps is forgotten with the store's,
// by the one path every change takes (DB.Publish).
func (db *DB) Caches() *readcache.Caches { return db.caches.owner }

// caches are the store's read-model caches, each a map of the owner's:
// listing counts, cursors and pages, posts' pages and relations, terms
// and users by slug, searches and stamps, and what is read ahead for a
// reader going through the whole site. They are used only while the
// process hears every change (see conn.memo); what they hand out is the
// caller's own. Every committed or relayed change forgets them
// (DB.Publish); the filters' "published before now" bound keeps scheduled
// posts correct, and what holds for a span without publications only
// (readcache.Options.Span) goes when the span ends.
type caches struct {
	owner *readcache.Caches

	counts  *readcache.Map[string, int]    // listings' counts
	cursors *readcache.Map[string, cursor] // where a listing's page at an offset starts
	rels    *readcache.Map[int64, relations]
	// relTerms and relUsers are the terms and authors loadRelations has
	// read, by id: posts whose links name only those need no more than
	// their links read (loadKnownRelations).
	relTerms *readcache.Map[int64, content.Term]
	relUsers *readcache.Map[int64, content.User]
	// pages are listings' pages as FindPostVersions reads them, and
	// postPages posts' versions with their neighbours' links as
	// FindPostPageVersion reads them, by slug.
	pages     *readcache.Map[string, versionsPage]
	postPages *readcache.Map[string, postPage]
	// terms and users are archives' terms and authors by slug
	// (FindTermBySlug, FindUserBySlug).
	terms *readcache.Map[string, content.Term]
	users *readcache.Map[string, content.User]
	// searches are readers' searches answered in the span, by request.
	searches *readcache.Map[string, search.Results]
	// stamps are the public entries' stamps by kind (FindStamps), and
	// archives the archives' (FindTermStamps by taxonomy, FindAuthorStamps
	// under ""): the sitemaps read them whole, each several times.
	stamps   *readcache.Map[content.Kind, []Stamp]
	archives *readcache.Map[content.Taxonomy, []ArchiveStamp]
	// related are posts' related posts and more from their outlet
	// (FindRelatedPosts), by post.
	related *readcache.Map[relatedKey, Related]

	// ahead is how many posts' pages or listings' pages one read serves
	// for a reader going through them all in order (DB.ReadAhead); 0: one.
	ahead atomic.Int64
	// aheadMu lets one reader at a time read ahead, so that a second
	// reader waits for the posts the first is reading instead of reading
	// them again.
	aheadMu sync.Mutex
	// aheadPosts are posts' pages read ahead, by slug, and aheadFeatured
	// their featured images (nil: none), by post id: each is taken once.
	aheadPosts    *readcache.Map[string, postPage]
	aheadFeatured *readcache.Map[int64, *content.Media]
	// aheadFrom holds the slug of the post after the last posts' pages
	// read ahead, where the next read starts.
	aheadFrom *readcache.Map[struct{}, string]
	// aheadNext are, for each post of a listing's pages read ahead, the
	// posts listed after it, and aheadByID posts read ahead for listings
	// (FindPostsByIDs), by id, each taken once. aheadGiven are the posts
	// FindPostsByIDs has given the reader: they are not read ahead again,
	// for the reader keeps what it shows of them (the site, a post's
	// teaser), and another listing that shows them asks for none.
	aheadNext  *readcache.Map[int64, []int64]
	aheadByID  *readcache.Map[int64, *content.Post]
	aheadGiven *readcache.Map[int64, bool]
	// events are pages of the upcoming or past events (FindEvents), for
	// the span: an event's end closes it (NextScheduled).
	events *readcache.Map[string, eventsPage]
}

// Bounds of the caches. maxPages bounds the listings' pages, each a few
// dozen bytes a post; maxPostPages the posts' versions, each three posts
// without their text, about 1.5 kB.
const (
	maxCounts    = 10000
	maxCursors   = 20000
	maxRels      = 32768
	maxPages     = 4096
	maxPostPages = 8192
	// maxAhead bounds the posts' pages read ahead, each a post with its
	// text; ReadAhead bounds what one read asks for.
	maxAhead = 1024
	// maxAheadNext bounds the posts whose followers in a listing are kept.
	maxAheadNext = 16384
	// maxNamed bounds the terms and the users remembered by slug.
	maxNamed = 4096
	// maxSearches bounds the searches remembered, each a page of posts
	// without their text and their snippets, about 20 kB.
	maxSearches = 256
)

func newCaches(owner *readcache.Caches) *caches {
	return &caches{
		owner:         owner,
		counts:        readcache.NewMap[string, int](owner, readcache.Options[int]{Max: maxCounts, Span: true}),
		cursors:       readcache.NewMap[string, cursor](owner, readcache.Options[cursor]{Max: maxCursors, Span: true}),
		rels:          readcache.NewMap[int64, relations](owner, readcache.Options[relations]{Max: maxRels, Copy: relations.clone}),
		relTerms:      readcache.NewMap[int64, content.Term](owner, readcache.Options[content.Term]{Max: maxNamed}),
		relUsers:      readcache.NewMap[int64, content.User](owner, readcache.Options[content.User]{Max: maxNamed}),
		pages:         readcache.NewMap[string, versionsPage](owner, readcache.Options[versionsPage]{Max: maxPages, Span: true, Copy: versionsPage.clone}),
		postPages:     readcache.NewMap[string, postPage](owner, readcache.Options[postPage]{Max: maxPostPages, Span: true, Copy: postPage.clone}),
		terms:         readcache.NewMap[string, content.Term](owner, readcache.Options[content.Term]{Max: maxNamed}),
		users:         readcache.NewMap[string, content.User](owner, readcache.Options[content.User]{Max: maxNamed}),
		searches:      readcache.NewMap[string, search.Results](owner, readcache.Options[search.Results]{Max: maxSearches, Span: true, Copy: cloneResults}),
		stamps:        readcache.NewMap[content.Kind, []Stamp](owner, readcache.Options[[]Stamp]{Max: 2, Span: true, Copy: slices.Clone[[]Stamp]}),
		archives:      readcache.NewMap[content.Taxonomy, []ArchiveStamp](owner, readcache.Options[[]ArchiveStamp]{Max: 3, Span: true, Copy: slices.Clone[[]ArchiveStamp]}),
		related:       readcache.NewMap[relatedKey, Related](owner, readcache.Options[Related]{Max: maxPostPages, Span: true, Copy: Related.clone}),
		aheadPosts:    readcache.NewMap[string, postPage](owner, readcache.Options[postPage]{Max: maxAhead, Span: true, Copy: postPage.clone}),
		aheadFeatured: readcache.NewMap[int64, *content.Media](owner, readcache.Options[*content.Media]{Max: maxAhead, Span: true, Copy: cloneMedia}),
		aheadFrom:     readcache.NewMap[struct{}, string](owner, readcache.Options[string]{Max: 1, Span: true}),
		aheadNext:     readcache.NewMap[int64, []int64](owner, readcache.Options[[]int64]{Max: maxAheadNext, Span: true}),
		aheadByID:     readcache.NewMap[int64, *content.Post](owner, readcache.Options[*content.Post]{Max: maxAhead, Span: true, Copy: clonePost}),
		aheadGiven:    readcache.NewMap[int64, bool](owner, readcache.Options[bool]{Max: maxAheadNext, Span: true}),
		events:        readcache.NewMap[string, eventsPage](owner, readcache.Options[eventsPage]{Max: maxCounts, Span: true, Copy: eventsPage.clone}),
	}
}

// settle returns the instant that stands for t in listings: the start of
// the span without publications that holds t, so that readers a second
// apart share counts and cursors. Outside a DB (a Tx) it returns t.
func (m *caches) settle(ctx context.Context, c conn, t time.Time) time.Time {
	if m == nil || t.IsZero() {
		return t
	}
	if from, ok := m.owner.Span(t); ok {
		return from
	}
	gen := m.owner.Generation()
	_, next, ok, err := c.NextScheduled(ctx, t)
	if err != nil {
		return t
	}
	if !ok {
		next = time.Time{}
	}
	m.owner.SetSpan(time.Unix(t.Unix(), 0), next, gen)
	return t
}

func (m *caches) generation() uint64 {
	if m == nil {
		return 0
	}
	return m.owner.Generation()
}

// cursor is the last post of a page: the next page starts after it.
type cursor struct{ pub, id int64 }

// pageKey names a listing for cursors, or "" on a Tx (nil caches).
func (m *caches) pageKey(where string, args []any) string {
	if m == nil {
		return ""
	}
	return where + fmt.Sprint(args...)
}

// cursor returns where the listing's page at offset starts, if known.
func (m *caches) cursor(key string, offset int) (cursor, bool) {
	if offset == 0 {
		return cursor{}, false
	}
	c, _, ok := m.cursors.Get(key+"@"+strconv.Itoa(offset), time.Time{})
	return c, ok
}

// putCursor remembers where the page at offset starts unless a change
// came since gen was read.
func (m *caches) putCursor(key string, offset int, c cursor, gen uint64) {
	m.cursors.Put(key+"@"+strconv.Itoa(offset), c, gen, time.Time{})
}

// relations are a post's authors and terms.
type relations struct {
	authors          []content.User
	categories, tags []content.Term
}

func (r relations) clone() relations {
	return relations{slices.Clone(r.authors), slices.Clone(r.categories), slices.Clone(r.tags)}
}

// relations returns the authors and terms remembered of each post of ids
// it knows, and the generation to put those it lacks with.
func (m *caches) relations(ids []int64) (map[int64]relations, uint64) {
	gen := m.owner.Generation()
	found := map[int64]relations{}
	for _, id := range ids {
		if r, _, ok := m.rels.Get(id, time.Time{}); ok {
			found[id] = r
		}
	}
	return found, gen
}

// putRelations remembers posts' relations, and the terms and authors they
// name, unless a change came since gen.
func (m *caches) putRelations(rels map[int64]relations, gen uint64) {
	for id, r := range rels {
		m.rels.Put(id, r, gen, time.Time{})
		for _, u := range r.authors {
			m.relUsers.Put(u.ID, u, gen, time.Time{})
		}
		for _, terms := range [][]content.Term{r.categories, r.tags} {
			for _, t := range terms {
				m.relTerms.Put(t.ID, t, gen, time.Time{})
			}
		}
	}
}

// knowsRelated reports whether any term or author is known (relTerms).
func (m *caches) knowsRelated() bool {
	return m.relTerms.Len()+m.relUsers.Len() > 0
}

// resolve makes the relations of posts from their links, in order, with
// the terms and authors known; ok is false when one is not known, or a
// change came since gen.
func (m *caches) resolve(posts []*content.Post, links []postLink, gen uint64) (rels map[int64]relations, ok bool) {
	rels = make(map[int64]relations, len(posts))
	for _, p := range posts {
		rels[p.ID] = relations{}
	}
	for _, l := range links {
		r := rels[l.post]
		if l.rel == 0 {
			u, g, known := m.relUsers.Get(l.id, time.Time{})
			if !known || g != gen {
				return nil, false
			}
			r.authors = append(r.authors, u)
		} else {
			t, g, known := m.relTerms.Get(l.id, time.Time{})
			if !known || g != gen {
				return nil, false
			}
			if t.Taxonomy == content.TaxTag {
				r.tags = append(r.tags, t)
			} else {
				r.categories = append(r.categories, t)
			}
		}
		rels[l.post] = r
	}
	return rels, true
}

// versionsPage is one page of a listing as FindPostVersions reads it.
type versionsPage struct {
	versions []PostVersion
	total    int
}

func (p versionsPage) clone() versionsPage {
	return versionsPage{slices.Clip(slices.Clone(p.versions)), p.total}
}

// postPage is a post and its neighbours: in postPages as
// FindPostPageVersion reads them; in aheadPosts as FindPostPage reads
// them, for one caller.
type postPage struct{ p, older, newer *content.Post }

func (pp postPage) clone() postPage {
	return postPage{clonePost(pp.p), clonePost(pp.older), clonePost(pp.newer)}
}

// clonePost returns a copy of p sharing nothing a caller may change, or
// nil.
func clonePost(p *content.Post) *content.Post {
	if p == nil {
		return nil
	}
	q := *p
	q.Authors, q.Categories, q.Tags = slices.Clone(p.Authors), slices.Clone(p.Categories), slices.Clone(p.Tags)
	if p.Source != nil {
		src := *p.Source
		q.Source = &src
	}
	if p.Event != nil {
		e := *p.Event
		q.Event = &e
	}
	if p.Book != nil {
		b := *p.Book
		b.Authors, b.BuyLinks = slices.Clone(p.Book.Authors), slices.Clone(p.Book.BuyLinks)
		q.Book = &b
	}
	return &q
}

func cloneMedia(m *content.Media) *content.Media {
	if m == nil {
		return nil
	}
	c := *m
	c.Variants = slices.Clone(m.Variants)
	return &c
}

// cloneResults copies a page of search results and its posts: in a few
// allocations, for every reader of a search kept makes one. The posts'
// authors and terms share arrays, each slice capped at its own end, so
// that appending to one never writes into another's.
func cloneResults(r search.Results) search.Results {
	hits := slices.Clone(r.Hits)
	var nPosts, nUsers, nTerms, nSources int
	for _, h := range hits {
		if p := h.Post; p != nil {
			nPosts++
			nUsers += len(p.Authors)
			nTerms += len(p.Categories) + len(p.Tags)
			if p.Source != nil {
				nSources++
			}
		}
	}
	posts := make([]content.Post, 0, nPosts)
	users := make([]content.User, 0, nUsers)
	terms := make([]content.Term, 0, nTerms)
	sources := make([]content.Source, 0, nSources)
	for i, h := range hits {
		p := h.Post
		if p == nil {
			continue
		}
		posts = append(posts, *p)
		q := &posts[len(posts)-1]
		q.Authors = appendOwn(&users, p.Authors)
		q.Categories = appendOwn(&terms, p.Categories)
		q.Tags = appendOwn(&terms, p.Tags)
		if p.Source != nil {
			sources = append(sources, *p.Source)
			q.Source = &sources[len(sources)-1]
		}
		hits[i].Post = q
	}
	return search.Results{Hits: hits, Total: r.Total}
}

// appendOwn appends s to *into, whose capacity holds it, and returns the
// copy, capped at its end; nil for nil.
func appendOwn[T any](into *[]T, s []T) []T {
	if s == nil {
		return nil
	}
	start := len(*into)
	*into = append(*into, s...)
	return (*into)[start:len(*into):len(*into)]
}

// dropAhead forgets what was read ahead.
func (m *caches) dropAhead() {
	m.aheadPosts.Clear()
	m.aheadFeatured.Clear()
	m.aheadFrom.Clear()
	m.aheadNext.Clear()
	m.aheadByID.Clear()
	m.aheadGiven.Clear()
}

// readAhead is how many posts or pages one read serves (ReadAhead), or 0.
func (m *caches) readAhead() int {
	if n := m.ahead.Load(); n >= 2 {
		return int(n)
	}
	return 0
}
