package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/search"
)

// Full-text search is package search's, for both engines; the store calls
// it inside each post's transaction (CreatePost, UpdatePost, DeletePost)
// and answers the search.DB and search.Reader it reads and writes through.

// SearchRequest is one search: a parsed query, the posts it may find
// (Filter: kind, statuses, dates, author, Offset and Limit for the page),
// terms the posts must all carry, and the order.
type SearchRequest struct {
	Query  search.Query
	Filter PostFilter
	// TermIDs are categories or tags every result must carry, in addition
	// to Filter.TermID.
	TermIDs []int64
	Sort    search.Sort
}

// searchFilter is f as a search applies it: its fields, for the conditions
// the index holds itself, and its SQL, written here as for every listing,
// so that a post filter becomes SQL in one place.
func (f PostFilter) searchFilter() search.Filter {
	where, args := f.where()
	return search.Filter{Kind: f.Kind, Statuses: f.Statuses, PublishedBefore: f.PublishedBefore,
		From: f.From, To: f.To, TermID: f.TermID, AuthorID: f.AuthorID, Outlet: f.Outlet, Offset: f.Offset, Limit: f.Limit,
		Where: where, Args: args}
}

// Search returns one page of the posts matching req, with snippets. An
// empty query finds nothing.
//
// While the process hears every change (see caches), a readers' search
// (one with Filter.PublishedBefore) is remembered until the next change or
// the moment a post dated in the future becomes public: a search many
// readers make at once (a link shared, a name in the news) is then made
// once. The results are the caller's own.
func (c conn) Search(ctx context.Context, req SearchRequest) (*search.Results, error) {
	if len(req.Query.Included()) == 0 {
		return &search.Results{}, nil
	}
	memo, now := c.memo(), req.Filter.PublishedBefore
	if memo == nil || now.IsZero() {
		return c.search(ctx, req)
	}
	// The span's instant, to the second as posts' times are kept: the
	// same for every reader in it.
	req.Filter.PublishedBefore = time.Unix(memo.settle(ctx, c, now).Unix(), 0).UTC()
	key := fmt.Sprintf("%+v", req)
	kept, gen, ok := memo.searches.Get(key, now)
	if ok {
		return &kept, nil
	}
	res, err := c.search(ctx, req)
	if err != nil {
		return nil, err
	}
	memo.searches.Put(key, *res, gen, now)
	return res, nil
}

func (c conn) search(ctx context.Context, req SearchRequest) (*search.Results, error) {
	return search.Find(ctx, searchConn{c}, search.Request{Query: req.Query, Filter: req.Filter.searchFilter(),
		TermIDs: req.TermIDs, Sort: req.Sort})
}

// Suggest returns up to limit titles of posts selected by f that match q
// in their title, best first, for search-as-you-type.
func (c conn) Suggest(ctx context.Context, q search.Query, f PostFilter, limit int) ([]search.Suggestion, error) {
	return search.Suggest(ctx, searchConn{c}, q, f.searchFilter(), limit)
}

// Reindex rebuilds the search index from the posts, in one transaction, so
// a failure leaves the old index in place. progress, when not nil, is
// called after each batch with the posts done and the total.
func (db *DB) Reindex(ctx context.Context, progress func(done, total int)) (search.RebuildReport, error) {
	var rep search.RebuildReport
	err := db.Update(ctx, func(tx *Tx) (err error) {
		rep, err = search.Rebuild(ctx, searchConn{tx.conn}, searchConn{db.conn}, progress)
		return err
	})
	if err != nil {
		return search.RebuildReport{}, fmt.Errorf("store: reindex: %w", err)
	}
	if err := search.Settle(ctx, searchConn{db.conn}); err != nil {
		return rep, fmt.Errorf("store: reindex: %w", err)
	}
	return rep, nil
}

// indexMissing indexes an archive stored before the search index existed
// (or before a migration emptied it to index text anew), once, when the
// database is opened.
func (db *DB) indexMissing(ctx context.Context, progress func(done, total int)) error {
	missing, err := search.Missing(ctx, searchConn{db.conn})
	if err != nil || !missing {
		return err
	}
	_, err = db.Reindex(ctx, progress)
	return err
}

// IndexSize returns the bytes the search index takes on disk, where the
// engine can tell; ok is false when it cannot.
func (c conn) IndexSize(ctx context.Context) (bytes int64, ok bool, err error) {
	return search.Size(ctx, searchConn{c})
}

// searchConn is a connection or transaction as package search reads and
// writes through it.
type searchConn struct{ c conn }

var _ search.Reader = searchConn{}

// Engine names the database engine.
func (s searchConn) Engine() string { return s.c.d.name }

// Exec runs a statement.
func (s searchConn) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return s.c.exec(ctx, q, args...)
}

// InsertRow inserts one row, in a bulk transaction with others of its
// table (see bulk.go).
func (s searchConn) InsertRow(ctx context.Context, table, head, row, tail, key string, args ...any) error {
	return s.c.insertRow(ctx, table, head, row, tail, key, args...)
}

// ComputesRows reports whether InsertComputedRow computes rows beside the
// transaction (see bulk.go).
func (s searchConn) ComputesRows() bool { return s.c.computesRows() }

// InsertComputedRow keeps a row whose values compute gives from args, to be
// inserted by insert (see bulk.go).
func (s searchConn) InsertComputedRow(ctx context.Context, table, key string, compute, insert search.Rows, args ...any) error {
	return s.c.insertComputedRow(ctx, table, rowQuery{compute.Head, compute.Row, compute.Tail},
		insert.Head, insert.Row, insert.Tail, key, args...)
}

// Query runs a query.
func (s searchConn) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return s.c.query(ctx, q, args...)
}

// QueryRow runs a query of one row.
func (s searchConn) QueryRow(ctx context.Context, q string, args ...any) search.Row {
	return s.c.queryRow(ctx, q, args...)
}

// Concurrent reports whether queries may run side by side: on the pool,
// not in a transaction.
func (s searchConn) Concurrent() bool {
	_, pooled := s.c.q.(*sql.DB)
	return pooled
}

// Posts loads posts without their bodies, with authors and terms.
func (s searchConn) Posts(ctx context.Context, ids []int64) (map[int64]*content.Post, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.c.query(ctx, `SELECT `+postColumns+` FROM posts p WHERE p.id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: load search results: %w", err)
	}
	var list []*content.Post
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: load search results: %w", err)
		}
		list = append(list, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: load search results: %w", err)
	}
	if err := s.c.loadRelations(ctx, list); err != nil {
		return nil, err
	}
	byID := make(map[int64]*content.Post, len(list))
	for _, p := range list {
		byID[p.ID] = p
	}
	return byID, nil
}
