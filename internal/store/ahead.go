package store

import (
	"context"
	"fmt"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

// maxReadAhead bounds what one read ahead asks for.
const maxReadAhead = 256

// ReadAhead tells the store that its reader goes through the whole public
// site in order, as a static export does: every listing page after page,
// and the posts' own pages in the order of the front page. One read then
// serves the next n: from a listing's second page on, FindPostVersions
// reads n pages at once, and FindPostsByIDs the posts asked for with up
// to n of those listed after them on those pages; FindPostPage reads the
// pages of the next n posts, with their texts, authors, terms and
// featured images. Each post read ahead is taken by the reader that asks
// for it. 0 or 1 reads one at a time again (the default: a reader of
// one page would pay for n). Like the rest of what the store remembers,
// what is read ahead is used only while the process hears every change
// (Relay), and forgotten with any change.
func (db *DB) ReadAhead(n int) {
	n = min(max(n, 0), maxReadAhead)
	db.caches.ahead.Store(int64(n))
	if n < 2 {
		db.caches.dropAhead()
	}
}

// postPageAhead returns the page of the post of slug as FindPostPage
// reads it, from what an earlier read ahead kept or by reading it with the
// pages of the n-1 public posts older than it, which it keeps for their
// readers; ok is false when the post is not public at now and was not read.
func (c conn) postPageAhead(ctx context.Context, m *caches, slug string, now time.Time, n int) (pp postPage, ok bool, err error) {
	if pp, ok := m.aheadPosts.Take(slug, now); ok {
		c.readPagesEarly(ctx, m, now, n)
		return pp, true, nil
	}
	// One reader reads ahead at a time: another asking meanwhile for one
	// of the posts being read waits for them.
	m.aheadMu.Lock()
	defer m.aheadMu.Unlock()
	if pp, ok := m.aheadPosts.Take(slug, now); ok {
		return pp, true, nil
	}
	pages, err := c.readPages(ctx, m, slug, now, n, false)
	if err != nil || len(pages) == 0 {
		return postPage{}, false, err
	}
	return pages[0], true, nil
}

// readPagesEarly reads the next posts' pages ahead when those kept run
// low (half of n) and no reader is reading: the other readers go on with
// the pages still kept instead of waiting for the next ones. What it
// fails to read is read when asked for.
func (c conn) readPagesEarly(ctx context.Context, m *caches, now time.Time, n int) {
	from, _, _ := m.aheadFrom.Get(struct{}{}, time.Time{})
	if from == "" || m.aheadPosts.Len() > n/2 || !m.aheadMu.TryLock() {
		return
	}
	defer m.aheadMu.Unlock()
	if current, _, _ := m.aheadFrom.Get(struct{}{}, time.Time{}); current != from {
		return
	}
	if pages, err := c.readPages(ctx, m, from, now, n, true); err != nil || len(pages) == 0 {
		// Not read: not tried again by every reader after this one.
		m.aheadFrom.Delete(struct{}{})
	}
}

// readPages reads the pages of the post of slug and of the n-1 public
// posts older than it, and keeps those after the first for their readers
// (the first too with keepFirst, when no reader asked for it yet), with
// where the next read starts. It returns none when the post is not public
// at now. m.aheadMu is held.
func (c conn) readPages(ctx context.Context, m *caches, slug string, now time.Time, n int, keepFirst bool) ([]postPage, error) {
	gen := m.generation()
	const pub, id = `(SELECT published_at FROM cur)`, `(SELECT id FROM cur)`
	older := Published(now)
	older.PublishedBefore = time.Time{}
	olderWhere, olderArgs := older.where()
	newerWhere, newerArgs := Published(now).where()
	args := append([]any{content.KindPost, slug}, olderArgs...)
	args = append(args, now.Unix(), now.Unix(), n+1)
	args = append(args, newerArgs...)
	// The post, the n older ones after it in the listing (the last only as
	// a neighbour), and its newer neighbour: as adjacentSQL walks them, one
	// bound on the publication time each way.
	rows, err := c.query(ctx, `WITH cur AS (SELECT p.id, p.published_at FROM posts p WHERE p.kind = ? AND p.slug = ?)
		SELECT * FROM (SELECT `+postColumns+`, '', p.body_html, 1 AS side FROM posts p WHERE `+olderWhere+`
		AND p.published_at <= CASE WHEN `+pub+` < ? THEN `+pub+` ELSE ? END AND (p.published_at < `+pub+` OR p.id <= `+id+`)
		ORDER BY p.published_at DESC, p.id DESC LIMIT ?) o
		UNION ALL
		SELECT * FROM (SELECT `+postColumns+`, '', '', 2 AS side FROM posts p WHERE `+newerWhere+`
		AND p.published_at >= `+pub+` AND (p.published_at > `+pub+` OR p.id > `+id+`)
		ORDER BY p.published_at ASC, p.id ASC LIMIT 1) n`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find post %q: %w", slug, err)
	}
	defer rows.Close()
	var list []*content.Post
	var newer *content.Post
	for rows.Next() {
		var source, bodyHTML string // source is '': no page shows it
		var side int
		q, err := scanPost(rows, &source, &bodyHTML, &side)
		if err != nil {
			return nil, fmt.Errorf("store: find post %q: %w", slug, err)
		}
		if side == 2 {
			newer = q
			continue
		}
		q.BodyHTML = bodyHTML
		list = append(list, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: find post %q: %w", slug, err)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("store: find post %q: %w", slug, err)
	}
	if len(list) == 0 || list[0].Slug != slug {
		return nil, nil // not public: read alone
	}
	posts := list[:min(len(list), n)]
	if err := c.loadRelations(ctx, posts); err != nil {
		return nil, err
	}
	ids := make([]int64, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
	}
	featured, err := c.findFeatured(ctx, ids)
	if err != nil {
		return nil, err
	}
	pages := make([]postPage, len(posts))
	for i, p := range posts {
		pages[i].p = p
		if i+1 < len(list) {
			pages[i].older = neighbour(list[i+1])
		}
		if i > 0 {
			pages[i].newer = neighbour(list[i-1])
		} else {
			pages[i].newer = newer
		}
	}
	for i, p := range posts {
		// Read for the reader who takes them: handed over, not copied.
		m.aheadFeatured.Give(p.ID, featured[p.ID], gen, now)
		if i > 0 || keepFirst {
			m.aheadPosts.Give(p.Slug, pages[i], gen, now)
		}
	}
	if len(list) > n {
		m.aheadFrom.Put(struct{}{}, list[n].Slug, gen, time.Time{})
	} else if m.generation() == gen {
		m.aheadFrom.Delete(struct{}{})
	}
	return pages, nil
}

// neighbour is p as FindPostPage reads a post's neighbour: without text,
// authors or terms.
func neighbour(p *content.Post) *content.Post {
	q := *p
	q.Body, q.BodyHTML = "", ""
	q.Authors, q.Categories, q.Tags = nil, nil, nil
	if p.Source != nil {
		src := *p.Source
		q.Source = &src
	}
	return &q
}

// noteListed remembers, for each post of vs (a listing's pages read
// ahead), the posts listed after it, for FindPostsByIDs to read ahead.
func (m *caches) noteListed(vs []PostVersion, gen uint64) {
	ids := make([]int64, len(vs))
	for i, v := range vs {
		ids[i] = v.ID
	}
	for i, id := range ids {
		// Shared by the entries, and read only.
		m.aheadNext.Give(id, ids[i+1:len(ids):len(ids)], gen, time.Time{})
	}
}

// postsAhead is FindPostsByIDs for a reader going through every listing
// in order (see DB.ReadAhead): posts read ahead are taken, and the others
// are read with the posts listed after them on the pages read ahead, which
// the reader will ask for next unless it kept what it shows of them.
func (c conn) postsAhead(ctx context.Context, m *caches, ids []int64, n int) ([]*content.Post, error) {
	byID := make(map[int64]*content.Post, len(ids))
	var missing []int64
	for _, id := range ids {
		if p, ok := m.aheadByID.Take(id, time.Time{}); ok {
			byID[id] = p
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		gen := m.generation()
		asked := map[int64]bool{}
		for _, id := range missing {
			asked[id] = true
		}
		read := missing
		next, _, _ := m.aheadNext.Get(missing[len(missing)-1], time.Time{})
		for _, id := range next[:min(len(next), n)] {
			if given, _, _ := m.aheadGiven.Get(id, time.Time{}); !asked[id] && !given {
				read = append(read, id)
			}
		}
		posts, err := c.findPostsByIDs(ctx, read, false)
		if err != nil {
			return nil, err
		}
		for _, p := range posts {
			if asked[p.ID] {
				byID[p.ID] = p
			} else {
				m.aheadByID.Give(p.ID, p, gen, time.Time{})
			}
		}
	}
	posts := make([]*content.Post, 0, len(byID))
	for _, id := range ids {
		if p := byID[id]; p != nil {
			posts = append(posts, p)
			delete(byID, id) // an ID asked for twice is listed once
		}
	}
	m.noteGiven(posts)
	return posts, nil
}

// noteGiven remembers that posts were given to the reader (aheadGiven).
func (m *caches) noteGiven(posts []*content.Post) {
	gen := m.generation()
	for _, p := range posts {
		m.aheadGiven.Put(p.ID, true, gen, time.Time{})
	}
}
