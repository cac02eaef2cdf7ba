package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

func TestSyndicationSettings(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		got, err := db.LoadSettings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.FeedItems != 20 || !got.FeedFullText || got.RobotsTxt != content.DefaultRobotsTxt || got.WebSubHub != "" {
			t.Errorf("defaults: %+v", got)
		}
		want := got
		want.FeedItems, want.FeedFullText = 50, false
		want.RobotsTxt, want.WebSubHub, want.Logo = "User-agent: *\nDisallow: /drafts/\n", "https://hub.example/", "https://cdn.example/logo.png"
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.SaveSettings(ctx, want) }); err != nil {
			t.Fatal(err)
		}
		got, err = db.LoadSettings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("settings read back differ (-want +got):\n%s", diff)
		}
		for _, bad := range []func(*content.Settings){
			func(s *content.Settings) { s.FeedItems = -1 },
			func(s *content.Settings) { s.FeedItems = content.MaxFeedItems + 1 },
			func(s *content.Settings) { s.WebSubHub = "hub.example" },
			func(s *content.Settings) { s.Logo = "javascript:alert(1)" },
		} {
			s := want
			bad(&s)
			err := db.Update(ctx, func(tx *store.Tx) error { return tx.SaveSettings(ctx, s) })
			if content.ErrorCode(err) != content.EInvalid {
				t.Errorf("saving %+v: %v, want invalid", s, err)
			}
		}
		if got, _ := db.LoadSettings(ctx); !cmp.Equal(want, got) {
			t.Errorf("a refused save changed the settings: %+v", got)
		}
	})
}

func TestCanonicalSourceRoundTrip(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		posts := seed(t, db, 1)
		p := posts[0]
		p.Source = &content.Source{Name: "Xinhua", URL: "https://example.org/a"}
		p.CanonicalSource = true
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.UpdatePost(ctx, p) }); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindPostByID(ctx, p.ID)
		if err != nil || !got.CanonicalSource {
			t.Fatalf("CanonicalSource not kept: %v, %v", got, err)
		}
		p.Source = nil
		err = db.Update(ctx, func(tx *store.Tx) error { return tx.UpdatePost(ctx, p) })
		if content.ErrorCode(err) != content.EInvalid {
			t.Errorf("canonical original without a source: %v, want invalid", err)
		}
	})
}

func TestStamps(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		posts := seed(t, db, 3) // published 2025-12-01 09:00, 10:00, 11:00
		now := time.Date(2025, 12, 1, 10, 30, 0, 0, time.UTC)
		stamps, err := db.FindStamps(ctx, content.KindPost, now)
		if err != nil {
			t.Fatal(err)
		}
		var paths []string
		for _, s := range stamps {
			paths = append(paths, s.Path())
		}
		if want := []string{posts[1].Path(), posts[2].Path()}; !slices.Equal(paths, want) {
			t.Errorf("stamps %q, want %q (newest first, none after now)", paths, want)
		}
		// seed's posts were written at the frozen clock, after they were dated.
		if !stamps[0].Modified().Equal(db.Now().UTC().Truncate(time.Second)) {
			t.Errorf("modified %v", stamps[0].Modified())
		}
		cats, err := db.FindTermStamps(ctx, content.TaxCategory, now)
		if err != nil {
			t.Fatal(err)
		}
		// Post B (10:00) is in economy and africa; post A (09:00) in africa.
		if len(cats) != 2 || cats[0].Slug != "africa" || cats[1].Slug != "economy" || cats[0].Posts != 2 || cats[1].Posts != 1 {
			t.Errorf("category stamps %+v, want africa of 2 posts and economy of 1", cats)
		}
		authors, err := db.FindAuthorStamps(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(authors) != 1 || authors[0].Slug != "amara" || authors[0].Posts != 2 || authors[0].Modified.IsZero() {
			t.Errorf("author stamps %+v", authors)
		}
		early, err := db.FindTermStamps(ctx, content.TaxCategory, time.Date(2025, 12, 1, 9, 30, 0, 0, time.UTC))
		if err != nil || len(early) != 1 || early[0].Slug != "africa" {
			t.Errorf("before post B, category stamps %+v, %v; want africa only", early, err)
		}
	})
}

// TestRememberedStampsFollowChanges: while the process hears every change,
// the sitemaps' stamps are read once, and read again after a post is
// published, changed or deleted, and when a post dated later becomes
// public.
func TestRememberedStampsFollowChanges(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db, _, _ := relayPair(t, engine)
			clock := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
			var cat content.Term
			find := func(step string, want ...string) {
				t.Helper()
				for round := range 2 {
					before := db.QueryCount()
					stamps, err := db.FindStamps(ctx, content.KindPost, clock)
					if err != nil {
						t.Fatal(err)
					}
					terms, err := db.FindTermStamps(ctx, content.TaxCategory, clock)
					if err != nil {
						t.Fatal(err)
					}
					authors, err := db.FindAuthorStamps(ctx, clock)
					if err != nil {
						t.Fatal(err)
					}
					var got []string
					for _, s := range stamps {
						got = append(got, s.Slug+"@"+s.Modified().Format("15:04"))
					}
					for _, a := range append(terms, authors...) {
						got = append(got, a.Slug+"@"+a.Modified.Format("15:04"))
					}
					if !slices.Equal(got, want) {
						t.Errorf("%s, round %d: stamps %q, want %q", step, round, got, want)
					}
					if n := db.QueryCount() - before; round == 1 && n != 0 {
						t.Errorf("%s: the same stamps again took %d queries", step, n)
					}
				}
			}
			write := func(fn func(tx *store.Tx) error) {
				t.Helper()
				db.Now = func() time.Time { return clock }
				if err := db.Update(ctx, fn); err != nil {
					t.Fatal(err)
				}
			}
			author := &content.User{Slug: "amara", Name: "Amara Okafor", Role: content.RoleAuthor}
			p, later := publishedPost("first"), publishedPost("later")
			later.PublishedAt = clock.Add(time.Hour)
			clock = clock.Add(-time.Hour) // written at 11:00
			write(func(tx *store.Tx) error {
				cat = content.Term{Taxonomy: content.TaxCategory, Slug: "africa", Name: "Africa"}
				if err := tx.UpsertTerm(ctx, &cat); err != nil {
					return err
				}
				if err := tx.UpsertUser(ctx, author); err != nil {
					return err
				}
				for _, q := range []*content.Post{p, later} {
					q.Categories, q.Authors = []content.Term{cat}, []content.User{*author}
					if err := tx.CreatePost(ctx, q); err != nil {
						return err
					}
				}
				return nil
			})
			clock = clock.Add(time.Hour)
			find("as published", "first@11:00", "africa@11:00", "amara@11:00")
			write(func(tx *store.Tx) error {
				p.Title = "Changed"
				return tx.UpdatePost(ctx, p)
			})
			find("changed", "first@12:00", "africa@12:00", "amara@12:00")
			clock = clock.Add(90 * time.Minute)
			find("a post dated later come out", "later@13:00", "first@12:00", "africa@13:00", "amara@13:00")
			write(func(tx *store.Tx) error { return tx.DeletePost(ctx, later.ID) })
			find("deleted", "first@12:00", "africa@12:00", "amara@12:00")
		})
	}
}
