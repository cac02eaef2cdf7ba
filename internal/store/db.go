// Package store keeps Broadsheet's content in SQLite (the default, embedded)
// or PostgreSQL, through database/sql with one code path for both engines.
// Reads are methods on both DB and Tx; writes happen inside DB.Update, one
// transaction each, so a failed operation leaves nothing half-written.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/broadsheet/broadsheet/internal/readcache"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite"
)

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn runs queries in one dialect on a DB or a Tx; read methods live on it.
type conn struct {
	q querier
	d dialect
	n *atomic.Int64 // statements run, read by QueryCount
	// caches are the read-model caches; nil in a Tx, which must see its
	// own writes.
	caches *caches
	// trusted tells whether this process hears every change (Relay is
	// running), the condition for using caches.
	trusted func() bool
	// stmts keeps prepared reads, where the dialect asks for it; nil in a Tx
	// (whose repeated statements newStmtCache prepares).
	stmts *readStmts
	// bulk keeps the rows of a bulk transaction not written yet (bulk.go);
	// nil elsewhere.
	bulk *pending
}

func (c conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := c.before(ctx, query); err != nil {
		return nil, err
	}
	c.n.Add(1)
	res, err := c.q.ExecContext(ctx, c.d.rebind(query), args...)
	return res, c.d.invalidText(err)
}

func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := c.before(ctx, query); err != nil {
		return nil, err
	}
	return c.queryAsIs(ctx, query, args...)
}

// queryAsIs is query leaving a bulk transaction's pending rows unwritten,
// for a read that has looked at them itself.
func (c conn) queryAsIs(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c.n.Add(1)
	var (
		rows *sql.Rows
		err  error
	)
	if st := c.stmts.get(ctx, query); st != nil {
		rows, err = st.QueryContext(ctx, args...)
	} else {
		rows, err = c.q.QueryContext(ctx, c.d.rebind(query), args...)
	}
	// pgx reads a query's first row before returning, so an argument the
	// server refuses is reported here, not by rows.Err.
	return rows, c.d.invalidText(err)
}

func (c conn) queryRow(ctx context.Context, query string, args ...any) row {
	if err := c.before(ctx, query); err != nil {
		return row{d: c.d, err: err}
	}
	return c.queryRowAsIs(ctx, query, args...)
}

// queryRowAsIs is queryRow leaving a bulk transaction's pending rows
// unwritten, for a read that has looked at them itself.
func (c conn) queryRowAsIs(ctx context.Context, query string, args ...any) row {
	c.n.Add(1)
	if st := c.stmts.get(ctx, query); st != nil {
		return row{r: st.QueryRowContext(ctx, args...), d: c.d}
	}
	return row{r: c.q.QueryRowContext(ctx, c.d.rebind(query), args...), d: c.d}
}

// row is a *sql.Row whose Scan reports text the engine refuses as invalid
// input (see dialect.invalidText).
type row struct {
	r   *sql.Row
	d   dialect
	err error // met before the query ran
}

// Scan copies the row's columns into dest, as sql.Row.Scan does.
func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.d.invalidText(r.r.Scan(dest...))
}

// memo returns the read-model caches when they can be trusted: only while
// this process hears every change, its own and, through Relay, other
// processes'. Elsewhere (a Tx, a command-line tool) it is nil and
// everything is read afresh.
func (c conn) memo() *caches {
	if c.caches == nil || c.trusted == nil || !c.trusted() {
		return nil
	}
	return c.caches
}

// DB is an open Broadsheet database.
type DB struct {
	conn
	sql *sql.DB
	hub hub
	// relay is the cross-process change relay's state (relay.go).
	relay relay
	// Now returns the current time; tests freeze it.
	Now func() time.Time
}

// Tx is one write transaction; it carries the time it started as Now, so
// every row it writes agrees on the time.
type Tx struct {
	conn
	Now    time.Time
	change Change
	// inboxHeld is true once the transaction waits for no other adding
	// to the inbox (AddItem).
	inboxHeld bool
	// pool is the pool the transaction was begun on.
	pool *sql.DB
}

// Engine names the database engine: "sqlite" or "postgres".
func (db *DB) Engine() string { return db.d.name }

// Open connects to dsn and applies pending migrations. A dsn starting with
// postgres:// or postgresql:// selects PostgreSQL; anything else is the path
// of a SQLite file (an optional "sqlite:" or "file:" prefix is allowed),
// created with its folder when missing.
func Open(ctx context.Context, dsn string) (*DB, error) {
	return OpenWith(ctx, dsn, Options{})
}

// Options are what Open may be told beyond the database.
type Options struct {
	// IndexProgress, when set, is called while an archive stored before
	// the current search index is indexed on opening (after an upgrade
	// that changed how text is indexed), with the posts done and the total.
	IndexProgress func(done, total int)
	// Sanitize, when set, is the sanitiser of posts' HTML. The posts
	// whose HTML was stored under a looser policy than the current one
	// (a migration queues them when the policy becomes stricter) are
	// passed through it on opening, once; without it they stay queued
	// until a process that has it opens the database.
	Sanitize func(html string) string
	// SanitizeProgress, when set, is called meanwhile with the queued
	// posts done and their total.
	SanitizeProgress func(done, total int)
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dsn string, opt Options) (*DB, error) {
	var (
		d      dialect
		source string
	)
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		d, source = postgresDialect, withConnectTimeout(dsn)
	default:
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
		if path == "" {
			return nil, errors.New("store: no database path given")
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("store: create database folder: %w", err)
		}
		// Pragmas in the DSN so every pooled connection has them; busy_timeout
		// first so that setting WAL never meets a locked database without it.
		// mmap_size lets reads of a large archive (the search index above
		// all) come from the OS page cache without a system call per page.
		source = "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
			"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=mmap_size(1073741824)&_txlock=immediate"
		d = sqliteDialect
	}
	sqldb, err := sql.Open(d.driver, source)
	if err != nil {
		return nil, fmt.Errorf("store: open %s database: %w", d.name, err)
	}
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("store: connect to %s database: %w", d.name, err)
	}
	if d.name == "sqlite" {
		// A small pool kept open: database/sql keeps only two idle
		// connections by default, and opening a SQLite connection (its
		// pragmas, its schema) for each query under load costs more than
		// the query.
		sqldb.SetMaxOpenConns(8)
	}
	sqldb.SetMaxIdleConns(8)
	db := &DB{conn: conn{q: sqldb, d: d, n: new(atomic.Int64), caches: newCaches(readcache.New())}, sql: sqldb, Now: time.Now,
		relay: newRelay(source)}
	db.trusted = db.Relaying
	if d.prepare {
		db.stmts = &readStmts{db: sqldb, m: map[string]*sql.Stmt{}}
	}
	if err := db.migrate(ctx); err != nil {
		sqldb.Close()
		return nil, err
	}
	if err := db.indexMissing(ctx, opt.IndexProgress); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("store: build the search index: %w", err)
	}
	if err := db.sanitizeQueued(ctx, opt.Sanitize, opt.SanitizeProgress); err != nil {
		sqldb.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the database.
func (db *DB) Close() error { return db.sql.Close() }

// Update runs fn in one transaction, committing when fn returns nil and
// rolling back otherwise.
func (db *DB) Update(ctx context.Context, fn func(tx *Tx) error) (err error) {
	sqltx, err := db.sql.BeginTx(ctx, nil)
	if err != nil && IsUnavailable(err) {
		// The pooled connection died while idle (a server restart); nothing
		// was done yet, so beginning again on a fresh one is safe.
		sqltx, err = db.sql.BeginTx(ctx, nil)
	}
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			sqltx.Rollback()
			panic(p)
		}
		if err != nil {
			sqltx.Rollback()
		}
	}()
	tx := &Tx{conn: conn{q: newStmtCache(sqltx), d: db.d, n: db.n}, Now: db.Now().UTC().Truncate(time.Second), pool: db.sql}
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.flush(ctx); err != nil {
		return err
	}
	if err = tx.buildSetAside(ctx); err != nil {
		return err
	}
	if err = db.announce(ctx, tx); err != nil {
		return err
	}
	if err = sqltx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	db.Publish(ctx, tx.change)
	return nil
}

// unix stores a time as Unix seconds; the zero time as 0.
func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// fromUnix reads a time stored by unix.
func fromUnix(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// queryIDs runs a query whose rows are single ids and returns them.
func (c conn) queryIDs(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := c.query(ctx, q, args...)
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

// countByStatus runs query, which selects a status and a count per row,
// and returns the counts by status; what names the rows in an error.
func countByStatus[S ~string](ctx context.Context, c conn, what, query string, args ...any) (map[S]int, error) {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: count %s: %w", what, err)
	}
	defer rows.Close()
	out := map[S]int{}
	for rows.Next() {
		var (
			s string
			n int
		)
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("store: count %s: %w", what, err)
		}
		out[S(s)] = n
	}
	return out, rows.Err()
}
