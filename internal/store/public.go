package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

// QueryCount is the number of SQL statements run through db so far, for
// tests that prove a page costs a fixed number of queries however many
// posts it lists.
func (db *DB) QueryCount() int64 { return db.n.Load() }

// NextScheduled returns the published entry that changes soonest after
// now without any transaction: a post, page, event or book whose
// publication time comes then, or an event that ends then (it moves from
// the upcoming events to the past ones). Caches must expire at that
// moment. ok is false when there is none.
func (c conn) NextScheduled(ctx context.Context, now time.Time) (id int64, at time.Time, ok bool, err error) {
	var when int64
	// Every kind named so that the listing index (kind, status, time)
	// serves; the events' ends are read from their own index.
	err = c.queryRow(ctx, `SELECT * FROM (SELECT p.id, p.published_at FROM posts p WHERE p.kind IN (?, ?, ?, ?) AND p.status = ? AND p.published_at > ?
		ORDER BY p.published_at, p.id LIMIT 1) a
		UNION ALL SELECT * FROM (SELECT p.id, p.event_ends_at FROM posts p WHERE p.kind = 'event' AND p.status = ? AND p.event_ends_at > ?
		ORDER BY p.event_ends_at, p.id LIMIT 1) b
		ORDER BY 2, 1 LIMIT 1`, content.KindPost, content.KindPage, content.KindEvent, content.KindBook,
		content.StatusPublished, now.Unix(), content.StatusPublished, now.Unix()).Scan(&id, &when)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, false, nil
	}
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("store: next scheduled post: %w", err)
	}
	return id, fromUnix(when), true, nil
}

// IndexEntry is what an enumeration of the public site needs of an entry.
type IndexEntry struct {
	ID          int64
	Kind        content.Kind
	Slug        string
	PublishedAt time.Time
	// PublishedOffset is content.Post's: the site's offset from UTC
	// when the entry was published.
	PublishedOffset int
}

// Path is the entry's public URL path, as content.Post.Path builds it.
func (e IndexEntry) Path() string {
	p := content.Post{Kind: e.Kind, Slug: e.Slug, PublishedAt: e.PublishedAt, PublishedOffset: e.PublishedOffset}
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
	rows, err := c.query(ctx, `SELECT p.id, p.kind, p.slug, p.published_at, p.published_offset FROM posts p WHERE `+public+`
		ORDER BY p.published_at DESC, p.id DESC`, content.StatusPublished, now.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: public index: %w", err)
	}
	for rows.Next() {
		var e IndexEntry
		var pub int64
		if err := rows.Scan(&e.ID, &e.Kind, &e.Slug, &pub, &e.PublishedOffset); err != nil {
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
// publication time is in (from, to] (the scheduled entries that went
// public in that span), then of the published events that ended in it.
func (c conn) FindPublishedBetween(ctx context.Context, from, to time.Time) ([]int64, error) {
	ids, err := c.queryIDs(ctx, `SELECT p.id FROM posts p WHERE p.kind IN (?, ?, ?, ?) AND p.status = ? AND p.published_at > ?
		AND p.published_at <= ?
		UNION ALL SELECT p.id FROM posts p WHERE p.kind = 'event' AND p.status = ? AND p.event_ends_at > ? AND p.event_ends_at <= ?`,
		content.KindPost, content.KindPage, content.KindEvent, content.KindBook, content.StatusPublished, from.Unix(), to.Unix(),
		content.StatusPublished, from.Unix(), to.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: posts published between: %w", err)
	}
	seen := make(map[int64]bool, len(ids))
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// countPosts counts the posts matching f. A count over a term or an author
// reads its links alone, so it costs the size of the archive, not of the
// site; counts are remembered until the next change (see caches).
func (c conn) countPosts(ctx context.Context, f PostFilter) (int, error) {
	l := f.listing()
	q, args := `SELECT COUNT(*) FROM `+l.from+` WHERE `+l.where, l.args
	key, gen := "", uint64(0)
	memo := c.memo()
	if memo != nil {
		key = q + fmt.Sprint(args...)
		var ok bool
		var n int
		if n, gen, ok = memo.counts.Get(key, time.Time{}); ok {
			return n, nil
		}
	}
	var total int
	if err := c.queryRow(ctx, q, args...).Scan(&total); err != nil {
		return 0, fmt.Errorf("store: count posts: %w", err)
	}
	if memo != nil {
		memo.counts.Put(key, total, gen, time.Time{})
	}
	return total, nil
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
