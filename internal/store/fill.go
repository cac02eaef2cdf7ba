package store

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
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
// While the keys referring to the posts are set aside, and while no post
// has changed its address, the fill also writes new posts many to a
// statement, as it writes their links (see bulk.go), instead of one insert
// (one round trip) each: their ids are taken from the posts' sequence 500
// at a time, and whether a slug or an import key is free is known without
// asking, since the table held no post when the fill began and nothing
// else may write to it before the commit. A post whose slug or import key
// this transaction may have written already (its hash was seen) is
// inserted at once, and the insert tells, as outside a fill.

// filledTables are the tables an import of a whole site fills.
var filledTables = []string{"posts", "post_terms", "post_authors", "post_search", "post_featured",
	"revisions", "aliases", "media", "comments"}

// setAside is what BulkFill set aside: the statements building it again,
// indexes before foreign keys (whose checks then read the indexes).
type setAside struct {
	build []string
}

// newPosts is what a fill needs to write new posts in batches.
type newPosts struct {
	seq string  // the posts' id sequence
	ids []int64 // taken from it and not used yet
	// written holds the hashes (writtenKey) of the kinds and slugs, and
	// of the import keys, of the posts this transaction wrote.
	written map[uint64]bool
	// refs are the tables not filled whose foreign keys refer to posts:
	// a statement naming one of them writes the posts kept first.
	refs []string
}

// writtenKey hashes a post's kind and slug, or (kind "") its import key.
func writtenKey(kind content.Kind, s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(s))
	return h.Sum64()
}

// keepNewPost keeps p's row (vals, in the order of postInsertColumns) to be
// written with other new posts' and gives p its id, when the transaction
// is a fill batching new posts and p's slug and import key are surely
// free; kept is false when p must be inserted at once.
func (tx *Tx) keepNewPost(ctx context.Context, p *content.Post, vals []any) (kept bool, err error) {
	if tx.bulk == nil || tx.bulk.posts == nil {
		return false, nil
	}
	np := tx.bulk.posts
	slug, key := writtenKey(p.Kind, p.Slug), writtenKey("", p.ImportKey)
	if np.written[slug] || (p.ImportKey != "" && np.written[key]) {
		return false, nil // perhaps taken: the insert will tell
	}
	if len(np.ids) == 0 {
		tx.n.Add(1)
		rows, err := tx.q.QueryContext(ctx, `SELECT nextval($1) FROM generate_series(1, `+strconv.Itoa(maxBatchRows)+`)`, np.seq)
		if err != nil {
			return false, fmt.Errorf("take ids for new posts: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return false, err
			}
			np.ids = append(np.ids, id)
		}
		if err := rows.Err(); err != nil {
			return false, fmt.Errorf("take ids for new posts: %w", err)
		}
	}
	id := np.ids[0]
	err = tx.insertRow(ctx, "posts", `INSERT INTO posts (id, `+postInsertColumns+`) VALUES `,
		`(?, `+placeholders(len(vals))+`)`, "", "", append([]any{id}, vals...)...)
	if err != nil {
		return false, err
	}
	np.ids = np.ids[1:]
	p.ID = id
	tx.wroteNewPost(p)
	return true, nil
}

// wroteNewPost notes, in a fill batching new posts, that p is written (or
// kept to be): its slug and import key are not free any more.
func (tx *Tx) wroteNewPost(p *content.Post) {
	if tx.bulk == nil || tx.bulk.posts == nil {
		return
	}
	np := tx.bulk.posts
	np.written[writtenKey(p.Kind, p.Slug)] = true
	if p.ImportKey != "" {
		np.written[writtenKey("", p.ImportKey)] = true
	}
}

// changesPosts reports whether query may change posts' addresses or keys
// (an UPDATE of posts other than the batched ones): new posts are then
// inserted one at a time again, each insert checking its slug.
func changesPosts(query string) bool {
	q := strings.TrimSpace(query)
	return len(q) >= 13 && strings.EqualFold(q[:13], "UPDATE posts ")
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
		SELECT 1, format('DROP INDEX %I.%I', n.nspname, c.relname), pg_get_indexdef(i.indexrelid)
		FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid
		JOIN pg_class t ON t.oid = i.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = current_schema() AND t.relname IN (`+tables+`)
			AND NOT i.indisunique AND NOT i.indisprimary
		UNION ALL
		SELECT 2, format('ALTER TABLE %I DROP CONSTRAINT %I', t.relname, k.conname),
			format('ALTER TABLE %I ADD CONSTRAINT %I %s', t.relname, k.conname, pg_get_constraintdef(k.oid))
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
			order      int
			d, rebuild string
		)
		if err := rows.Scan(&order, &d, &rebuild); err != nil {
			rows.Close()
			return fmt.Errorf("store: read the indexes to set aside: %w", err)
		}
		drop = append(drop, d)
		aside.build = append(aside.build, rebuild)
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
	return tx.batchNewPosts(ctx)
}

// batchNewPosts has the fill write new posts in batches when the posts'
// table is empty.
func (tx *Tx) batchNewPosts(ctx context.Context) error {
	var (
		empty bool
		seq   sql.NullString
	)
	err := tx.q.QueryRowContext(ctx, `SELECT NOT EXISTS (SELECT 1 FROM posts), pg_get_serial_sequence('posts', 'id')`).Scan(&empty, &seq)
	if err != nil {
		return fmt.Errorf("store: read the posts' sequence: %w", err)
	}
	if !empty || !seq.Valid {
		return nil
	}
	refs, err := tx.strings(ctx, `
		SELECT DISTINCT t.relname FROM pg_constraint k
		JOIN pg_class t ON t.oid = k.conrelid
		JOIN pg_class r ON r.oid = k.confrelid
		JOIN pg_namespace n ON n.oid = r.relnamespace
		WHERE k.contype = 'f' AND n.nspname = current_schema() AND r.relname = 'posts'
			AND t.relname NOT IN ('`+strings.Join(filledTables, "', '")+`')`)
	if err != nil {
		return fmt.Errorf("store: read the tables referring to posts: %w", err)
	}
	tx.bulk.posts = &newPosts{seq: seq.String, written: map[uint64]bool{}, refs: refs}
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
	// The keys are back: a post's links may not be written before it.
	p.aside, p.posts = nil, nil
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
