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
		if len(cats) != 2 || cats[0].Slug != "africa" || cats[1].Slug != "economy" {
			t.Errorf("category stamps %+v", cats)
		}
		authors, err := db.FindAuthorStamps(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(authors) != 1 || authors[0].Slug != "amara" || authors[0].Modified.IsZero() {
			t.Errorf("author stamps %+v", authors)
		}
		early, err := db.FindTermStamps(ctx, content.TaxCategory, time.Date(2025, 12, 1, 9, 30, 0, 0, time.UTC))
		if err != nil || len(early) != 1 || early[0].Slug != "africa" {
			t.Errorf("before post B, category stamps %+v, %v; want africa only", early, err)
		}
	})
}
