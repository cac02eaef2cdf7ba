package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// walk is what a reader going through the whole site reads: every page
// of the front page and of each term's listing, the posts of each page
// (each read once, as the site keeps what it shows of a post in a
// listing), and every post's page with its featured image, in the front
// page's order, then the pages of posts that are not public.
type walk struct {
	Pages    map[string][]store.PostVersion
	Listed   map[string][]*content.Post
	Posts    map[string][3]*content.Post // post, older, newer
	Featured map[string]*content.Media
}

// walkSite also returns the queries it took for the listings and for the
// posts' pages.
func walkSite(t *testing.T, db *store.DB, terms []int64, slugs []string) (walk, [2]int64) {
	t.Helper()
	var queries [2]int64
	start := db.QueryCount()
	w := walk{Pages: map[string][]store.PostVersion{}, Listed: map[string][]*content.Post{},
		Posts: map[string][3]*content.Post{}, Featured: map[string]*content.Media{}}
	now := db.Now()
	kept := map[int64]*content.Post{}
	for _, term := range terms {
		f := store.Published(now)
		f.TermID, f.Limit = term, 2
		for f.Offset = 0; ; f.Offset += f.Limit {
			vs, total, err := db.FindPostVersions(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			key := fmt.Sprintf("term %d offset %d of %d", term, f.Offset, total)
			w.Pages[key] = vs
			var missing []int64
			for _, v := range vs {
				if kept[v.ID] == nil {
					missing = append(missing, v.ID)
				}
			}
			read, err := db.FindPostsByIDs(ctx, missing)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range read {
				kept[p.ID] = p
			}
			for _, v := range vs {
				w.Listed[key] = append(w.Listed[key], kept[v.ID])
			}
			if f.Offset+f.Limit >= total {
				break
			}
		}
	}
	queries[0] = db.QueryCount() - start
	start = db.QueryCount()
	for _, slug := range slugs {
		p, older, newer, err := db.FindPostPage(ctx, slug, now)
		if err != nil {
			t.Fatalf("%s: %v", slug, err)
		}
		w.Posts[slug] = [3]*content.Post{p, older, newer}
		if w.Featured[slug], err = db.FindFeatured(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	queries[1] = db.QueryCount() - start
	return w, queries
}

// TestReadAheadReadsWhatOneByOneReads: a reader going through every page
// of the site in order (a static export) reads with ReadAhead exactly what
// it reads page by page, with fewer queries, and what a change alters
// since it was read ahead is read as changed.
func TestReadAheadReadsWhatOneByOneReads(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db, _, _ := relayPair(t, engine)
			posts := seed(t, db, 24)
			var img content.Media
			err := db.Update(ctx, func(tx *store.Tx) error {
				img = content.Media{Key: "2026/01/pier.jpg", Filename: "pier.jpg", MIME: "image/jpeg", Width: 800, Height: 600, Alt: "A pier"}
				if err := tx.CreateMedia(ctx, &img); err != nil {
					return err
				}
				for _, i := range []int{0, 3, 10, 23} {
					if err := tx.SetFeatured(ctx, posts[i].ID, img.ID); err != nil {
						return err
					}
				}
				for _, p := range []*content.Post{
					{Slug: "a-draft", Status: content.StatusDraft, PublishedAt: posts[5].PublishedAt},
					{Slug: "scheduled", Status: content.StatusPublished, PublishedAt: db.Now().Add(time.Hour)},
				} {
					p.Kind, p.Title, p.Format, p.Body, p.BodyHTML = content.KindPost, "Also "+p.Slug, content.FormatHTML, "<p>B</p>", "<p>B</p>"
					if err := tx.CreatePost(ctx, p); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			terms := []int64{0, posts[0].Categories[0].ID, posts[1].Categories[0].ID}
			var slugs []string
			for i, p := range posts {
				slugs = append(slugs, p.Slug)
				if i == 4 {
					slugs = append(slugs, "a-draft", "scheduled")
				}
			}

			// Page by page, each walk from a memory emptied by a change.
			forget := func() {
				t.Helper()
				if err := db.Update(ctx, func(tx *store.Tx) error { return tx.SetMediaAlt(ctx, img.ID, "A pier") }); err != nil {
					t.Fatal(err)
				}
			}
			forget()
			want, oneByOne := walkSite(t, db, terms, slugs)

			db.ReadAhead(8)
			t.Cleanup(func() { db.ReadAhead(0) })
			forget()
			got, ahead := walkSite(t, db, terms, slugs)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("read ahead (-one by one +ahead):\n%s", diff)
			}
			t.Logf("queries: %v one by one, %v read ahead", oneByOne, ahead)
			if ahead[0]*2 > oneByOne[0] || ahead[1]*2 > oneByOne[1] {
				t.Errorf("queries for listings' pages and posts' pages: %v read ahead, %v one by one: want at most half", ahead, oneByOne)
			}

			// Read ahead, then changed: the post, its neighbour's link to it
			// and its picture are read as they are now.
			forget()
			if _, _, _, err := db.FindPostPage(ctx, posts[0].Slug, db.Now()); err != nil {
				t.Fatal(err)
			}
			err = db.Update(ctx, func(tx *store.Tx) error {
				q, err := tx.FindPostByID(ctx, posts[2].ID)
				if err != nil {
					return err
				}
				q.Title = "Retitled"
				if err := tx.UpdatePost(ctx, q); err != nil {
					return err
				}
				return tx.SetFeatured(ctx, posts[2].ID, img.ID)
			})
			if err != nil {
				t.Fatal(err)
			}
			_, older, _, err := db.FindPostPage(ctx, posts[1].Slug, db.Now())
			if err != nil || older.Title != "Retitled" {
				t.Errorf("the neighbour of a post changed since it was read ahead: %+v, %v", older, err)
			}
			p, _, _, err := db.FindPostPage(ctx, posts[2].Slug, db.Now())
			if err != nil || p.Title != "Retitled" {
				t.Errorf("a post changed since it was read ahead: %+v, %v", p, err)
			}
			if m, err := db.FindFeatured(ctx, posts[2].ID); err != nil || m == nil || m.ID != img.ID {
				t.Errorf("a picture set since the post was read ahead: %+v, %v", m, err)
			}
		})
	}
}

// TestReadAheadLeavesOutPostsGiven: a listing read ahead does not read
// again the posts another listing gave the reader, which keeps what it
// shows of them (the site, their teasers): every post read ahead is one
// the reader then asks for.
func TestReadAheadLeavesOutPostsGiven(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db, _, _ := relayPair(t, engine)
			posts := seed(t, db, 24)
			db.ReadAhead(8)
			t.Cleanup(func() { db.ReadAhead(0) })
			kept := map[int64]bool{}
			walkListing := func(term int64) {
				t.Helper()
				f := store.Published(db.Now())
				f.TermID, f.Limit = term, 2
				for f.Offset = 0; ; f.Offset += f.Limit {
					vs, total, err := db.FindPostVersions(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					var missing []int64
					for _, v := range vs {
						if !kept[v.ID] {
							missing = append(missing, v.ID)
						}
					}
					got, err := db.FindPostsByIDs(ctx, missing)
					if err != nil || len(got) != len(missing) {
						t.Fatalf("posts %v: %d read, %v", missing, len(got), err)
					}
					for _, p := range got {
						kept[p.ID] = true
					}
					if f.Offset+f.Limit >= total {
						break
					}
				}
			}
			walkListing(posts[0].Categories[0].ID) // every other post
			walkListing(0)                         // all of them
			if len(kept) != len(posts) {
				t.Fatalf("%d posts read, want %d", len(kept), len(posts))
			}
			if n := store.UnclaimedAhead(db); n != 0 {
				t.Errorf("%d posts read ahead that the reader, which had them, never asked for", n)
			}
		})
	}
}

// TestReadAheadReadsNextPagesEarly: a reader taking a post's page read
// ahead when half of them are taken reads the next ones, so that the
// reader asking for the next post (an export's other worker) finds its
// page kept instead of waiting for it to be read.
func TestReadAheadReadsNextPagesEarly(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db, _, _ := relayPair(t, engine)
			posts := seed(t, db, 24) // newest first
			db.ReadAhead(8)
			t.Cleanup(func() { db.ReadAhead(0) })
			now := db.Now()
			// The first reads posts 0-7; taking 1-4 leaves half of them.
			for _, p := range posts[:5] {
				got, _, _, err := db.FindPostPage(ctx, p.Slug, now)
				if err != nil || got.ID != p.ID {
					t.Fatalf("%s: %+v, %v", p.Slug, got, err)
				}
			}
			before := db.QueryCount()
			got, older, _, err := db.FindPostPage(ctx, posts[8].Slug, now)
			if err != nil || got.ID != posts[8].ID || got.BodyHTML != posts[8].BodyHTML || older == nil || older.ID != posts[9].ID {
				t.Fatalf("%s: %+v (older %+v), %v", posts[8].Slug, got, older, err)
			}
			if n := db.QueryCount() - before; n != 0 {
				t.Errorf("the page of the first post after those read ahead took %d queries, want 0: not read early", n)
			}
		})
	}
}
