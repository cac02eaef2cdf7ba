package search

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/broadsheet/broadsheet/internal/content"
)

// doc is what the index holds of one post: its text, and its kind,
// status, terms and authors for the engines that filter on them inside the
// index.
type doc struct {
	id          int64
	title, body string
	kind        content.Kind
	status      content.Status
	published   int64 // Unix seconds, 0 when unset (as the store keeps it)
	terms       []int64
	authors     []int64
}

// Index writes p's text to the index, replacing what was there. db should
// be the transaction that writes p, so the index never disagrees with the
// posts.
func Index(ctx context.Context, db DB, p *content.Post) error {
	title, body := text(p.Title, p.BodyHTML, p.Body, p.Excerpt, p.Source)
	if p.Protected() {
		// Its text is for readers with the password: not in results'
		// snippets, nor found by its words.
		body = ""
	}
	d := doc{id: p.ID, title: title, body: body, kind: p.Kind, status: p.Status}
	if !p.PublishedAt.IsZero() {
		d.published = p.PublishedAt.Unix()
	}
	for _, ts := range [][]content.Term{p.Categories, p.Tags} {
		for _, t := range ts {
			d.terms = append(d.terms, t.ID)
		}
	}
	for _, a := range p.Authors {
		d.authors = append(d.authors, a.ID)
	}
	if err := engineOf(db).index(ctx, db, d); err != nil {
		return fmt.Errorf("search: index post %d: %w", p.ID, err)
	}
	return nil
}

// rowInserter is a DB that may keep a row to insert it with others of its
// table, as the store's bulk transactions do for an import.
type rowInserter interface {
	InsertRow(ctx context.Context, table, head, row, tail, key string, args ...any) error
}

// Rows is a statement over many rows: Head, then Row once per row, joined
// by commas, then Tail.
type Rows struct{ Head, Row, Tail string }

// rowComputer is a DB that may have the values of the rows it keeps
// computed on another connection while its transaction goes on, as the
// store's bulk transactions do on PostgreSQL.
type rowComputer interface {
	ComputesRows() bool
	InsertComputedRow(ctx context.Context, table, key string, compute, insert Rows, args ...any) error
}

// insertRow runs the statement head+row+tail, or hands the row to a DB
// that inserts rows together; key names the row of an upsert.
func insertRow(ctx context.Context, db DB, table, head, row, tail, key string, args ...any) error {
	if ri, ok := db.(rowInserter); ok {
		return ri.InsertRow(ctx, table, head, row, tail, key, args...)
	}
	_, err := db.Exec(ctx, head+row+tail, args...)
	return err
}

// Unindex removes post id from the index; db should be the transaction
// that deletes the post.
func Unindex(ctx context.Context, db DB, id int64) error {
	if err := engineOf(db).unindex(ctx, db, id); err != nil {
		return fmt.Errorf("search: remove post %d: %w", id, err)
	}
	return nil
}

// text is what the index holds of a post: its title, and its body as
// plain text followed by the hand-written excerpt and the source's outlet
// and author, so that editors find a republished piece by where it came from.
func text(title, bodyHTML, body, excerpt string, src *content.Source) (string, string) {
	t := bodyHTML
	if t == "" {
		t = body
	}
	parts := []string{PlainText(t)}
	if excerpt != "" {
		parts = append(parts, PlainText(excerpt))
	}
	if src != nil {
		parts = append(parts, Clean(src.Name), Clean(src.Author))
	}
	// Titles are text, not HTML: the site escapes them as such.
	return Clean(title), Clean(strings.Join(parts, " "))
}

// RebuildReport says what Rebuild did.
type RebuildReport struct {
	Indexed int // posts and pages written to the index
	Removed int // entries that were in the index before
}

// rebuildBatch is how many posts Rebuild reads at a time: enough to be
// quick, few enough that memory stays flat on a large archive.
const rebuildBatch = 500

// Rebuild empties the index and writes every post to it anew. db should be
// one transaction, so that a failure leaves the old index in place; once it
// has committed, Settle tidies up. pool, when not nil, is the pool db was
// begun on: an engine that rebuilds in bulk (PostgreSQL) writes the fresh
// index from several of its connections at once, while db holds the locks
// that keep the posts as they are. progress, when not nil, is called after
// each batch with the posts done and the total.
func Rebuild(ctx context.Context, db, pool DB, progress func(done, total int)) (RebuildReport, error) {
	var rep RebuildReport
	eng := engineOf(db)
	var err error
	if rep.Removed, err = eng.count(ctx, db); err != nil {
		return RebuildReport{}, err
	}
	var total int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM posts`).Scan(&total); err != nil {
		return RebuildReport{}, err
	}
	if bulk, ok := eng.(bulkRebuilder); ok {
		if rep.Indexed, err = rebuildBulk(ctx, bulk, db, pool, total, progress); err != nil {
			return RebuildReport{}, err
		}
		return rep, nil
	}
	if err := eng.clear(ctx, db); err != nil {
		return RebuildReport{}, err
	}
	var after int64
	for {
		if err := ctx.Err(); err != nil {
			return RebuildReport{}, err
		}
		batch, err := readBatch(ctx, db, after)
		if err != nil {
			return RebuildReport{}, err
		}
		if len(batch) == 0 {
			break
		}
		for _, d := range batch {
			if err := eng.index(ctx, db, d); err != nil {
				return RebuildReport{}, fmt.Errorf("search: index post %d: %w", d.id, err)
			}
		}
		rep.Indexed += len(batch)
		after = batch[len(batch)-1].id
		if progress != nil {
			progress(rep.Indexed, total)
		}
	}
	if err := eng.optimize(ctx, db); err != nil {
		return RebuildReport{}, err
	}
	return rep, nil
}

// rebuildWorkers is how many connections write a bulk rebuild's batches
// at once: turning text into a tsvector takes the database server a core
// for a thousand posts a second, the larger part of a rebuild.
var rebuildWorkers = min(4, max(1, runtime.NumCPU()))

// rebuildBulk reads the posts in batches on db and has workers write them
// on pool (on db, one at a time, without one), and returns the number
// written.
func rebuildBulk(ctx context.Context, bulk bulkRebuilder, db, pool DB, total int, progress func(done, total int)) (int, error) {
	workers := rebuildWorkers
	if pool == nil {
		pool, workers = db, 1
	}
	if err := bulk.startRebuild(ctx, db, pool); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		batches = make(chan []doc)
		wg      sync.WaitGroup
		mu      sync.Mutex
		done    int
	)
	for range workers {
		wg.Go(func() {
			for batch := range batches {
				if err := bulk.writeBatch(ctx, pool, batch); err != nil {
					cancel(fmt.Errorf("search: index posts %d to %d: %w", batch[0].id, batch[len(batch)-1].id, err))
					return
				}
				mu.Lock()
				done += len(batch)
				if progress != nil {
					progress(done, total)
				}
				mu.Unlock()
			}
		})
	}
	var after int64
	read := func() error {
		defer close(batches)
		for {
			batch, err := readBatch(ctx, db, after)
			if err != nil || len(batch) == 0 {
				return err
			}
			after = batch[len(batch)-1].id
			select {
			case batches <- batch:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}
	}
	err := read()
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return 0, err
	}
	if err != nil {
		return 0, err
	}
	if err := bulk.finishRebuild(ctx, db); err != nil {
		return 0, fmt.Errorf("search: finish rebuilding: %w", err)
	}
	return done, nil
}

// bulkRebuilder is an engine that rebuilds its index in bulk, in place of
// clearing it, indexing each post and optimising it.
type bulkRebuilder interface {
	// startRebuild prepares, on pool, an empty index beside the one in
	// use, once the transaction db has locked the posts against writes.
	startRebuild(ctx context.Context, db, pool DB) error
	// writeBatch writes docs to it, on pool.
	writeBatch(ctx context.Context, pool DB, docs []doc) error
	// finishRebuild puts it in place of the one in use.
	finishRebuild(ctx context.Context, db DB) error
}

// Settle runs after a Rebuild has committed, outside any transaction: it
// leaves the rebuilt index as fast to read as the engine can.
func Settle(ctx context.Context, db DB) error {
	if err := engineOf(db).settle(ctx, db); err != nil {
		return fmt.Errorf("search: after rebuilding: %w", err)
	}
	return nil
}

// readBatch reads the text of the posts after id, in id order. It reads
// the whole batch before anything is written, since one connection cannot
// read and write at once.
func readBatch(ctx context.Context, db DB, after int64) ([]doc, error) {
	rows, err := db.Query(ctx, `SELECT id, kind, status, published_at, title, body_html, body, excerpt, source_name, source_author
		FROM posts WHERE id > ? ORDER BY id LIMIT ?`, after, rebuildBatch)
	if err != nil {
		return nil, fmt.Errorf("search: read posts to index: %w", err)
	}
	defer rows.Close()
	var out []doc
	for rows.Next() {
		var (
			d                                      doc
			title, bodyHTML, body, excerpt, sn, sa string
		)
		if err := rows.Scan(&d.id, &d.kind, &d.status, &d.published, &title, &bodyHTML, &body, &excerpt, &sn, &sa); err != nil {
			return nil, fmt.Errorf("search: read posts to index: %w", err)
		}
		d.title, d.body = text(title, bodyHTML, body, excerpt, &content.Source{Name: sn, Author: sa})
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: read posts to index: %w", err)
	}
	rows.Close()
	if len(out) == 0 {
		return out, nil
	}
	// Their terms and authors, two queries a batch.
	at := make(map[int64]*doc, len(out))
	for i := range out {
		at[out[i].id] = &out[i]
	}
	first, last := out[0].id, out[len(out)-1].id
	for _, q := range []string{
		`SELECT post_id, term_id FROM post_terms WHERE post_id BETWEEN ? AND ? ORDER BY post_id, position`,
		`SELECT post_id, user_id FROM post_authors WHERE post_id BETWEEN ? AND ? ORDER BY post_id, position`,
	} {
		rows, err := db.Query(ctx, q, first, last)
		if err != nil {
			return nil, fmt.Errorf("search: read posts to index: %w", err)
		}
		for rows.Next() {
			var post, id int64
			if err := rows.Scan(&post, &id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("search: read posts to index: %w", err)
			}
			if d := at[post]; d != nil {
				if strings.Contains(q, "term_id") {
					d.terms = append(d.terms, id)
				} else {
					d.authors = append(d.authors, id)
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("search: read posts to index: %w", err)
		}
	}
	return out, nil
}

// Missing reports whether the index is empty beside stored posts or pages:
// an archive stored before the index existed, or before a migration
// emptied it to index text anew, which the store rebuilds when it opens.
func Missing(ctx context.Context, db DB) (bool, error) {
	// Not a count: counting an index reads all of it (a tenth of a second
	// at 10,000 posts with SQLite), and every command opens the database.
	var indexed bool
	if err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM post_search)`).Scan(&indexed); err != nil || indexed {
		return false, err
	}
	var entries bool
	err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM posts WHERE kind IN (?, ?, ?, ?))`,
		content.KindPost, content.KindPage, content.KindEvent, content.KindBook).Scan(&entries)
	return entries, err
}

// Size returns the bytes the index takes on disk, where the engine can
// tell (SQLite needs the dbstat table, PostgreSQL the relation sizes); ok
// is false when it cannot.
func Size(ctx context.Context, db DB) (bytes int64, ok bool, err error) {
	bytes, ok, err = engineOf(db).size(ctx, db)
	if err != nil {
		return 0, false, fmt.Errorf("search: index size: %w", err)
	}
	return bytes, ok, nil
}
