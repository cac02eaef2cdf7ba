package search

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"

	"github.com/broadsheet/broadsheet/internal/content"
)

// DB is the database as the index reads and writes it: one of the store's
// connections, or one of its transactions, so that a post's entry in the
// index is written or removed in the transaction that writes the post and
// a search never disagrees with the posts. Queries are written with ?
// placeholders; the store rewrites them for its engine.
type DB interface {
	// Engine names the database engine: "sqlite" or "postgres".
	Engine() string
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) Row
}

// Row is the one row QueryRow reads, as *sql.Row holds it.
type Row interface {
	Scan(dest ...any) error
}

// Reader is a DB that a search reads its results through: besides SQL, it
// loads the posts found, as the store loads posts for every page.
type Reader interface {
	DB
	// Posts returns the posts ids (those that exist), without their
	// bodies, with their authors and terms, by id.
	Posts(ctx context.Context, ids []int64) (map[int64]*content.Post, error)
	// Concurrent reports whether queries may run side by side, each on a
	// connection of its own: false in a transaction, which has one.
	Concurrent() bool
}

// engineOf returns the full-text search of db's engine.
func engineOf(db DB) engine {
	if db.Engine() == "postgres" {
		return postgresSearch{}
	}
	return sqliteSearch{}
}

// placeholders returns n comma-separated ? placeholders.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// queryIDs runs a query whose rows are single ids and returns them.
func queryIDs(ctx context.Context, db DB, q string, args ...any) ([]int64, error) {
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// parallel runs fns side by side on the pool's connections, or one after
// the other in a transaction (one connection), and returns their errors.
func parallel(db Reader, fns ...func() error) error {
	if !db.Concurrent() {
		var errs []error
		for _, f := range fns {
			errs = append(errs, f())
		}
		return errors.Join(errs...)
	}
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, f := range fns {
		wg.Go(func() { errs[i] = f() })
	}
	wg.Wait()
	return errors.Join(errs...)
}
