package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrBackupPostgres explains how PostgreSQL databases are backed up: with
// PostgreSQL's own tools, which copy a live database consistently.
var ErrBackupPostgres = errors.New("a PostgreSQL database is backed up with PostgreSQL's own tools: " +
	"pg_dump --format=custom --file=FILE 'postgres://…' while serving, and pg_restore --clean --if-exists --dbname='postgres://…' FILE to restore; " +
	"or make a SQLite copy of the site, verified, with broadsheet migrate --from 'postgres://…' --to FILE.db")

// Backup writes a consistent copy of the SQLite database to file, while
// the site keeps serving and writing: SQLite's VACUUM INTO reads one
// snapshot, so the copy holds every transaction committed before it began
// and none after. file must not exist yet. PostgreSQL databases return
// ErrBackupPostgres.
func (db *DB) Backup(ctx context.Context, file string) error {
	if db.d.name != "sqlite" {
		return ErrBackupPostgres
	}
	if _, err := os.Stat(file); err == nil {
		return fmt.Errorf("%s already exists; choose a new file name, so no earlier backup is overwritten", file)
	}
	if dir := filepath.Dir(file); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("create the backup's folder: %w", err)
		}
	}
	if _, err := db.exec(ctx, `VACUUM INTO ?`, file); err != nil {
		os.Remove(file)
		return fmt.Errorf("store: back up to %s: %w", file, err)
	}
	return nil
}

// Check verifies the database's integrity: SQLite's integrity check of
// every page and index, and that the schema is complete. It returns an
// error naming what is wrong.
func (db *DB) Check(ctx context.Context) error {
	if db.d.name == "sqlite" {
		problems, err := db.strings(ctx, `PRAGMA integrity_check`)
		if err != nil {
			return fmt.Errorf("store: integrity check: %w", err)
		}
		if len(problems) != 1 || problems[0] != "ok" {
			return fmt.Errorf("store: the database is damaged: %s", strings.Join(problems, "; "))
		}
		fk, err := db.strings(ctx, `SELECT "table" FROM pragma_foreign_key_check`)
		if err != nil {
			return fmt.Errorf("store: foreign key check: %w", err)
		}
		if len(fk) > 0 {
			return fmt.Errorf("store: rows in %s refer to rows that do not exist", strings.Join(fk, ", "))
		}
	}
	pending, err := db.PendingMigrations(ctx)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return fmt.Errorf("store: migrations %v are not applied", pending)
	}
	return nil
}

// Checkpoint moves everything in a SQLite database's write-ahead log into
// the database file, so the file alone holds the whole database (before
// moving it aside). It does nothing on PostgreSQL.
func (db *DB) Checkpoint(ctx context.Context) error {
	if db.d.name != "sqlite" {
		return nil
	}
	if _, err := db.exec(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("store: checkpoint: %w", err)
	}
	return nil
}
