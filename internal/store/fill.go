package store

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
)

// Filling an empty site (Tx.BulkFill) on PostgreSQL loads as pg_restore
// does: the secondary indexes of the tables an import fills, and the
// foreign keys between them, are set aside when the transaction starts
// filling and built once before it commits, each in one pass over the rows,
// instead of one index insertion (and one lookup of the row referred to)
// for every row written. A GIN index built at once from ten thousand
// search entries takes a fraction of the time ten thousand insertions do.
//
// What stays: primary keys and unique indexes, so that every lookup the
// transaction makes by id, slug, path or import key finds its row at once
// and a duplicate is refused when written; and the foreign keys to tables
// it does not fill (users, terms, sources), whose setting aside would lock
// those tables, and with them signing in, for the whole transaction.
//
// Setting an index aside locks its table until the commit: the site's
// pages wait for the transaction to end. That is why only a transaction
// filling an empty site does it, where the pages would have shown nothing.
//
// While the keys referring to them are set aside, the fill also writes new
// posts, media items and comments many to a statement, as it writes a
// post's links (see bulk.go), instead of one insert (one round trip) each:
// their ids are taken from the table's sequence 500 at a time, and whether
// a slug, a file's path or an import key (a comment's post and WordPress
// id) is free is known without asking, since the table held no row when
// the fill began and nothing else may write to it before the commit. A row
// whose key this transaction may have written already (its hash was seen)
// is inserted at once, and the insert tells, as outside a fill; so is
// every row once a statement has updated the table (and perhaps changed a
// key).

// filledTables are the tables an import of a whole site fills.
var filledTables = []string{"posts", "post_terms", "post_authors", "post_search", "post_featured",
	"revisions", "aliases", "media", "comments"}

// setAside is what BulkFill set aside: the statements building it again,
// indexes before foreign keys (whose checks then read the indexes).
type setAside struct {
	build []string
	// referenced are the tables the foreign keys set aside refer to: a
	// DELETE from one of them needs the keys for its cascade.
	referenced []string
}

// newRows is what a fill needs to write a table's new rows in batches.
type newRows struct {
	seq string  // the table's id sequence
	ids []int64 // taken from it and not used yet
	// written holds the hashes of the unique keys (writtenKey) of the
	// rows this transaction wrote.
	written map[uint64]bool
	// refs are the tables not filled whose foreign keys refer to the
	// table: a statement naming one of them writes the rows kept first.
	refs []string
}

// freshTables are the tables whose new rows a fill writes in batches.
var freshTables = []string{"posts", "media", "comments"}

// writtenKey hashes one of a row's unique keys: its name, then its parts.
func writtenKey(parts ...string) uint64 {
	h := fnv.New64a()
	for _, s := range parts {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// postKeys are the unique keys of a post besides its id.
func postKeys(p *content.Post) []uint64 {
	keys := []uint64{writtenKey("slug", string(p.Kind), p.Slug)}
	if p.ImportKey != "" {
		keys = append(keys, writtenKey("import", p.ImportKey))
	}
	return keys
}

// mediaKeys are the unique keys of a media item besides its id.
func mediaKeys(m *content.Media) []uint64 {
	keys := []uint64{writtenKey("path", m.Key)}
	if m.ImportKey != "" {
		keys = append(keys, writtenKey("import", m.ImportKey))
	}
	return keys
}

// commentKeys are the unique keys of a comment besides its id: its post
// and WordPress id, when it has one.
func commentKeys(c *content.Comment) []uint64 {
	if c.WordPressID == 0 {
		return nil
	}
	return []uint64{writtenKey("wp", strconv.FormatInt(c.PostID, 10), strconv.FormatInt(c.WordPressID, 10))}
}

// keepNew keeps a new row of table (columns, and vals in their order) to
// be written with others and returns its id, when the transaction is a
// fill batching the table's new rows and none of keys was written; kept is
// false when the row must be inserted at once.
func (tx *Tx) keepNew(ctx context.Context, table, columns string, keys []uint64, vals []any) (id int64, kept bool, err error) {
	if tx.bulk == nil || tx.bulk.fresh[table] == nil {
		return 0, false, nil
	}
	nr := tx.bulk.fresh[table]
	for _, k := range keys {
		if nr.written[k] {
			return 0, false, nil // perhaps taken: the insert will tell
		}
	}
	if len(nr.ids) == 0 {
		if err := tx.takeIDs(ctx, nr); err != nil {
			return 0, false, fmt.Errorf("take ids for new rows of %s: %w", table, err)
		}
	}
	id = nr.ids[0]
	err = tx.insertRow(ctx, table, `INSERT INTO `+table+` (id, `+columns+`) VALUES `,
		`(?, `+placeholders(len(vals))+`)`, "", "", append([]any{id}, vals...)...)
	if err != nil {
		return 0, false, err
	}
	nr.ids = nr.ids[1:]
	tx.wroteNew(table, keys)
	return id, true, nil
}

// takeIDs takes the next maxBatchRows ids of nr's sequence for nr.
func (tx *Tx) takeIDs(ctx context.Context, nr *newRows) error {
	tx.n.Add(1)
	rows, err := tx.q.QueryContext(ctx, `SELECT nextval($1) FROM generate_series(1, `+strconv.Itoa(maxBatchRows)+`)`, nr.seq)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		nr.ids = append(nr.ids, id)
	}
	return rows.Err()
}

// wroteNew notes, in a fill batching table's new rows, that a row with
// keys is written (or kept to be): they are not free any more.
func (tx *Tx) wroteNew(table string, keys []uint64) {
	if tx.bulk == nil || tx.bulk.fresh[table] == nil {
		return
	}
	for _, k := range keys {
		tx.bulk.fresh[table].written[k] = true
	}
}

// updatedFresh returns the table of fresh an UPDATE query writes to, or
// "": its rows' keys may change, so the table's new rows are then
// inserted one at a time again, each insert checking its keys.
func updatedFresh(query string, fresh map[string]*newRows) string {
	q := strings.TrimSpace(query)
	if len(q) < 7 || !strings.EqualFold(q[:7], "UPDATE ") {
		return ""
	}
	table, _, _ := strings.Cut(strings.TrimSpace(q[7:]), " ")
	if fresh[table] != nil {
		return table
	}
	return ""
}

// namesAny reports whether query names one of the tables.
func namesAny(query string, tables []string) bool {
	for _, t := range tables {
		if strings.Contains(query, t) {
			return true
		}
	}
	return false
}

// BulkFill is Bulk for a transaction filling a site that holds no entries
// yet, as the import of a whole WordPress site into a new one does. On
// PostgreSQL it also sets aside the filled tables' secondary indexes and
// the foreign keys between them (see above), and locks those tables until
// the transaction ends; they are built again, and their statistics taken,
// before it commits, or before a statement that would need them (a DELETE
// whose cascade they carry). On SQLite it is Bulk.
func (tx *Tx) BulkFill(ctx context.Context) error {
	if err := tx.Bulk(ctx); err != nil {
		return err
	}
	if tx.d.name != "postgres" || tx.bulk.aside != nil {
		return nil
	}
	tables := "'" + strings.Join(filledTables, "', '") + "'"
	// Locked together first: no other transaction may begin to use one
	// of them between the setting aside of one index and the next.
	if _, err := tx.q.ExecContext(ctx, `LOCK TABLE `+strings.Join(filledTables, ", ")+` IN ACCESS EXCLUSIVE MODE`); err != nil {
		return fmt.Errorf("store: lock the tables to fill: %w", err)
	}
	rows, err := tx.q.QueryContext(ctx, `
		SELECT 1, format('DROP INDEX %I.%I', n.nspname, c.relname), pg_get_indexdef(i.indexrelid), ''::name
		FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid
		JOIN pg_class t ON t.oid = i.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = current_schema() AND t.relname IN (`+tables+`)
			AND NOT i.indisunique AND NOT i.indisprimary
		UNION ALL
		SELECT 2, format('ALTER TABLE %I DROP CONSTRAINT %I', t.relname, k.conname),
			format('ALTER TABLE %I ADD CONSTRAINT %I %s', t.relname, k.conname, pg_get_constraintdef(k.oid)), r.relname
		FROM pg_constraint k
		JOIN pg_class t ON t.oid = k.conrelid
		JOIN pg_class r ON r.oid = k.confrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE k.contype = 'f' AND n.nspname = current_schema()
			AND t.relname IN (`+tables+`) AND r.relname IN (`+tables+`)
		ORDER BY 1, 2`)
	if err != nil {
		return fmt.Errorf("store: read the indexes to set aside: %w", err)
	}
	var drop []string
	aside := &setAside{}
	for rows.Next() {
		var (
			order                int
			d, rebuild, refersTo string
		)
		if err := rows.Scan(&order, &d, &rebuild, &refersTo); err != nil {
			rows.Close()
			return fmt.Errorf("store: read the indexes to set aside: %w", err)
		}
		drop = append(drop, d)
		aside.build = append(aside.build, rebuild)
		if refersTo != "" && !slices.Contains(aside.referenced, refersTo) {
			aside.referenced = append(aside.referenced, refersTo)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: read the indexes to set aside: %w", err)
	}
	for _, q := range drop {
		if _, err := tx.q.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: set aside (%s): %w", q, err)
		}
	}
	tx.bulk.aside = aside
	return tx.batchNew(ctx)
}

// batchNew has the fill write the new rows of those of freshTables that
// are empty in batches.
func (tx *Tx) batchNew(ctx context.Context) error {
	for _, table := range freshTables {
		var (
			empty bool
			seq   sql.NullString
		)
		err := tx.q.QueryRowContext(ctx, `SELECT NOT EXISTS (SELECT 1 FROM `+table+`), pg_get_serial_sequence($1, 'id')`, table).Scan(&empty, &seq)
		if err != nil {
			return fmt.Errorf("store: read the sequence of %s: %w", table, err)
		}
		if !empty || !seq.Valid {
			continue
		}
		refs, err := tx.strings(ctx, `
			SELECT DISTINCT t.relname FROM pg_constraint k
			JOIN pg_class t ON t.oid = k.conrelid
			JOIN pg_class r ON r.oid = k.confrelid
			JOIN pg_namespace n ON n.oid = r.relnamespace
			WHERE k.contype = 'f' AND n.nspname = current_schema() AND r.relname = $1
				AND t.relname NOT IN ('`+strings.Join(filledTables, "', '")+`')`, table)
		if err != nil {
			return fmt.Errorf("store: read the tables referring to %s: %w", table, err)
		}
		tx.bulk.fresh[table] = &newRows{seq: seq.String, written: map[uint64]bool{}, refs: refs}
	}
	return nil
}

// buildSetAside writes the pending rows, then builds what BulkFill set
// aside and has the tables' statistics taken, so that the first pages read
// after the commit are planned for the rows now there, not for empty tables.
// A row breaking a foreign key set aside is refused here, with the table and
// the key named.
func (c conn) buildSetAside(ctx context.Context) error {
	p := c.bulk
	if p == nil || p.aside == nil {
		return nil
	}
	if err := c.flush(ctx); err != nil {
		return err
	}
	aside := p.aside
	// The keys are back: a row may not be written after those referring
	// to it.
	p.aside = nil
	clear(p.fresh)
	for _, q := range aside.build {
		c.n.Add(1)
		if _, err := c.q.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: build again what the fill set aside: %w", c.d.invalidText(err))
		}
	}
	c.n.Add(1)
	if _, err := c.q.ExecContext(ctx, `ANALYZE `+strings.Join(filledTables, ", ")); err != nil {
		return fmt.Errorf("store: take the filled tables' statistics: %w", err)
	}
	return nil
}
