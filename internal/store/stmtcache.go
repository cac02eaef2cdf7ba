package store

import (
	"context"
	"database/sql"
	"strings"
)

// stmtCache prepares the statements a transaction runs again and again (a
// bulk import runs the same few thousands of times), so each is parsed once
// per transaction rather than once per call. Statements close with the
// transaction.
type stmtCache struct {
	tx    *sql.Tx
	seen  map[string]int
	stmts map[string]*sql.Stmt
}

// maxCachedStmts bounds the cache; queries built with varying IN lists
// would otherwise fill it without end.
const maxCachedStmts = 64

func newStmtCache(tx *sql.Tx) *stmtCache {
	return &stmtCache{tx: tx, seen: map[string]int{}, stmts: map[string]*sql.Stmt{}}
}

// stmt returns a prepared statement for a query seen before, or nil to run
// it directly (first use, multi-statement scripts, a full cache).
func (c *stmtCache) stmt(ctx context.Context, query string) *sql.Stmt {
	if s := c.stmts[query]; s != nil {
		return s
	}
	if len(c.stmts) >= maxCachedStmts || strings.Contains(query, ";") {
		return nil
	}
	if c.seen[query]++; c.seen[query] < 2 {
		return nil
	}
	s, err := c.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil // the direct call will report the error
	}
	c.stmts[query] = s
	return s
}

func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := c.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return c.tx.ExecContext(ctx, query, args...)
}

func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := c.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return c.tx.QueryContext(ctx, query, args...)
}

func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := c.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return c.tx.QueryRowContext(ctx, query, args...)
}

// Bulk tunes the transaction for writing many thousands of rows, as an
// import does: rows nothing reads back at once are written many at a time
// (see bulk.go), and the engine is told what to expect (see
// dialect.bulkSettings).
func (tx *Tx) Bulk(ctx context.Context) error {
	if tx.bulk == nil {
		tx.bulk = &pending{batches: map[string]*batch{}, versions: map[int64]int{}, images: map[int64]bool{},
			fresh: map[string]*newRows{}, comments: map[int64]int64{}, wpComments: map[[2]int64]bool{}}
		if tx.d.computeApart() {
			tx.bulk.pool = tx.pool
		}
	}
	for _, q := range tx.d.bulkSettings() {
		if _, err := tx.q.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
