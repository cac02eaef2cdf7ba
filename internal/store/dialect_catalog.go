package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// This file is dialect.go's companion for reading each engine's catalogue
// (which tables and columns a database has), for copying whole databases
// between engines. Like dialect.go, it is a place where engines differ.

// tableInfo describes one table as copying needs it.
type tableInfo struct {
	name    string
	columns []string // insertable columns (not generated), in order
	refs    []string // other tables its foreign keys reference
	selfFKs []string // columns referencing the table itself
	pk      []string // primary key columns
	serial  []string // identity columns whose sequence must follow copied ids (PostgreSQL)
}

// catalogue lists the database's own tables (not the migrations ledger,
// not SQLite's internal or virtual tables, not the search index and its
// FTS5 shadow tables, which each database rebuilds from its posts, and not
// the running processes' state: leases and the change log, which mean
// nothing to another database).
func (c conn) catalogue(ctx context.Context) (map[string]*tableInfo, error) {
	var q string
	switch c.d.name {
	case "sqlite":
		q = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
			AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND name <> 'schema_migrations' AND name NOT LIKE 'post_search%'
			AND name NOT IN ('leases', 'change_log')`
	default:
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()
			AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' AND table_name NOT LIKE 'post_search%'
			AND table_name NOT IN ('leases', 'change_log')`
	}
	names, err := c.strings(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("store: list tables: %w", err)
	}
	tables := map[string]*tableInfo{}
	for _, name := range names {
		t := &tableInfo{name: name}
		var qs [5]string
		switch c.d.name {
		case "sqlite":
			qs = [5]string{
				`SELECT name FROM pragma_table_info(?) ORDER BY cid`,
				`SELECT DISTINCT "table" FROM pragma_foreign_key_list(?) WHERE "table" <> ?`,
				`SELECT "from" FROM pragma_foreign_key_list(?) WHERE "table" = ?`,
				`SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk`,
				``,
			}
		default:
			qs = [5]string{
				`SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()
					AND table_name = ? AND is_generated = 'NEVER' ORDER BY ordinal_position`,
				`SELECT DISTINCT cl.relname FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.confrelid
					WHERE co.contype = 'f' AND co.conrelid = to_regclass(?) AND cl.relname <> ?`,
				`SELECT a.attname FROM pg_constraint co JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = ANY(co.conkey)
					WHERE co.contype = 'f' AND co.conrelid = to_regclass(?) AND co.confrelid = co.conrelid`,
				`SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
					WHERE i.indrelid = to_regclass(?) AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)`,
				`SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()
					AND table_name = ? AND is_identity = 'YES'`,
			}
		}
		dests := []*[]string{&t.columns, &t.refs, &t.selfFKs, &t.pk, &t.serial}
		for i, q := range qs {
			if q == "" {
				continue
			}
			// Every placeholder stands for the table's name.
			args := slices.Repeat([]any{name}, strings.Count(q, "?"))
			if *dests[i], err = c.strings(ctx, q, args...); err != nil {
				return nil, fmt.Errorf("store: describe table %s: %w", name, err)
			}
		}
		tables[name] = t
	}
	return tables, nil
}

// resetSerial makes an identity column's sequence continue after the
// highest copied value, so new rows do not collide with copied ones.
func (c conn) resetSerial(ctx context.Context, table, column string) error {
	if c.d.name != "postgres" {
		return nil // SQLite continues after the highest rowid by itself
	}
	_, err := c.exec(ctx, `SELECT setval(pg_get_serial_sequence(?, ?), (SELECT COALESCE(MAX(`+quoteIdent(column)+`), 0) + 1 FROM `+
		quoteIdent(table)+`), false)`, table, column)
	return err
}

// strings runs a query returning one text column.
func (c conn) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// snapshot are the options of a read-only transaction that sees one
// consistent state of the whole database: PostgreSQL's repeatable read;
// SQLite's deferred transaction, which in WAL mode reads one snapshot
// without blocking writers.
func (d dialect) snapshot() *sql.TxOptions {
	if d.name == "postgres" {
		return &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	return &sql.TxOptions{ReadOnly: true}
}
