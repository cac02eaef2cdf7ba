package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

var ctx = context.Background()

// seed creates an author, two categories, a tag and n published posts, one
// hour apart, the newest first in the returned slice.
func seed(t *testing.T, db *store.DB, n int) []*content.Post {
	t.Helper()
	var posts []*content.Post
	err := db.Update(ctx, func(tx *store.Tx) error {
		u := &content.User{Slug: "amara", Name: "Amara Okafor", Role: content.RoleAuthor}
		if err := tx.UpsertUser(ctx, u); err != nil {
			return err
		}
		africa := &content.Term{Taxonomy: content.TaxCategory, Slug: "africa", Name: "Africa"}
		econ := &content.Term{Taxonomy: content.TaxCategory, Slug: "economy", Name: "Economy"}
		trade := &content.Term{Taxonomy: content.TaxTag, Slug: "trade", Name: "trade"}
		for _, term := range []*content.Term{africa, econ, trade} {
			if err := tx.UpsertTerm(ctx, term); err != nil {
				return err
			}
		}
		base := time.Date(2025, 12, 1, 9, 0, 0, 0, time.UTC)
		for i := 0; i < n; i++ {
			p := &content.Post{
				Kind: content.KindPost, Title: "Post " + string(rune('A'+i)), Slug: "post-" + string(rune('a'+i)),
				Status: content.StatusPublished, PublishedAt: base.Add(time.Duration(i) * time.Hour),
				Format: content.FormatHTML, Body: "<p>Body</p>", BodyHTML: "<p>Body</p>", TeaserHTML: "<p>Body</p>",
				Authors: []content.User{*u}, Categories: []content.Term{*africa}, Tags: []content.Term{*trade},
			}
			if i%2 == 1 {
				p.Categories = []content.Term{*econ, *africa}
			}
			if err := tx.CreatePost(ctx, p); err != nil {
				return err
			}
			posts = append([]*content.Post{p}, posts...)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return posts
}

func TestPostRoundTrip(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		seed(t, db, 1)
		src := &content.Source{Name: "Xinhua", URL: "https://example.org/a", Author: "Li Wei",
			PublishedAt: time.Date(2025, 12, 19, 8, 30, 0, 0, time.UTC)}
		want := &content.Post{
			Kind: content.KindPost, Title: "São Tomé’s “new” port – a test", Slug: "sao-tomes-new-port",
			Status: content.StatusPublished, PublishedAt: time.Date(2025, 12, 20, 18, 0, 0, 0, time.UTC),
			Format: content.FormatMarkdown, Body: "Intro\n\n<!--more-->\n\nRest", Excerpt: "Short.",
			BodyHTML: "<p>Intro</p><p>Rest</p>", TeaserHTML: "<p>Intro</p>", HasMore: true,
			Source: src, ImportKey: "https://old.example/?p=1",
		}
		err := db.Update(ctx, func(tx *store.Tx) error {
			u, err := tx.FindUserBySlug(ctx, "amara")
			if err != nil {
				return err
			}
			africa, err := tx.FindTermBySlug(ctx, content.TaxCategory, "africa")
			if err != nil {
				return err
			}
			want.Authors, want.Categories = []content.User{*u}, []content.Term{*africa}
			return tx.CreatePost(ctx, want)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.FindPostByID(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("post read back differs (-want +got):\n%s", diff)
		}
		byKey, err := db.FindPostByImportKey(ctx, "https://old.example/?p=1")
		if err != nil || byKey.ID != want.ID {
			t.Errorf("FindPostByImportKey = %v, %v; want post %d", byKey, err, want.ID)
		}
	})
}

func TestSlugConflict(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		posts := seed(t, db, 2)
		err := db.Update(ctx, func(tx *store.Tx) error {
			p := *posts[0]
			p.ID, p.ImportKey = 0, ""
			return tx.CreatePost(ctx, &p)
		})
		if content.ErrorCode(err) != content.EConflict {
			t.Fatalf("creating a second post with slug %q: err = %v, want a conflict", posts[0].Slug, err)
		}
		n, _ := db.CountPosts(ctx, content.KindPost)
		if n != 2 {
			t.Errorf("after a refused create, %d posts; want 2", n)
		}
	})
}

func TestFailedUpdateChangesNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		seed(t, db, 3)
		boom := errors.New("boom")
		err := db.Update(ctx, func(tx *store.Tx) error {
			p, err := tx.FindPostBySlug(ctx, content.KindPost, "post-a")
			if err != nil {
				return err
			}
			if err := tx.DeletePost(ctx, p.ID); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Update returned %v, want the callback's error", err)
		}
		if _, err := db.FindPostBySlug(ctx, content.KindPost, "post-a"); err != nil {
			t.Errorf("post deleted in a rolled-back transaction is gone: %v", err)
		}
	})
}

func TestFindPostsListing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		posts := seed(t, db, 5)
		// A draft and a post scheduled in the future stay out of listings.
		err := db.Update(ctx, func(tx *store.Tx) error {
			draft := *posts[0]
			draft.ID, draft.Slug, draft.Status = 0, "draft", content.StatusDraft
			if err := tx.CreatePost(ctx, &draft); err != nil {
				return err
			}
			future := *posts[0]
			future.ID, future.Slug, future.PublishedAt = 0, "future", db.Now().Add(time.Hour)
			return tx.CreatePost(ctx, &future)
		})
		if err != nil {
			t.Fatal(err)
		}
		f := store.Published(db.Now())
		f.Limit, f.Offset = 2, 2
		got, total, err := db.FindPosts(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if total != 5 {
			t.Errorf("total = %d, want 5 published posts", total)
		}
		if len(got) != 2 || got[0].Slug != posts[2].Slug || got[1].Slug != posts[3].Slug {
			t.Errorf("page 2 = %v, want %s and %s", slugs(got), posts[2].Slug, posts[3].Slug)
		}
		if len(got[0].Authors) != 1 || got[0].Authors[0].Name != "Amara Okafor" {
			t.Errorf("listing authors = %+v, want Amara Okafor", got[0].Authors)
		}
		if got[0].Body != "" {
			t.Errorf("listing without WithBody read the body")
		}
		// Category archive: odd posts are in Economy, listed first.
		econ, err := db.FindTermBySlug(ctx, content.TaxCategory, "economy")
		if err != nil {
			t.Fatal(err)
		}
		f = store.Published(db.Now())
		f.TermID = econ.ID
		got, total, err = db.FindPosts(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if total != 2 || len(got) != 2 {
			t.Fatalf("economy archive: %d posts (total %d), want 2", len(got), total)
		}
		if names := []string{got[0].Categories[0].Name, got[0].Categories[1].Name}; names[0] != "Economy" || names[1] != "Africa" {
			t.Errorf("categories of %s = %v, want [Economy Africa] in the order given", got[0].Slug, names)
		}
		// Date range.
		f = store.Published(db.Now())
		f.From, f.To = posts[3].PublishedAt, posts[1].PublishedAt
		got, _, _ = db.FindPosts(ctx, f)
		if len(got) != 2 || got[0].Slug != posts[2].Slug {
			t.Errorf("date range = %v, want %s, %s", slugs(got), posts[2].Slug, posts[3].Slug)
		}
	})
}

func TestAdjacentPosts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		posts := seed(t, db, 3)
		older, newer, err := db.FindAdjacentPosts(ctx, posts[1], db.Now())
		if err != nil {
			t.Fatal(err)
		}
		if older == nil || older.ID != posts[2].ID || newer == nil || newer.ID != posts[0].ID {
			t.Errorf("neighbours of %s = %v, %v; want %s, %s", posts[1].Slug, older, newer, posts[2].Slug, posts[0].Slug)
		}
		older, newer, err = db.FindAdjacentPosts(ctx, posts[2], db.Now())
		if err != nil || older != nil || newer == nil || newer.ID != posts[1].ID {
			t.Errorf("neighbours of the oldest post = %v, %v (%v); want none and %s", older, newer, err, posts[1].Slug)
		}
		older, newer, err = db.FindAdjacentPosts(ctx, posts[0], db.Now())
		if err != nil || newer != nil || older == nil || older.ID != posts[1].ID || older.Title != posts[1].Title {
			t.Errorf("neighbours of the newest post = %v, %v (%v); want %s and none", older, newer, err, posts[1].Slug)
		}
	})
}

func TestTermsUsersAliasesSettings(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		posts := seed(t, db, 2)
		terms, err := db.FindTerms(ctx, content.TaxCategory)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for _, term := range terms {
			counts[term.Slug] = term.Count
		}
		if diff := cmp.Diff(map[string]int{"africa": 2, "economy": 1}, counts); diff != "" {
			t.Errorf("category counts (-want +got):\n%s", diff)
		}
		err = db.Update(ctx, func(tx *store.Tx) error {
			// Upserting an existing user keeps its id and role.
			u := &content.User{Slug: "amara", Name: "Amara O.", Role: content.RoleContributor}
			if err := tx.UpsertUser(ctx, u); err != nil {
				return err
			}
			if u.Role != content.RoleAuthor {
				t.Errorf("upsert changed the role to %s", u.Role)
			}
			if err := tx.PutAlias(ctx, &content.Alias{Path: "/old/", PostID: posts[0].ID}); err != nil {
				return err
			}
			s := content.DefaultSettings()
			s.Title, s.PostsPerPage = "The Meridian Review", 7
			return tx.SaveSettings(ctx, s)
		})
		if err != nil {
			t.Fatal(err)
		}
		a, err := db.FindAlias(ctx, "/old/")
		if err != nil || a.PostID != posts[0].ID {
			t.Errorf("alias = %+v, %v; want post %d", a, err, posts[0].ID)
		}
		if _, err := db.FindAlias(ctx, "/missing/"); !content.IsNotFound(err) {
			t.Errorf("missing alias: err = %v, want not found", err)
		}
		s, err := db.LoadSettings(ctx)
		if err != nil || s.Title != "The Meridian Review" || s.PostsPerPage != 7 {
			t.Errorf("settings = %+v, %v", s, err)
		}
		err = db.Update(ctx, func(tx *store.Tx) error {
			return tx.SaveSettings(ctx, content.Settings{Title: "x", PostsPerPage: 0})
		})
		if content.ErrorCode(err) != content.EInvalid {
			t.Errorf("saving posts_per_page 0: err = %v, want invalid", err)
		}
	})
}

func TestMigrationsAreIdempotent(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := storetest.DSN(t, engine)
			for i := 0; i < 2; i++ {
				db, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatalf("open #%d: %v", i+1, err)
				}
				applied, embedded, err := db.SchemaVersion(ctx)
				db.Close()
				if err != nil || applied != embedded || applied == 0 {
					t.Fatalf("open #%d: schema version %d of %d (%v)", i+1, applied, embedded, err)
				}
			}
		})
	}
}

func slugs(posts []*content.Post) []string {
	var s []string
	for _, p := range posts {
		s = append(s, p.Slug)
	}
	return s
}

func TestSubscribersSeeCommittedChanges(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		var got []store.Change
		db.Subscribe(func(_ context.Context, c store.Change) { got = append(got, c) })
		posts := seed(t, db, 1)
		// A rolled-back transaction tells nobody.
		db.Update(ctx, func(tx *store.Tx) error { tx.DeletePost(ctx, posts[0].ID); return errors.New("abort") })
		// Unpublishing then republishing: only the second is "newly published".
		for _, status := range []content.Status{content.StatusDraft, content.StatusPublished} {
			err := db.Update(ctx, func(tx *store.Tx) error {
				p, err := tx.FindPostByID(ctx, posts[0].ID)
				if err != nil {
					return err
				}
				p.Status = status
				return tx.UpdatePost(ctx, p)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		id := posts[0].ID
		want := []store.Change{
			{Posts: []int64{id}, Published: []int64{id}, Site: true}, // seed
			{Posts: []int64{id}},
			{Posts: []int64{id}, Published: []int64{id}},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
	})
}

// TestCountsFollowOtherProcessesWithoutARelay: a handle that does not hear
// other processes' changes (a command-line tool, a test) must not trust
// counts it remembered, or another process's publication stays invisible.
func TestCountsFollowOtherProcessesWithoutARelay(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := storetest.DSN(t, engine)
			reader, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer reader.Close()
			writer, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer writer.Close()
			count := func() int {
				_, total, err := reader.FindPosts(ctx, store.Published(time.Now()))
				if err != nil {
					t.Fatal(err)
				}
				return total
			}
			if n := count(); n != 0 {
				t.Fatalf("%d posts in a new site", n)
			}
			count()
			seed(t, writer, 2)
			if n := count(); n != 2 {
				t.Errorf("after another handle published 2 posts, this one counts %d", n)
			}
		})
	}
}

// TestPostVersionsListWhatFindPostsLists: FindPostVersions names the posts
// FindPosts lists, page after page, and FindPostsByIDs reads them back as
// FindPosts does, in the order asked, without bodies.
func TestPostVersionsListWhatFindPostsLists(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		posts := seed(t, db, 7)
		econ := posts[0].Categories[0]
		if posts[0].Categories[0].Slug != "economy" {
			econ = posts[1].Categories[0]
		}
		for _, term := range []int64{0, econ.ID} {
			for off := 0; off < 9; off += 3 {
				f := store.Published(db.Now())
				f.TermID, f.Limit, f.Offset = term, 3, off
				want, wantTotal, err := db.FindPosts(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				got, total, err := db.FindPostVersions(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if total != wantTotal || len(got) != len(want) {
					t.Fatalf("term %d, offset %d: %d versions of %d, want %d of %d", term, off, len(got), total, len(want), wantTotal)
				}
				ids := make([]int64, len(got))
				for i, v := range got {
					ids[i] = v.ID
					if v.ID != want[i].ID || !v.UpdatedAt.Equal(want[i].UpdatedAt) || !v.PublishedAt.Equal(want[i].PublishedAt) {
						t.Errorf("term %d, offset %d, #%d: %+v, want post %d updated %s", term, off, i, v, want[i].ID, want[i].UpdatedAt)
					}
				}
				// Asked in reverse, with a missing ID: the order asked, the missing left out.
				var asked []int64
				for i := len(ids) - 1; i >= 0; i-- {
					asked = append(asked, ids[i])
				}
				read, err := db.FindPostsByIDs(ctx, append(asked, 999999))
				if err != nil {
					t.Fatal(err)
				}
				if len(read) != len(want) {
					t.Fatalf("FindPostsByIDs(%v): %d posts, want %d", asked, len(read), len(want))
				}
				for i, p := range read {
					w := want[len(want)-1-i]
					// Listings read no bodies: all else is the same.
					if diff := cmp.Diff(w, p); diff != "" {
						t.Errorf("FindPostsByIDs #%d (-FindPosts +FindPostsByIDs):\n%s", i, diff)
					}
				}
			}
		}
	})
}
