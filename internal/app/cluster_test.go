package app_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
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
