package app

import (
	"context"
	"fmt"
	"net/url"
	"time"
)

// reindex rebuilds the search index from the stored posts. The index is
// kept up to date by every post write; this is for recovery, or after a
// change to how text is indexed.
func (e *env) reindex(ctx context.Context, args []string) error {
	fs := e.flags("reindex", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError{"reindex takes no arguments"}
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	progress := func(done, total int) {
		fmt.Fprintf(e.stderr, "\rindexing: %d of %d posts", done, total)
	}
	rep, err := db.Reindex(ctx, progress)
	if err != nil {
		fmt.Fprintln(e.stderr)
		return fmt.Errorf("%w (the previous index is kept)", err)
	}
	if rep.Indexed > 0 {
		fmt.Fprintln(e.stderr)
	}
	took := time.Since(start).Round(time.Millisecond)
	fmt.Fprintf(e.stdout, "Rebuilt the search index of %s in %s: %d posts and pages indexed (%d entries replaced), none skipped.\n",
		redact(e.cfg.DatabaseURL()), took, rep.Indexed, rep.Removed)
	return nil
}

// redact hides the password of a database URL before it is printed.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
