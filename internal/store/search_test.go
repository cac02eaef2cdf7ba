package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/search"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestRememberedSearchesFollowChanges: a process that hears every change
// answers a readers' search made again from what it found, without a
// query, and every change, a post becoming public at its time included,
// is found by the next search.
func TestRememberedSearchesFollowChanges(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db, _, _ := relayPair(t, engine)
			q, err := search.Parse("zanzibar")
			if err != nil {
				t.Fatal(err)
			}
			clock := db.Now()
			find := func(step string, want ...string) {
				t.Helper()
				for round := range 2 {
					before := db.QueryCount()
					f := store.Published(clock)
					f.Limit = 10
					res, err := db.Search(ctx, store.SearchRequest{Query: q, Filter: f})
					if err != nil {
						t.Fatal(err)
					}
					var got []string
					for _, h := range res.Hits {
						got = append(got, h.Post.Title)
					}
					slices.Sort(got)
					if !slices.Equal(got, want) || res.Total != len(want) {
						t.Errorf("%s, round %d: %q (total %d), want %q", step, round, got, res.Total, want)
					}
					if n := db.QueryCount() - before; round == 1 && n != 0 {
						t.Errorf("%s: the same search again took %d queries", step, n)
					}
				}
			}
			p := publishedPost("spice")
			p.Title = "Zanzibar spice"
			p.PublishedAt = clock.Add(-time.Hour)
			later := publishedPost("later")
			later.Title, later.PublishedAt = "Zanzibar later", clock.Add(time.Hour)
			if err := db.Update(ctx, func(tx *store.Tx) error {
				if err := tx.CreatePost(ctx, p); err != nil {
					return err
				}
				return tx.CreatePost(ctx, later)
			}); err != nil {
				t.Fatal(err)
			}
			find("as published", "Zanzibar spice")
			if err := db.Update(ctx, func(tx *store.Tx) error {
				p.Title = "Zanzibar cloves"
				return tx.UpdatePost(ctx, p)
			}); err != nil {
				t.Fatal(err)
			}
			find("retitled", "Zanzibar cloves")
			clock = clock.Add(2 * time.Hour)
			find("a scheduled post's time come", "Zanzibar cloves", "Zanzibar later")
			if err := db.Update(ctx, func(tx *store.Tx) error { return tx.DeletePost(ctx, p.ID) }); err != nil {
				t.Fatal(err)
			}
			find("deleted", "Zanzibar later")
		})
	}
}
