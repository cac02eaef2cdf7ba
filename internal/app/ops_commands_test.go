package app_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/app"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/demo"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// opRun runs one broadsheet command line and returns its exit code and output.
func opRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = app.Run(context.Background(), args, nil, &out, &errOut)
	return code, out.String(), errOut.String()
}

// opDemoSite writes a SQLite site holding the demo content and returns its path.
func opDemoSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	wxrFile := filepath.Join(dir, "demo.wxr")
	if err := os.WriteFile(wxrFile, demo.WXR, 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "site.db")
	if code, _, stderr := opRun(t, "--data", dir, "--db", db, "import", wxrFile); code != 0 {
		t.Fatalf("import: %d %s", code, stderr)
	}
	return db
}

var opTitleRE = regexp.MustCompile(`<h2 class="entry-title"><a href="([^"]+)"[^>]*>([^<]+)</a>`)

// opFrontPage lists the links and titles on a site's front page.
func opFrontPage(t *testing.T, dataDir, dsn string) []string {
	t.Helper()
	srv := opStart(t, "--data", dataDir, "--db", dsn)
	code, body := opGet(t, srv.URL+"/")
	if code != 200 {
		t.Fatalf("front page of %s: %d", dsn, code)
	}
	var entries []string
	for _, m := range opTitleRE.FindAllStringSubmatch(body, -1) {
		entries = append(entries, m[1]+" "+m[2])
	}
	if len(entries) == 0 {
		t.Fatalf("front page of %s lists nothing", dsn)
	}
	return entries
}

func TestMigrateCopiesAWholeSiteToPostgreSQL(t *testing.T) {
	target := "postgres"
	if !slices.Contains(storetest.Engines(t), "postgres") {
		target = "sqlite"
	}
	from := opDemoSite(t)
	to := storetest.DSN(t, target)
	code, stdout, stderr := opRun(t, "migrate", "--from", from, "--to", to)
	if code != 0 {
		t.Fatalf("migrate: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "copying posts") || !strings.Contains(stdout, "row counts and checksums match on both sides") ||
		!regexp.MustCompile(`posts\s+16 rows\s+sha256 [0-9a-f]{12}…\s+copied, verified`).MatchString(stdout) {
		t.Errorf("migrate's output lacks progress or its summary:\n%s\n%s", stderr, stdout)
	}
	if strings.Contains(stdout+stderr, "password") {
		t.Error("migrate printed a password")
	}
	if a, b := opFrontPage(t, t.TempDir(), from), opFrontPage(t, t.TempDir(), to); !slices.Equal(a, b) {
		t.Errorf("front pages differ after the move:\nsource %q\ntarget %q", a, b)
	}
	// Run again, it finds the same site there and leaves it alone.
	code, stdout, stderr = opRun(t, "migrate", "--from", from, "--to", to)
	if code != 0 || !regexp.MustCompile(`posts\s+16 rows\s+sha256 [0-9a-f]{12}…\s+already identical`).MatchString(stdout) {
		t.Errorf("migrating again onto the copy: exit %d\n%s\n%s\nwant every table found identical", code, stdout, stderr)
	}
	// Once the target has a life of its own, migrate refuses to mix the
	// source into it.
	ctx := context.Background()
	dst, err := store.Open(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	if err := dst.Update(ctx, func(tx *store.Tx) error {
		return tx.CreatePost(ctx, &content.Post{Kind: content.KindPost, Title: "New", Slug: "new", Status: content.StatusDraft, Format: content.FormatMarkdown, Body: "x"})
	}); err != nil {
		t.Fatal(err)
	}
	dst.Close()
	code, _, stderr = opRun(t, "migrate", "--from", from, "--to", to)
	if code != 1 || !strings.Contains(stderr, "the target already has 17 rows in table posts") || !strings.Contains(stderr, "the target is as it was") {
		t.Errorf("migrating onto a filled database: exit %d, %q; want a refusal", code, stderr)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"migrate", "--to", to}, 2, "give both --from and --to"},
		{[]string{"migrate", "--from", filepath.Join(t.TempDir(), "missing.db"), "--to", to}, 1, "no such SQLite database"},
		{[]string{"migrate", "--from", from, "--to", from}, 2, "same database"},
	} {
		code, _, stderr := opRun(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d %q, want %d saying %q", c.args, code, stderr, c.code, c.want)
		}
	}
}

// TestBackupDuringWritesRestoresConsistentSite backs a SQLite site up while
// another process writes to it, and restores the backup: the restored site
// holds whole transactions only, and serves.
func TestBackupDuringWritesRestoresConsistentSite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dsn := filepath.Join(dir, "broadsheet.db")
	writer, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	author := &content.User{Slug: "amara", Name: "Amara Okafor", Role: content.RoleAuthor}
	tag := &content.Term{Taxonomy: content.TaxTag, Slug: "trade", Name: "trade"}
	if err := writer.Update(ctx, func(tx *store.Tx) error {
		if err := tx.UpsertUser(ctx, author); err != nil {
			return err
		}
		return tx.UpsertTerm(ctx, tag)
	}); err != nil {
		t.Fatal(err)
	}
	// Each transaction writes three posts, each with an author and a tag.
	var written atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			err := writer.Update(ctx, func(tx *store.Tx) error {
				for j := 0; j < 3; j++ {
					p := &content.Post{Kind: content.KindPost, Title: fmt.Sprintf("Post %d-%d", i, j), Slug: fmt.Sprintf("post-%d-%d", i, j),
						Status: content.StatusPublished, PublishedAt: time.Now().Add(-time.Hour).UTC().Truncate(time.Second),
						Format: content.FormatHTML, Body: "<p>Body</p>", BodyHTML: "<p>Body</p>", TeaserHTML: "<p>Body</p>",
						Authors: []content.User{*author}, Tags: []content.Term{*tag}}
					if err := tx.CreatePost(ctx, p); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Error(err)
				return
			}
			written.Add(3)
		}
	}()
	for written.Load() < 30 {
		time.Sleep(time.Millisecond)
	}
	backup := filepath.Join(t.TempDir(), "backups", "site.db")
	code, stdout, stderr := opRun(t, "--db", dsn, "backup", backup)
	atBackup := written.Load()
	close(stop)
	wg.Wait()
	if code != 0 || !strings.Contains(stdout, "integrity checked") {
		t.Fatalf("backup: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, _, stderr := opRun(t, "--db", dsn, "backup", backup); code != 1 || !strings.Contains(stderr, "already exists") {
		t.Errorf("backing up over an existing file: exit %d %q, want a refusal", code, stderr)
	}

	// A database still open elsewhere (here: by the writer) is not replaced.
	if code, _, stderr := opRun(t, "--db", dsn, "restore", backup); code != 1 || !strings.Contains(stderr, "is in use") {
		t.Errorf("restoring over a database in use: exit %d %q, want a refusal", code, stderr)
	}

	// Restore over another site: the site it replaces is kept.
	restoreDir := t.TempDir()
	restored := filepath.Join(restoreDir, "broadsheet.db")
	old := opDemoSite(t)
	oldDB, err := store.Open(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	oldPosts, _ := oldDB.CountPosts(ctx, content.KindPost)
	oldDB.Close()
	if err := os.Rename(old, restored); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = opRun(t, "--data", restoreDir, "restore", backup)
	if code != 0 {
		t.Fatalf("restore: exit %d\n%s\n%s", code, stdout, stderr)
	}
	keptRE := regexp.MustCompile(`kept as (\S+)\.\n`)
	m := keptRE.FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("restore did not say where the replaced site was kept:\n%s", stdout)
	}
	keptDB, err := store.Open(ctx, m[1])
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := keptDB.CountPosts(ctx, content.KindPost); n != oldPosts || n == 0 {
		t.Errorf("the kept site has %d posts, want the %d it had", n, oldPosts)
	}
	keptDB.Close()

	db, err := store.Open(ctx, restored)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Check(ctx); err != nil {
		t.Fatal(err)
	}
	posts, _, err := db.FindPosts(ctx, store.PostFilter{})
	if err != nil {
		t.Fatal(err)
	}
	n := int64(len(posts))
	if n%3 != 0 || n < 30 || n > atBackup+3 {
		t.Errorf("restored %d posts; want whole transactions of 3, at least the 30 written before the backup began and at most the %d by its end", n, atBackup+3)
	}
	for _, p := range posts {
		if len(p.Authors) != 1 || len(p.Tags) != 1 {
			t.Fatalf("restored post %q has %d authors and %d tags, want 1 and 1", p.Slug, len(p.Authors), len(p.Tags))
		}
	}
	if entries := opFrontPage(t, restoreDir, restored); len(entries) == 0 {
		t.Error("the restored site's front page is empty")
	}

	if slices.Contains(storetest.Engines(t), "postgres") {
		pg := storetest.DSN(t, "postgres")
		code, stdout, stderr := opRun(t, "--db", pg, "backup", filepath.Join(t.TempDir(), "x.db"))
		if code != 1 || !strings.Contains(stderr, "pg_dump") {
			t.Errorf("backup of PostgreSQL: exit %d %q %q, want directions to pg_dump", code, stdout, stderr)
		}
		code, stdout, stderr = opRun(t, "--db", pg, "restore", backup)
		if code != 0 || !strings.Contains(stdout, "row counts and checksums match") {
			t.Fatalf("restore into PostgreSQL: exit %d\n%s\n%s", code, stdout, stderr)
		}
		pdb, err := store.Open(ctx, pg)
		if err != nil {
			t.Fatal(err)
		}
		defer pdb.Close()
		if got, _ := pdb.CountPosts(ctx, content.KindPost); int64(got) != n {
			t.Errorf("PostgreSQL holds %d posts after the restore, want %d", got, n)
		}
	}
}
