package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/app"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/search"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestReindexCommand runs "broadsheet reindex" on a database with posts
// and checks what it reports and that search still finds them.
func TestReindexCommand(t *testing.T) {
	ctx := context.Background()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := storetest.DSN(t, engine)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			err = db.Update(ctx, func(tx *store.Tx) error {
				for _, slug := range []string{"one", "two", "three"} {
					p := &content.Post{Kind: content.KindPost, Title: "Lisbon " + slug, Slug: slug, Status: content.StatusDraft,
						Format: content.FormatHTML, Body: "<p>x</p>", BodyHTML: "<p>x</p>", TeaserHTML: "<p>x</p>"}
					if err := tx.CreatePost(ctx, p); err != nil {
						return err
					}
				}
				return nil
			})
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			code := app.Run(ctx, []string{"--db", dsn, "reindex"}, nil, &stdout, &stderr)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			if !strings.Contains(stdout.String(), "3 posts and pages indexed") {
				t.Errorf("summary %q", stdout.String())
			}
			if !strings.Contains(stderr.String(), "indexing: 3 of 3 posts") {
				t.Errorf("progress %q", stderr.String())
			}
			db, err = store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			q, _ := search.Parse("lisbon ")
			res, err := db.Search(ctx, store.SearchRequest{Query: q, Filter: store.PostFilter{Limit: 10}})
			if err != nil || res.Total != 3 {
				t.Errorf("after reindex: %v, %v", res, err)
			}
			if code := app.Run(ctx, []string{"--db", dsn, "reindex", "extra"}, nil, &stdout, &stderr); code != 2 {
				t.Errorf("reindex with an argument: exit %d, want 2", code)
			}
		})
	}
}
