package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
)

// isPostgres reports whether a --db value names a PostgreSQL server.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// safeDSN hides the password in a database URL, for messages.
func safeDSN(dsn string) string {
	if !isPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// openExisting opens a database that must already exist: a SQLite file
// that is missing is an error, not a new empty site.
func openExisting(ctx context.Context, dsn, role string) (*store.DB, error) {
	if !isPostgres(dsn) {
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("the %s %s: no such SQLite database", role, path)
		}
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("the %s %s: %w", role, safeDSN(dsn), err)
	}
	return db, nil
}

// migrateDB copies a whole site from one database to another.
func (e *env) migrateDB(ctx context.Context, args []string) error {
	fs := e.flags("migrate", "--from SQLITE_FILE --to postgres://…")
	from := fs.String("from", "", "the database to copy: a SQLite file (or a postgres:// `URL`)")
	to := fs.String("to", "", "the empty database to copy into: a postgres:// `URL` (or a SQLite file)")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	case *from == "" || *to == "":
		return usageError{"give both --from and --to"}
	case *from == *to:
		return usageError{"--from and --to name the same database"}
	}
	src, err := openExisting(ctx, *from, "source")
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := store.Open(ctx, *to)
	if err != nil {
		return fmt.Errorf("the target %s: %w", safeDSN(*to), err)
	}
	defer dst.Close()
	rep, err := e.copyWithProgress(ctx, src, dst)
	if err != nil {
		return fmt.Errorf("%w (the target is as it was)", err)
	}
	e.copySummary(rep, fmt.Sprintf("Copied %s (%s) to %s (%s)", safeDSN(*from), src.Engine(), safeDSN(*to), dst.Engine()))
	return nil
}

// copyWithProgress runs store.Copy, showing progress on stderr.
func (e *env) copyWithProgress(ctx context.Context, src, dst *store.DB) (*store.CopyReport, error) {
	last := ""
	rep, err := store.Copy(ctx, src, dst, func(table string, copied, total int64) {
		if table != last && last != "" {
			fmt.Fprintln(e.stderr)
		}
		last = table
		fmt.Fprintf(e.stderr, "\rcopying %-20s %d of %d rows", table, copied, total)
	})
	if last != "" {
		fmt.Fprintln(e.stderr)
	}
	return rep, err
}

func (e *env) copySummary(rep *store.CopyReport, title string) {
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, title)
	var rows int64
	for _, t := range rep.Tables {
		note := "copied, verified"
		if t.AlreadyThere {
			note = "already identical in the target, left alone"
		}
		fmt.Fprintf(tw, "  %s\t%d rows\tsha256 %s…\t%s\n", t.Table, t.Rows, t.Checksum[:12], note)
		rows += t.Rows
	}
	tw.Flush()
	for _, s := range rep.Skipped {
		fmt.Fprintf(e.stdout, "  skipped %s: %s\n", s.Table, s.Reason)
	}
	fmt.Fprintf(e.stdout, "%d rows in %d tables; row counts and checksums match on both sides; %d tables skipped.\n",
		rows, len(rep.Tables), len(rep.Skipped))
}

// backup writes a consistent copy of the SQLite database while serving.
func (e *env) backup(ctx context.Context, args []string) error {
	fs := e.flags("backup", "FILE")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"give the file to write the backup to"}
	}
	file := fs.Arg(0)
	dsn := e.cfg.DatabaseURL()
	if isPostgres(dsn) {
		return store.ErrBackupPostgres
	}
	db, err := openExisting(ctx, dsn, "database")
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(e.stderr, "backing up %s to %s …\n", dsn, file)
	if err := db.Backup(ctx, file); err != nil {
		return err
	}
	// Check what was written, so a bad backup is known now, not on the day
	// it is needed.
	copyDB, err := store.Open(ctx, file)
	if err != nil {
		return fmt.Errorf("the backup %s cannot be opened: %w", file, err)
	}
	defer copyDB.Close()
	if err := copyDB.Check(ctx); err != nil {
		return fmt.Errorf("the backup %s failed its check: %w", file, err)
	}
	posts, _ := copyDB.CountPosts(ctx, content.KindPost)
	pages, _ := copyDB.CountPosts(ctx, content.KindPage)
	st, _ := os.Stat(file)
	fmt.Fprintf(e.stdout, "Backed up %s to %s: %d posts, %d pages, %d bytes; integrity checked.\n", dsn, file, posts, pages, st.Size())
	return nil
}

// restore puts a backup made by backup (or migrate) in place of the
// database: a SQLite database is replaced, the old one kept beside it; a
// PostgreSQL database must be empty and is filled by a verified copy.
func (e *env) restore(ctx context.Context, args []string) error {
	fs := e.flags("restore", "[--force] BACKUP_FILE")
	force := fs.Bool("force", false, "restore even though the SQLite database looks in use (after a crash)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"give the backup file to restore"}
	}
	file := fs.Arg(0)
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("no backup at %s", file)
	}
	dsn := e.cfg.DatabaseURL()
	if !isPostgres(dsn) {
		dsn = strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
		// SQLite keeps a -shm file while any process has the database open
		// and removes it when the last one closes. A server still running
		// would go on writing to the file set aside, and its writes would be
		// lost to the restored site.
		if _, err := os.Stat(dsn + "-shm"); err == nil && !*force {
			return fmt.Errorf("%s is in use (%s-shm exists): stop every broadsheet serve using it first; "+
				"if none runs (it crashed), add --force", dsn, dsn)
		}
	}
	// Work on a copy of the backup: opening a database brings its schema up
	// to date, and the backup itself must stay as it was.
	tmpDir := filepath.Dir(dsn)
	if isPostgres(dsn) {
		tmpDir = ""
	} else if err := os.MkdirAll(tmpDir, 0o750); err != nil {
		return err
	}
	staged, err := os.CreateTemp(tmpDir, "broadsheet-restore-*.db")
	if err != nil {
		return err
	}
	stagedPath := staged.Name()
	defer os.Remove(stagedPath)
	if err := copyFile(staged, file); err != nil {
		return fmt.Errorf("read the backup %s: %w", file, err)
	}
	src, err := store.Open(ctx, stagedPath)
	if err != nil {
		return fmt.Errorf("the backup %s is not a Broadsheet database: %w", file, err)
	}
	if err := src.Check(ctx); err != nil {
		src.Close()
		return fmt.Errorf("the backup %s failed its check: %w (nothing was restored)", file, err)
	}
	posts, _ := src.CountPosts(ctx, content.KindPost)
	if isPostgres(dsn) {
		defer src.Close()
		dst, err := store.Open(ctx, dsn)
		if err != nil {
			return fmt.Errorf("the database %s: %w", safeDSN(dsn), err)
		}
		defer dst.Close()
		rep, err := e.copyWithProgress(ctx, src, dst)
		if err != nil {
			return fmt.Errorf("%w (the database is as it was)", err)
		}
		e.copySummary(rep, fmt.Sprintf("Restored %s into %s", file, safeDSN(dsn)))
		return nil
	}
	if err := src.Checkpoint(ctx); err != nil {
		src.Close()
		return err
	}
	src.Close()
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(stagedPath + suffix)
	}
	// Keep the database being replaced, whole (its log too), beside it.
	kept := ""
	if _, err := os.Stat(dsn); err == nil {
		old, err := store.Open(ctx, dsn)
		if err == nil {
			err = old.Checkpoint(ctx)
			old.Close()
		}
		if err != nil {
			return fmt.Errorf("the current database %s: %w (nothing was restored)", dsn, err)
		}
		kept = dsn + ".before-restore-" + time.Now().UTC().Format("20060102-150405")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Rename(dsn+suffix, kept+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("keep the current database aside: %w", err)
			}
		}
	}
	if err := os.Rename(stagedPath, dsn); err != nil {
		return fmt.Errorf("put the restored database in place: %w", err)
	}
	fmt.Fprintf(e.stdout, "Restored %s into %s: %d posts; integrity checked.\n", file, dsn, posts)
	if kept != "" {
		fmt.Fprintf(e.stdout, "The database it replaced is kept as %s.\n", kept)
	}
	return nil
}

func copyFile(dst *os.File, src string) error {
	in, err := os.Open(src)
	if err != nil {
		dst.Close()
		return err
	}
	defer in.Close()
	if _, err := io.Copy(dst, in); err != nil {
		dst.Close()
		return err
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}
