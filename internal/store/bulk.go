package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
)

// A bulk transaction (Tx.Bulk) keeps the rows nothing reads back at once,
// a post's links to its authors and terms, its revisions, its search
// entry, its featured image and the old addresses kept as aliases (and an
// import's second pass's updates of posts' addresses), and writes them
// many at a time, one multi-row statement per table and batch, instead of
// one statement (and, on PostgreSQL, one round trip) each. Rows are written before any
// statement that names their table, before a DELETE from a table they
// refer to, and before the commit, so that what the transaction reads and
// what it commits are what writing each row at once would have given.

// maxBatchRows and maxBatchParams bound one multi-row INSERT: SQLite takes
// at most 32,766 parameters, PostgreSQL 65,535.
const (
	maxBatchRows   = 500
	maxBatchParams = 30000
)

// pending are a bulk transaction's rows not written yet.
type pending struct {
	batches map[string]*batch // by table
	order   []*batch
	rows    int // across batches
	// versions are the revision numbers of the posts created in this
	// transaction: no one else can add a revision to them before it
	// commits, so AddRevision need not read their version.
	versions map[int64]int
	// images are the media items this transaction created or updated that
	// are images: no one else can change them before it commits, so
	// SetFeatured need not read them.
	images map[int64]bool
	// pool, when not nil, is where the values of computed rows (see
	// insertComputedRow) are computed, beside the transaction.
	pool *sql.DB
	// aside is what BulkFill set aside, to be built before the commit;
	// nil when nothing is.
	aside *setAside
	// fresh are the tables whose new rows a fill keeps to be written in
	// batches (see fill.go), by name.
	fresh map[string]*newRows
	// comments are the posts of the comments this transaction created,
	// by comment id, and wpComments the posts and WordPress ids of those
	// imported: a comment on a post it created can be no other.
	comments   map[int64]int64
	wpComments map[[2]int64]bool
}

// batch is one table's rows, all inserted by the same statement: head
// ("INSERT INTO t (a, b) VALUES "), then row ("(?, ?)") once per row, then
// tail (an ON CONFLICT clause, or "").
type batch struct {
	table string
	rowQuery
	params int // per row
	args   []any
	// keys place the rows of an upsert by their key, so that a second
	// row for the same key replaces the first (PostgreSQL refuses to
	// update one row twice in one statement).
	keys map[string]int
	// compute, for a table of computed rows, is the query giving the
	// values of the rows kept (args, params each), which are then
	// inserted by head, row and tail; computing holds its batches sent
	// to the pool, oldest first.
	compute   *rowQuery
	computing []*computation
}

// rowQuery is a statement over many rows: head, then row once per row
// (joined by commas), then tail.
type rowQuery struct{ head, row, tail string }

// statement returns q's text for n rows.
func (q rowQuery) statement(n int) string {
	var sb strings.Builder
	sb.Grow(len(q.head) + n*(len(q.row)+2) + len(q.tail))
	sb.WriteString(q.head)
	for i := range n {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(q.row)
	}
	sb.WriteString(q.tail)
	return sb.String()
}

// computation is one batch of rows whose values a connection of the pool
// is computing: done is closed when rows (or err) is set.
type computation struct {
	n    int // rows
	done chan struct{}
	rows []any
	err  error
}

func (b *batch) len() int {
	if b.params == 0 {
		return 0
	}
	return len(b.args) / b.params
}

// insertRow inserts (or, with an UPDATE … FROM (VALUES …) statement,
// updates) one row: at once, or, in a bulk transaction, with the other
// rows of the same statement (head, row and tail) on its table. key, when
// not empty, names the row for an upsert (tail's ON CONFLICT clause): a
// later row with the same key replaces it. The rows of one table are
// written in the order they were kept: a row kept for another statement on
// the table writes those kept before it first.
func (c conn) insertRow(ctx context.Context, table, head, row, tail, key string, args ...any) error {
	p := c.bulk
	if p == nil {
		_, err := c.exec(ctx, head+row+tail, args...)
		return err
	}
	b := p.batch(table, rowQuery{head, row, tail}, len(args), nil)
	if err := c.writeKept(ctx, table, b); err != nil {
		return err
	}
	if !p.keep(b, key, args) {
		return nil
	}
	if b.full() {
		return c.writeBatch(ctx, b, p)
	}
	return nil
}

// batch returns the batch of q's rows on table, started with q and compute
// on first use.
func (p *pending) batch(table string, q rowQuery, params int, compute *rowQuery) *batch {
	k := table + "\x00" + q.head
	b := p.batches[k]
	if b == nil {
		b = &batch{table: table, rowQuery: q, params: params, compute: compute}
		p.batches[k] = b
		p.order = append(p.order, b)
	}
	return b
}

// keep adds a row to b, or, when a kept row has the same key, replaces
// that one's values and reports false: b has no more rows than before.
func (p *pending) keep(b *batch, key string, args []any) (added bool) {
	if key != "" {
		if i, ok := b.keys[key]; ok {
			copy(b.args[i*b.params:], args)
			return false
		}
		if b.keys == nil {
			b.keys = map[string]int{}
		}
		b.keys[key] = b.len()
	}
	b.args = append(b.args, args...)
	p.rows++
	return true
}

// full reports whether b holds as many rows as one statement takes.
func (b *batch) full() bool {
	n := b.len()
	return n >= maxBatchRows || (n+1)*b.params > maxBatchParams
}

// computesRows reports whether insertComputedRow computes rows on another
// connection: in a bulk transaction given a pool.
func (c conn) computesRows() bool { return c.bulk != nil && c.bulk.pool != nil }

// maxComputing bounds the batches computed at once for a table, and so
// the memory their values take until they are written.
const maxComputing = 2

// insertComputedRow keeps a row whose values compute gives from args, to
// be inserted by head, row and tail (see insertRow) once computed. The rows
// are computed maxBatchRows at a time on another of the pool's connections
// while the transaction goes on: compute must read no table, only turn its
// arguments into values (as PostgreSQL's to_tsvector does, the larger part
// of writing a search entry), so that what it gives does not depend on the
// transaction. Rows are written in the order they were kept, before any
// statement naming their table and before the commit, as other kept rows
// are. Outside a bulk transaction with a pool, the values are computed and
// the row inserted at once, in the transaction.
func (c conn) insertComputedRow(ctx context.Context, table string, compute rowQuery, head, row, tail, key string, args ...any) error {
	p := c.bulk
	if p == nil || p.pool == nil {
		vals, err := c.computeRows(ctx, c.q, compute, 1, args)
		if err != nil {
			return fmt.Errorf("store: compute a row of %s: %w", table, err)
		}
		_, err = c.exec(ctx, head+row+tail, vals...)
		return err
	}
	b := p.batch(table, rowQuery{head, row, tail}, len(args), &compute)
	// Write what is computed already, oldest first, so that values wait
	// in memory no longer than they must.
	for len(b.computing) > 0 && b.computing[0].finished() {
		if err := c.writeComputed(ctx, b, p); err != nil {
			return err
		}
	}
	if !p.keep(b, key, args) {
		return nil
	}
	if b.full() {
		if len(b.computing) >= maxComputing {
			if err := c.writeComputed(ctx, b, p); err != nil {
				return err
			}
		}
		c.startComputing(ctx, b, p)
	}
	return nil
}

// startComputing sends b's kept rows to the pool to be computed, and
// empties b. A later row with the key of one sent is kept anew and written
// after it (tail's upsert then replaces it).
func (c conn) startComputing(ctx context.Context, b *batch, p *pending) {
	n := b.len()
	if n == 0 {
		return
	}
	job := &computation{n: n, done: make(chan struct{})}
	args := append([]any(nil), b.args...)
	b.args, b.keys = b.args[:0], nil
	b.computing = append(b.computing, job)
	go func() {
		defer close(job.done)
		job.rows, job.err = c.computeRows(ctx, p.pool, *b.compute, n, args)
	}()
}

// computeRows runs compute over n rows of args on q and returns the values
// of every row, one after the other.
func (c conn) computeRows(ctx context.Context, q querier, compute rowQuery, n int, args []any) ([]any, error) {
	c.n.Add(1)
	rows, err := q.QueryContext(ctx, c.d.rebind(compute.statement(n)), args...)
	if err != nil {
		return nil, c.d.invalidText(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, n*len(cols))
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, vals...)
	}
	if err := rows.Err(); err != nil {
		return nil, c.d.invalidText(err)
	}
	if len(out) != n*len(cols) {
		return nil, fmt.Errorf("%d rows computed of %d", len(out)/max(1, len(cols)), n)
	}
	return out, nil
}

// finished reports whether the computation is over.
func (job *computation) finished() bool {
	select {
	case <-job.done:
		return true
	default:
		return false
	}
}

// writeComputed waits for b's oldest computation and inserts its rows.
func (c conn) writeComputed(ctx context.Context, b *batch, p *pending) error {
	job := b.computing[0]
	select {
	case <-job.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	b.computing = b.computing[1:]
	p.rows -= job.n
	if job.err != nil {
		return fmt.Errorf("store: compute %d rows of %s: %w", job.n, b.table, job.err)
	}
	c.n.Add(1)
	if _, err := c.q.ExecContext(ctx, c.d.rebind(b.statement(job.n)), job.rows...); err != nil {
		return fmt.Errorf("store: write %d rows of %s: %w", job.n, b.table, c.d.invalidText(err))
	}
	return nil
}

// pendingRow returns the args of the row kept under key in table, if any.
func (p *pending) pendingRow(table, key string) ([]any, bool) {
	if p == nil {
		return nil, false
	}
	for _, b := range p.order {
		if b.table != table {
			continue
		}
		if i, ok := b.keys[key]; ok {
			return b.args[i*b.params : (i+1)*b.params], true
		}
	}
	return nil, false
}

// writeBatch writes b's rows in one statement and empties it; a batch of
// computed rows is computed first, and written after those computing.
func (c conn) writeBatch(ctx context.Context, b *batch, p *pending) error {
	if b.compute != nil {
		c.startComputing(ctx, b, p)
		for len(b.computing) > 0 {
			if err := c.writeComputed(ctx, b, p); err != nil {
				return err
			}
		}
		return nil
	}
	n := b.len()
	if n == 0 {
		return nil
	}
	c.n.Add(1)
	_, err := c.q.ExecContext(ctx, c.d.rebind(b.statement(n)), b.args...)
	p.rows -= n
	b.args, b.keys = b.args[:0], nil
	if c.d.isUniqueViolation(err) && b.table == "revisions" {
		// Another transaction saved one of the posts first.
		return fmt.Errorf("%w (%w)", content.Errorf(content.EConflict,
			"Someone else saved one of these posts meanwhile: nothing was saved; try again."), err)
	}
	if err != nil {
		return fmt.Errorf("store: write %d rows of %s: %w", n, b.table, c.d.invalidText(err))
	}
	return nil
}

// writeKept writes the rows kept for table by every statement but except
// (nil for all): before a row is kept for another statement on the table,
// so that its rows are written in the order they were kept, and for a
// read that looks at the other tables' kept rows itself (see queryAsIs).
func (c conn) writeKept(ctx context.Context, table string, except *batch) error {
	p := c.bulk
	if p == nil || p.rows == 0 {
		return nil
	}
	for _, b := range p.order {
		if b != except && b.table == table && (b.len() > 0 || len(b.computing) > 0) {
			if err := c.writeBatch(ctx, b, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush writes every pending row.
func (c conn) flush(ctx context.Context) error {
	p := c.bulk
	if p == nil || p.rows == 0 {
		return nil
	}
	for _, b := range p.order {
		if err := c.writeBatch(ctx, b, p); err != nil {
			return err
		}
	}
	return nil
}

// before writes the pending rows query may depend on: those of the tables
// it names, and all of them before a DELETE from a table they refer to (a
// cascade would miss them, or they would refer to nothing).
func (c conn) before(ctx context.Context, query string) error {
	p := c.bulk
	if p == nil {
		return nil
	}
	deleted := deletesFrom(query)
	if p.aside != nil && slices.Contains(p.aside.referenced, deleted) {
		// Its cascade needs the foreign keys set aside.
		return c.buildSetAside(ctx)
	}
	if t := updatedFresh(query, p.fresh); t != "" {
		delete(p.fresh, t)
	}
	if deleted == "comments" || deleted == "posts" {
		// The comments remembered may be gone.
		clear(p.comments)
		clear(p.wpComments)
	}
	if p.rows == 0 {
		return nil
	}
	if isReferenced(deleted) {
		return c.flush(ctx)
	}
	for _, b := range p.order {
		if (b.len() > 0 || len(b.computing) > 0) && (strings.Contains(query, b.table) || p.fresh[b.table] != nil && namesAny(query, p.fresh[b.table].refs)) {
			if err := c.writeBatch(ctx, b, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// isReferenced reports whether the kept rows may refer to rows of table.
func isReferenced(table string) bool {
	switch table {
	case "posts", "users", "terms", "media":
		return true
	}
	return false
}

// deletesFrom returns the table query deletes from, or "".
func deletesFrom(query string) string {
	q := strings.TrimSpace(query)
	if len(q) < 12 || !strings.EqualFold(q[:12], "DELETE FROM ") {
		return ""
	}
	table, _, _ := strings.Cut(strings.TrimSpace(q[12:]), " ")
	return table
}
