package store

import (
	"context"
	"fmt"
	"strings"
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

// filledTables are the tables an import of a whole site fills.
var filledTables = []string{"posts", "post_terms", "post_authors", "post_search", "post_featured",
	"revisions", "aliases", "media", "comments"}

// setAside is what BulkFill set aside: the statements building it again,
// indexes before foreign keys (whose checks then read the indexes).
type setAside struct {
	build []string
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
	p.aside = nil
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
