package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/search"
)

// QueryCount is the number of SQL statements run through db so far, for
// tests that prove a page costs a fixed number of queries however many
// posts it lists.
func (db *DB) QueryCount() int64 { return db.n.Load() }

// NextScheduled returns the published post whose publication time is the
// soonest after now: it becomes public then without any transaction, so
// caches must expire at that moment. ok is false when there is none.
func (c conn) NextScheduled(ctx context.Context, now time.Time) (id int64, at time.Time, ok bool, err error) {
	var pub int64
	// Both kinds named so that the listing index (kind, status, time) serves.
	err = c.queryRow(ctx, `SELECT p.id, p.published_at FROM posts p WHERE p.kind IN (?, ?) AND p.status = ? AND p.published_at > ?
		ORDER BY p.published_at, p.id LIMIT 1`, content.KindPost, content.KindPage, content.StatusPublished, now.Unix()).Scan(&id, &pub)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, false, nil
	}
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("store: next scheduled post: %w", err)
	}
	return id, fromUnix(pub), true, nil
}

// IndexEntry is what an enumeration of the public site needs of an entry.
type IndexEntry struct {
	ID          int64
	Kind        content.Kind
	Slug        string
	PublishedAt time.Time
}

// Path is the entry's public URL path, as content.Post.Path builds it.
func (e IndexEntry) Path() string {
	p := content.Post{Kind: e.Kind, Slug: e.Slug, PublishedAt: e.PublishedAt}
	return p.Path()
}

// PublicIndex lists what readers can see at now: every public post and page
// (newest first), and how many public posts each term and author has. It
// reads no bodies, so it stays small for large sites.
type PublicIndex struct {
	Entries      []IndexEntry
	TermCounts   map[int64]int
	AuthorCounts map[int64]int
}

// FindPublicIndex builds the PublicIndex in three queries.
func (c conn) FindPublicIndex(ctx context.Context, now time.Time) (*PublicIndex, error) {
	ix := &PublicIndex{TermCounts: map[int64]int{}, AuthorCounts: map[int64]int{}}
	const public = `p.status = ? AND p.published_at <= ?`
	rows, err := c.query(ctx, `SELECT p.id, p.kind, p.slug, p.published_at FROM posts p WHERE `+public+`
		ORDER BY p.published_at DESC, p.id DESC`, content.StatusPublished, now.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: public index: %w", err)
	}
	for rows.Next() {
		var e IndexEntry
		var pub int64
		if err := rows.Scan(&e.ID, &e.Kind, &e.Slug, &pub); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: public index: %w", err)
		}
		e.PublishedAt = fromUnix(pub)
		ix.Entries = append(ix.Entries, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: public index: %w", err)
	}
	for _, q := range []struct {
		sql    string
		counts map[int64]int
	}{
		// Each link carries its post's kind, status and publication time
		// (see Tx.linkPost): the links alone are counted.
		{`SELECT pt.term_id, COUNT(*) FROM post_terms pt
			WHERE pt.kind = ? AND pt.status = ? AND pt.published_at <= ? GROUP BY pt.term_id`, ix.TermCounts},
		{`SELECT pa.user_id, COUNT(*) FROM post_authors pa
			WHERE pa.kind = ? AND pa.status = ? AND pa.published_at <= ? GROUP BY pa.user_id`, ix.AuthorCounts},
	} {
		rows, err := c.query(ctx, q.sql, content.KindPost, content.StatusPublished, now.Unix())
		if err != nil {
			return nil, fmt.Errorf("store: public index counts: %w", err)
		}
		for rows.Next() {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: public index counts: %w", err)
			}
			q.counts[id] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: public index counts: %w", err)
		}
	}
	return ix, nil
}

// FindPublishedBetween returns the IDs of published entries whose
// publication time is in (from, to]: the scheduled posts that went public
// in that span.
func (c conn) FindPublishedBetween(ctx context.Context, from, to time.Time) ([]int64, error) {
	ids, err := c.queryIDs(ctx, `SELECT p.id FROM posts p WHERE p.kind IN (?, ?) AND p.status = ? AND p.published_at > ?
		AND p.published_at <= ? ORDER BY p.published_at, p.id`, content.KindPost, content.KindPage, content.StatusPublished, from.Unix(), to.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: posts published between: %w", err)
	}
	return ids, nil
}

// countPosts counts the posts matching f. A count over a term or an author
// reads its links alone, so it costs the size of the archive, not of the
// site; counts are remembered until the next change (see countMemo).
func (c conn) countPosts(ctx context.Context, f PostFilter) (int, error) {
	l := f.listing()
	q, args := `SELECT COUNT(*) FROM `+l.from+` WHERE `+l.where, l.args
	key, gen := "", uint64(0)
	memo := c.memo()
	if memo != nil {
		key = q + fmt.Sprint(args...)
		var ok bool
		var n int
		if n, gen, ok = memo.get(key); ok {
			return n, nil
		}
	}
	var total int
	if err := c.queryRow(ctx, q, args...).Scan(&total); err != nil {
		return 0, fmt.Errorf("store: count posts: %w", err)
	}
	if memo != nil {
		memo.put(key, total, gen)
	}
	return total, nil
}

// countMemo remembers listing counts between changes: counting a large
// site's posts for every page of teasers would cost more than the page.
// It also remembers posts' authors and terms, which a post's page, the
// listings and the feeds showing it would each read again.
// Every committed or relayed change (DB.Publish) forgets them all; the
// filters' "published before now" bound keeps scheduled posts correct.
type countMemo struct {
	mu      sync.Mutex
	gen     uint64
	m       map[string]int
	cursors map[string]cursor   // where a listing's page at an offset starts
	rels    map[int64]relations // posts' authors and terms (loadRelations)
	// relTerms and relUsers are the terms and authors loadRelations has
	// read, by id: posts whose links name only those need no more than
	// their links read (loadKnownRelations).
	relTerms map[int64]content.Term
	relUsers map[int64]content.User
	// pages are listings' pages as FindPostVersions reads them, and
	// postPages posts' versions with their neighbours' links as
	// FindPostPageVersion reads them, by slug: both hold for the span
	// only.
	pages     map[string]versionsPage
	postPages map[string]postPage
	// terms and users are archives' terms and authors by slug
	// (FindTermBySlug, FindUserBySlug).
	terms map[string]content.Term
	users map[string]content.User
	// searches are readers' searches answered in the span, by request.
	searches map[string]search.Results
	// stamps are the public entries' stamps by kind (FindStamps), and
	// archives the archives' (FindTermStamps by taxonomy, FindAuthorStamps
	// under ""), for the span: the sitemaps read them whole, each several
	// times.
	stamps   map[content.Kind][]Stamp
	archives map[content.Taxonomy][]ArchiveStamp
	// ahead is how many posts' pages or listings' pages one read serves
	// for a reader going through them all in order (DB.ReadAhead); 0: one.
	// aheadPosts are posts' pages read ahead, by slug, and aheadFeatured
	// their featured images (nil: none), by post id: each is taken once.
	// aheadMu lets one reader at a time read ahead, so that a second
	// reader waits for the posts the first is reading instead of reading
	// them again.
	ahead         int
	aheadPosts    map[string]postPage
	aheadFeatured map[int64]*content.Media
	aheadMu       sync.Mutex
	// aheadFrom is the slug of the post after the last posts' pages read
	// ahead, where the next read starts; "" when none is known.
	aheadFrom string
	// aheadNext are, for each post of a listing's pages read ahead, the
	// posts listed after it, and aheadByID posts read ahead for listings
	// (FindPostsByIDs), by id, each taken once. aheadGiven are the posts
	// FindPostsByIDs has given the reader: they are not read ahead again,
	// for the reader keeps what it shows of them (the site, a post's
	// teaser), and another listing that shows them asks for none.
	aheadNext  map[int64][]int64
	aheadByID  map[int64]*content.Post
	aheadGiven map[int64]bool
	// [from, until) is a span in which no post becomes public: every
	// "published before" instant in it selects the same posts. until 0:
	// nothing is scheduled.
	from, until int64
	settled     bool
}

// settle returns the instant that stands for t in listings: the start of
// the span without publications that holds t, so that readers a second
// apart share counts and cursors. Outside a DB (a Tx) it returns t.
func (m *countMemo) settle(ctx context.Context, c conn, t time.Time) time.Time {
	if m == nil || t.IsZero() {
		return t
	}
	u := t.Unix()
	m.mu.Lock()
	if m.settled && u >= m.from && (m.until == 0 || u < m.until) {
		from := m.from
		m.mu.Unlock()
		return time.Unix(from, 0).UTC()
	}
	gen := m.gen
	m.mu.Unlock()
	_, next, ok, err := c.NextScheduled(ctx, t)
	if err != nil {
		return t
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.gen != gen {
		return t // a change landed meanwhile: decide next time
	}
	if m.settled {
		// Another span is being replaced: what was remembered for it
		// holds for it only.
		m.gen++
		m.m, m.cursors, m.pages, m.postPages, m.searches = nil, nil, nil, nil, nil
		m.stamps, m.archives = nil, nil
		m.dropAhead()
	}
	m.settled, m.from, m.until = true, u, 0
	if ok {
		m.until = next.Unix()
	}
	return t
}

// cursor is the last post of a page: the next page starts after it.
type cursor struct{ pub, id int64 }

// pageKey names a listing for cursors, or "" on a Tx (nil memo).
func (m *countMemo) pageKey(where string, args []any) string {
	if m == nil {
		return ""
	}
	return where + fmt.Sprint(args...)
}

func (m *countMemo) generation() uint64 {
	if m == nil {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.gen
}

// cursor returns where the listing's page at offset starts, if known.
func (m *countMemo) cursor(key string, offset int) (cursor, bool) {
	if offset == 0 {
		return cursor{}, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.cursors[key+"@"+strconv.Itoa(offset)]
	return c, ok
}

// putCursor remembers where the page at offset starts unless a change
// came since gen was read.
func (m *countMemo) putCursor(key string, offset int, c cursor, gen uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.gen != gen {
		return
	}
	if m.cursors == nil || len(m.cursors) > 20000 {
		m.cursors = map[string]cursor{}
	}
	m.cursors[key+"@"+strconv.Itoa(offset)] = c
}

// relations are a post's authors and terms.
type relations struct {
	authors          []content.User
	categories, tags []content.Term
}

// maxRels bounds the posts whose relations are remembered.
const maxRels = 32768

// relations returns the authors and terms remembered of each post of ids
// it knows, and the generation to put those it lacks with.
func (m *countMemo) relations(ids []int64) (map[int64]relations, uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	found := map[int64]relations{}
	for _, id := range ids {
		if r, ok := m.rels[id]; ok {
			found[id] = r
		}
	}
	return found, m.gen
}

// putRelations remembers posts' relations, and the terms and authors they
// name, unless a change came since gen.
func (m *countMemo) putRelations(rels map[int64]relations, gen uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.gen != gen {
		return
	}
	if m.rels == nil || len(m.rels)+len(rels) > maxRels {
		m.rels = make(map[int64]relations, len(rels))
	}
	if m.relTerms == nil || len(m.relTerms) > maxNamed || len(m.relUsers) > maxNamed {
		m.relTerms, m.relUsers = map[int64]content.Term{}, map[int64]content.User{}
	}
	for id, r := range rels {
		m.rels[id] = r
		for _, u := range r.authors {
			m.relUsers[u.ID] = u
		}
		for _, terms := range [][]content.Term{r.categories, r.tags} {
			for _, t := range terms {
				m.relTerms[t.ID] = t
			}
		}
	}
}

// knowsRelated reports whether any term or author is known (relTerms).
func (m *countMemo) knowsRelated() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.relTerms)+len(m.relUsers) > 0
}

// resolve makes the relations of posts from their links, in order, with
// the terms and authors known; ok is false when one is not known, or a
// change came since gen.
func (m *countMemo) resolve(posts []*content.Post, links []postLink, gen uint64) (rels map[int64]relations, ok bool) {
	rels = make(map[int64]relations, len(posts))
	for _, p := range posts {
		rels[p.ID] = relations{}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.gen != gen {
		return nil, false
	}
	for _, l := range links {
		r := rels[l.post]
		if l.rel == 0 {
			u, known := m.relUsers[l.id]
			if !known {
				return nil, false
			}
			r.authors = append(r.authors, u)
		} else {
			t, known := m.relTerms[l.id]
			if !known {
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

func (m *countMemo) get(key string) (int, uint64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.m[key]
	return n, m.gen, ok
}

// put keeps n unless a change came since gen was read.
func (m *countMemo) put(key string, n int, gen uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.gen != gen {
		return
	}
	if m.m == nil || len(m.m) > 10000 {
		m.m = map[string]int{}
	}
	m.m[key] = n
}

func (m *countMemo) forget() {
	m.mu.Lock()
	m.gen++
	m.m, m.cursors, m.rels, m.pages, m.postPages = nil, nil, nil, nil, nil
	m.terms, m.users, m.searches = nil, nil, nil
	m.relTerms, m.relUsers = nil, nil
	m.stamps, m.archives = nil, nil
	m.dropAhead()
	m.settled = false
	m.mu.Unlock()
}

// versionsPage is one page of a listing as FindPostVersions reads it; the
// slice is shared by every caller, which must not modify it.
type versionsPage struct {
	versions []PostVersion
	total    int
}

// postPage is a post and its neighbours: in postPages as
// FindPostPageVersion reads them, shared by every caller, which must not
// modify them; in aheadPosts as FindPostPage reads them, for one caller.
type postPage struct{ p, older, newer *content.Post }

// maxPages bounds the listings' pages remembered, each a few dozen bytes
// a post; maxPostPages the posts' versions, each three posts without
// their text, about 1.5 kB.
const (
	maxPages     = 4096
	maxPostPages = 8192
	// maxAhead bounds the posts' pages read ahead, each a post with its
	// text; ReadAhead bounds what one read asks for.
	maxAhead = 1024
	// maxNamed bounds the terms and the users remembered by slug.
	maxNamed = 4096
	// maxSearches bounds the searches remembered, each a page of posts
	// without their text and their snippets, about 20 kB.
	maxSearches = 256
)

// holds reports whether the span remembered holds the instant t; m.mu is
// held.
func (m *countMemo) holds(t time.Time) bool {
	u := t.Unix()
	return m.settled && u >= m.from && (m.until == 0 || u < m.until)
}

// recall returns what the memo's map kept holds under key, the
// generation to keep what is read otherwise with, and whether it was
// there; for what holds for a span only (now not zero), whether the span
// remembered holds now too.
func recall[K comparable, V any](m *countMemo, kept *map[K]V, key K, now time.Time) (V, uint64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := (*kept)[key]
	return v, m.gen, ok && (now.IsZero() || m.holds(now))
}

// take is recall for what is read ahead for one reader: what it returns
// is no longer kept.
func take[K comparable, V any](m *countMemo, kept *map[K]V, key K, now time.Time) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := (*kept)[key]
	if ok {
		delete(*kept, key)
	}
	return v, ok && (now.IsZero() || m.holds(now))
}

// keep puts v under key in the memo's map kept, read at now (zero for
// what does not depend on the span), unless a change or another span came
// since gen was read; when the map holds max entries already, any one
// goes first.
func keep[K comparable, V any](m *countMemo, kept *map[K]V, max int, key K, v V, gen uint64, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.gen != gen || !now.IsZero() && !m.holds(now) {
		return
	}
	if *kept == nil {
		*kept = map[K]V{}
	}
	if _, ok := (*kept)[key]; !ok && len(*kept) >= max {
		for old := range *kept { // one out, any
			delete(*kept, old)
			break
		}
	}
	(*kept)[key] = v
}

// readStmts keeps prepared statements for reads on a DB; database/sql
// prepares each again on every pooled connection it runs on, once.
type readStmts struct {
	db *sql.DB
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

// maxStmts bounds the cache; queries are written in the code, so their
// variety is small (IN lists of one to a page's worth of placeholders).
const maxStmts = 512

// get returns the prepared statement for query, or nil to run it unprepared
// (no cache, a full cache, or a failure the unprepared run will report).
func (s *readStmts) get(ctx context.Context, query string) *sql.Stmt {
	if s == nil {
		return nil
	}
	s.mu.RLock()
	st := s.m[query]
	s.mu.RUnlock()
	if st != nil {
		return st
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st = s.m[query]; st != nil || len(s.m) >= maxStmts {
		return st
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	s.m[query] = st
	return st
}
