package store

import (
	"context"
	"fmt"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/readcache"
)

// Stamp is the least a sitemap needs of a published entry: where it lives
// and when it last changed. Sitemaps list tens of thousands of them, so they
// are read without bodies, authors or terms.
type Stamp struct {
	ID          int64
	Kind        content.Kind
	Slug        string
	PublishedAt time.Time
	// PublishedOffset is content.Post's: the site's offset from UTC
	// when the entry was published.
	PublishedOffset int
	UpdatedAt       time.Time
}

// Path is the entry's URL path, as content.Post.Path.
func (s Stamp) Path() string {
	p := content.Post{Kind: s.Kind, Slug: s.Slug, PublishedAt: s.PublishedAt, PublishedOffset: s.PublishedOffset}
	return p.Path()
}

// PublishedLocal is the publication time on the site's clock of the
// day, as content.Post.PublishedLocal.
func (s Stamp) PublishedLocal() time.Time {
	p := content.Post{PublishedAt: s.PublishedAt, PublishedOffset: s.PublishedOffset}
	return p.PublishedLocal()
}

// Modified is the later of publication and last update: a scheduled post
// changes, for readers, when it comes out.
func (s Stamp) Modified() time.Time {
	if s.PublishedAt.After(s.UpdatedAt) {
		return s.PublishedAt
	}
	return s.UpdatedAt
}

// FindStamps returns the stamps of the entries of kind that readers may see
// at now, newest first. While the process hears every change they are
// remembered until the next change, or until a post dated later becomes
// public; what is returned is the caller's own.
func (c conn) FindStamps(ctx context.Context, kind content.Kind, now time.Time) ([]Stamp, error) {
	return forSpan(ctx, c, func(m *caches) *readcache.Map[content.Kind, []Stamp] { return m.stamps }, kind, now,
		func(now time.Time) ([]Stamp, error) { return c.readStamps(ctx, kind, now) })
}

// forSpan returns what read returns at now, and while the process hears
// every change remembers it in the cache kept under key for the span that holds now: read is given the
// span's start, which stands for any instant in it.
func forSpan[K comparable, V any](ctx context.Context, c conn, kept func(*caches) *readcache.Map[K, V], key K, now time.Time,
	read func(now time.Time) (V, error)) (V, error) {
	memo := c.memo()
	if memo == nil {
		return read(now)
	}
	now = memo.settle(ctx, c, now)
	v, gen, ok := kept(memo).Get(key, now)
	if ok {
		return v, nil
	}
	v, err := read(now)
	if err == nil {
		kept(memo).Put(key, v, gen, now)
	}
	return v, err
}

func (c conn) readStamps(ctx context.Context, kind content.Kind, now time.Time) ([]Stamp, error) {
	rows, err := c.query(ctx, `SELECT id, kind, slug, published_at, updated_at, published_offset FROM posts
		WHERE kind = ? AND status = ? AND published_at <= ? ORDER BY published_at DESC, id DESC`,
		kind, content.StatusPublished, now.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: find %s stamps: %w", kind, err)
	}
	defer rows.Close()
	var out []Stamp
	for rows.Next() {
		var (
			s        Stamp
			pub, upd int64
		)
		if err := rows.Scan(&s.ID, &s.Kind, &s.Slug, &pub, &upd, &s.PublishedOffset); err != nil {
			return nil, fmt.Errorf("store: scan stamp: %w", err)
		}
		s.PublishedAt, s.UpdatedAt = fromUnix(pub), fromUnix(upd)
		out = append(out, s)
	}
	return out, rows.Err()
}

// ArchiveStamp is a term's or an author's archive with the time its newest
// change happened: the latest publication or update among its posts.
type ArchiveStamp struct {
	Slug     string
	Posts    int // public posts in the archive
	Modified time.Time
}

// FindTermStamps returns the terms of tax that have posts readers may see
// at now, by slug, with their archives' last change; remembered and
// shared as FindStamps' are.
func (c conn) FindTermStamps(ctx context.Context, tax content.Taxonomy, now time.Time) ([]ArchiveStamp, error) {
	return c.archiveStamps(ctx, tax, `SELECT t.slug, COUNT(*), MAX(pub.published_at), MAX(pub.updated_at)
		FROM pub CROSS JOIN post_terms pt CROSS JOIN terms t
		WHERE pt.post_id = pub.id AND t.id = pt.term_id AND t.taxonomy = ?
		GROUP BY t.slug ORDER BY t.slug`, tax, now)
}

// FindAuthorStamps returns the users who have posts readers may see at
// now, by slug, with their archives' last change; remembered and shared as
// FindStamps' are.
func (c conn) FindAuthorStamps(ctx context.Context, now time.Time) ([]ArchiveStamp, error) {
	return c.archiveStamps(ctx, "", `SELECT u.slug, COUNT(*), MAX(pub.published_at), MAX(pub.updated_at)
		FROM pub CROSS JOIN post_authors pa CROSS JOIN users u
		WHERE pa.post_id = pub.id AND u.id = pa.user_id
		GROUP BY u.slug ORDER BY u.slug`, nil, now)
}

// archiveStamps runs q, which groups the public posts' times, "pub", by
// archive, with arg (unless nil) as its one parameter, remembered under
// key for the span (forSpan). The posts are read once from posts_listing,
// then each post's links by its key: looking each link's post up in the
// posts table, whose rows hold whole bodies, read a page per link. CROSS
// JOIN keeps SQLite's planner to that order; left to itself it walks all
// of pub once per archive.
func (c conn) archiveStamps(ctx context.Context, key content.Taxonomy, q string, arg any, now time.Time) ([]ArchiveStamp, error) {
	return forSpan(ctx, c, func(m *caches) *readcache.Map[content.Taxonomy, []ArchiveStamp] { return m.archives }, key, now,
		func(now time.Time) ([]ArchiveStamp, error) { return c.readArchiveStamps(ctx, q, arg, now) })
}

func (c conn) readArchiveStamps(ctx context.Context, q string, arg any, now time.Time) ([]ArchiveStamp, error) {
	args := []any{content.KindPost, content.StatusPublished, now.Unix()}
	if arg != nil {
		args = append(args, arg)
	}
	rows, err := c.query(ctx, `WITH pub AS MATERIALIZED (SELECT p.id, p.published_at, p.updated_at FROM posts p
		WHERE p.kind = ? AND p.status = ? AND p.published_at <= ?) `+q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find archive stamps: %w", err)
	}
	defer rows.Close()
	var out []ArchiveStamp
	for rows.Next() {
		var (
			a        ArchiveStamp
			pub, upd int64
		)
		if err := rows.Scan(&a.Slug, &a.Posts, &pub, &upd); err != nil {
			return nil, fmt.Errorf("store: scan archive stamp: %w", err)
		}
		a.Modified = fromUnix(max(pub, upd))
		out = append(out, a)
	}
	return out, rows.Err()
}
