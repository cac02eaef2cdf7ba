package app_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/demo"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestTwoServersShareOnePostgreSQL runs two serve processes on one
// PostgreSQL database: a post published to their shared database appears on the other's front page, and the other hears of the
// change through the relay (which is what its page cache will follow).
func TestTwoServersShareOnePostgreSQL(t *testing.T) {
	if !slices.Contains(storetest.Engines(t), "postgres") {
		t.Skip("several servers share a database on PostgreSQL only")
	}
	ctx := context.Background()
	dsn := storetest.DSN(t, "postgres")
	a := opStart(t, "--data", t.TempDir(), "--db", dsn, "--demo")
	b := opStart(t, "--data", t.TempDir(), "--db", dsn)
	for _, srv := range []*opServer{a, b} {
		opEventually(t, func() string {
			if _, page := opGet(t, srv.URL+"/metrics"); opMetric(page, "broadsheet_db_relay_listening") != 1 {
				return srv.URL + " never started listening for other processes' changes"
			}
			return ""
		})
	}
	_, before := opGet(t, b.URL+"/metrics")
	heard := opMetric(before, `broadsheet_changes_total{origin="remote"}`)

	// An editor publishes through a store handle of its own: the admin,
	// running in either process, will make this same store call.
	editor, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer editor.Close()
	post := &content.Post{Kind: content.KindPost, Title: "Published on one server", Slug: "published-on-one",
		Status: content.StatusPublished, PublishedAt: time.Now().Add(-time.Minute).UTC().Truncate(time.Second),
		Format: content.FormatHTML, Body: "<p>Seen on both.</p>", BodyHTML: "<p>Seen on both.</p>", TeaserHTML: "<p>Seen on both.</p>"}
	published := time.Now()
	if err := editor.Update(ctx, func(tx *store.Tx) error { return tx.CreatePost(ctx, post) }); err != nil {
		t.Fatal(err)
	}
	opEventually(t, func() string {
		_, page := opGet(t, b.URL+"/metrics")
		if opMetric(page, `broadsheet_changes_total{origin="remote"}`) <= heard {
			return "the second server never heard of the post published through the first's database"
		}
		return ""
	})
	_, front := opGet(t, b.URL+"/")
	t.Logf("second server heard of the change and showed it %v after the commit", time.Since(published))
	if !strings.Contains(front, "Published on one server") {
		t.Fatal("the post is not on the second server's front page")
	}
	if _, front := opGet(t, a.URL+"/"); !strings.Contains(front, "Published on one server") {
		t.Fatal("the post is not on the first server's front page")
	}
}

// TestServeHearsAnImportIntoItsSQLiteFile imports into the SQLite file a
// serve process is using, from another process (the command line): the
// server hears of the change through the change log.
func TestServeHearsAnImportIntoItsSQLiteFile(t *testing.T) {
	dir := t.TempDir()
	srv := opStart(t, "--data", dir)
	if code, front := opGet(t, srv.URL+"/"); code != 200 || strings.Contains(front, "entry-teaser") {
		t.Fatalf("a new site's front page: %d, want 200 and no entries", code)
	}
	wxrFile := filepath.Join(t.TempDir(), "demo.wxr")
	if err := os.WriteFile(wxrFile, demo.WXR, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := opRun(t, "--data", dir, "import", wxrFile); code != 0 {
		t.Fatalf("import: %d %s", code, stderr)
	}
	opEventually(t, func() string {
		_, page := opGet(t, srv.URL+"/metrics")
		if opMetric(page, `broadsheet_changes_total{origin="remote"}`) < 1 {
			return "serve never heard of the import made by another process"
		}
		return ""
	})
	if _, front := opGet(t, srv.URL+"/"); !strings.Contains(front, "entry-teaser") {
		t.Error("the imported posts are not on the front page")
	}
}
