package store_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/search"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// bulkSetup stores an author, a category, a tag and an image for the bulk tests.
func bulkSetup(t *testing.T, db *store.DB) (*content.User, *content.Term, *content.Term, *content.Media) {
	t.Helper()
	u := &content.User{Slug: "amara", Name: "Amara Okafor", Role: content.RoleAuthor}
	cat := &content.Term{Taxonomy: content.TaxCategory, Slug: "africa", Name: "Africa"}
	tag := &content.Term{Taxonomy: content.TaxTag, Slug: "trade", Name: "trade"}
	m := &content.Media{Key: "2024/05/port.jpg", Filename: "port.jpg", MIME: "image/jpeg", Size: 10, Width: 4, Height: 3}
	err := db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.UpsertUser(ctx, u); err != nil {
			return err
		}
		for _, term := range []*content.Term{cat, tag} {
			if err := tx.UpsertTerm(ctx, term); err != nil {
				return err
			}
		}
		return tx.CreateMedia(ctx, m)
	})
	if err != nil {
		t.Fatal(err)
	}
	return u, cat, tag, m
}

// bulkPost writes one post as the importer does: the post, its first
// revision, two old addresses and its featured image.
func bulkPost(tx *store.Tx, i int, u *content.User, cat, tag *content.Term, m *content.Media) (*content.Post, error) {
	p := &content.Post{Kind: content.KindPost, Title: fmt.Sprintf("Harbour %d", i), Slug: fmt.Sprintf("harbour-%d", i),
		Status: content.StatusPublished, PublishedAt: time.Date(2024, 5, 1, 9, 0, i, 0, time.UTC), Format: content.FormatHTML,
		Body: fmt.Sprintf("<p>Cranes unload cargo number%d.</p>", i), BodyHTML: fmt.Sprintf("<p>Cranes unload cargo number%d.</p>", i),
		Authors: []content.User{*u}, Categories: []content.Term{*cat}, Tags: []content.Term{*tag}}
	if err := tx.CreatePost(ctx, p); err != nil {
		return nil, err
	}
	if _, err := tx.AddRevision(ctx, content.RevisionOf(p, m.ID), 0); err != nil {
		return nil, err
	}
	for _, path := range []string{fmt.Sprintf("/old/%d/", i), fmt.Sprintf("/?p=%d", i)} {
		if err := tx.PutAlias(ctx, &content.Alias{Path: path, PostID: p.ID}); err != nil {
			return nil, err
		}
	}
	return p, tx.SetFeatured(ctx, p.ID, m.ID)
}

// TestBulkWritesRowsTogether: a bulk transaction (an import's) writes a
// post's links, revision, search entry, old addresses and featured image
// many rows to a statement, where one statement (a round trip to
// PostgreSQL) each made a large import several times slower; what it
// reads meanwhile and what it commits are as if each row had been written
// at once.
func TestBulkWritesRowsTogether(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		u, cat, tag, m := bulkSetup(t, db)
		const n = 150
		var posts []*content.Post
		var statements int64
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.Bulk(ctx); err != nil {
				return err
			}
			start := db.QueryCount()
			for i := range n {
				p, err := bulkPost(tx, i, u, cat, tag, m)
				if err != nil {
					return err
				}
				posts = append(posts, p)
			}
			statements = db.QueryCount() - start

			// Read back inside the transaction, before anything was committed.
			last := posts[n-1]
			got, err := tx.FindPostByID(ctx, last.ID)
			if err != nil {
				return err
			}
			if len(got.Authors) != 1 || len(got.Categories) != 1 || len(got.Tags) != 1 {
				t.Errorf("in the transaction, the post's links: authors %v, categories %v, tags %v", got.Authors, got.Categories, got.Tags)
			}
			a, err := tx.FindAlias(ctx, fmt.Sprintf("/old/%d/", n-2))
			if err != nil || a.PostID != posts[n-2].ID {
				t.Errorf("in the transaction, FindAlias = %+v, %v; want post %d", a, err, posts[n-2].ID)
			}
			if target, err := tx.FindAliasTarget(ctx, fmt.Sprintf("/?p=%d", n-1)); err != nil || target != last.Path() {
				t.Errorf("in the transaction, FindAliasTarget = %q, %v; want %q", target, err, last.Path())
			}
			// A second save of a post created in this transaction is its version 2.
			if v, err := tx.AddRevision(ctx, content.RevisionOf(last, 0), 1); err != nil || v != 2 {
				t.Errorf("second revision: version %d, %v; want 2", v, err)
			}
			// An address put twice keeps the second.
			if err := tx.PutAlias(ctx, &content.Alias{Path: "/moved/", Target: "/first/"}); err != nil {
				return err
			}
			if err := tx.PutAlias(ctx, &content.Alias{Path: "/moved/", PostID: posts[0].ID}); err != nil {
				return err
			}
			f, err := tx.FindFeatured(ctx, posts[3].ID)
			if err != nil || f == nil || f.ID != m.ID {
				t.Errorf("in the transaction, featured image = %v, %v; want media %d", f, err, m.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// One statement for each post and one more for its image's check,
		// and SQLite's search index writes its own four; writing each row
		// at once took eight more.
		limit := 2.5
		if db.Engine() == "sqlite" {
			limit = 6.5
		}
		if perPost := float64(statements) / n; perPost > limit {
			t.Errorf("%d statements for %d posts (%.1f a post), want at most %.1f a post", statements, n, perPost, limit)
		}

		for i, p := range []*content.Post{posts[0], posts[n/2], posts[n-1]} {
			got, err := db.FindPostByID(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Authors) != 1 || got.Authors[0].ID != u.ID || len(got.Categories) != 1 || got.Categories[0].ID != cat.ID ||
				len(got.Tags) != 1 || got.Tags[0].ID != tag.ID {
				t.Errorf("post %d's links after the commit: %+v %+v %+v", i, got.Authors, got.Categories, got.Tags)
			}
			revs, err := db.FindRevisions(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := 1
			if p == posts[n-1] {
				want = 2
			}
			if len(revs) != want {
				t.Errorf("post %d has %d revisions, want %d", i, len(revs), want)
			}
			if f, err := db.FindFeatured(ctx, p.ID); err != nil || f == nil || f.ID != m.ID {
				t.Errorf("post %d's featured image = %v, %v", i, f, err)
			}
		}
		if a, err := db.FindAlias(ctx, "/moved/"); err != nil || a.PostID != posts[0].ID || a.Target != "" {
			t.Errorf("an address put twice: %+v, %v; want the second", a, err)
		}
		n0, err := db.CountPosts(ctx, content.KindPost)
		if err != nil || n0 != n {
			t.Errorf("CountPosts = %d, %v; want %d", n0, err, n)
		}
		q, err := search.Parse(fmt.Sprintf("number%d", n/2))
		if err != nil {
			t.Fatal(err)
		}
		res, err := db.Search(ctx, store.SearchRequest{Query: q, Filter: store.PostFilter{Kind: content.KindPost}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 1 || len(res.Hits) != 1 || res.Hits[0].Post.ID != posts[n/2].ID {
			t.Errorf("search for a word of post %d: %+v", n/2, res)
		}
	})
}

// TestBulkFailureWritesNothing: rows kept for later are gone with a
// transaction that fails, and a kept row the database refuses fails the
// commit, naming its table, with nothing written.
func TestBulkFailureWritesNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		u, cat, tag, m := bulkSetup(t, db)
		boom := errors.New("boom")
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.Bulk(ctx); err != nil {
				return err
			}
			for i := range 20 {
				if _, err := bulkPost(tx, i, u, cat, tag, m); err != nil {
					return err
				}
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Update = %v, want boom", err)
		}
		err = db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.Bulk(ctx); err != nil {
				return err
			}
			if _, err := bulkPost(tx, 1, u, cat, tag, m); err != nil {
				return err
			}
			// A post that does not exist: refused only when written.
			return tx.PutAlias(ctx, &content.Alias{Path: "/nowhere/", PostID: 999999})
		})
		if err == nil || !strings.Contains(err.Error(), "aliases") {
			t.Fatalf("Update with an alias to no post = %v, want an error naming aliases", err)
		}
		if n, err := db.CountPosts(ctx, content.KindPost); err != nil || n != 0 {
			t.Errorf("posts after two failed transactions: %d, %v; want 0", n, err)
		}
		if _, err := db.FindAlias(ctx, "/old/1/"); !content.IsNotFound(err) {
			t.Errorf("an alias of a failed transaction: %v, want not found", err)
		}
	})
}

// TestManyLookups: the addresses a post's links may lead to, looked up in
// one query, are those looked up one at a time, inside a bulk transaction
// too.
func TestManyLookups(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		u, cat, tag, m := bulkSetup(t, db)
		var posts []*content.Post
		err := db.Update(ctx, func(tx *store.Tx) error {
			for i := range 3 {
				p, err := bulkPost(tx, i, u, cat, tag, m)
				if err != nil {
					return err
				}
				posts = append(posts, p)
			}
			return tx.PutAlias(ctx, &content.Alias{Path: "/feed/rss2/", Target: "/feed/"})
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.Bulk(ctx); err != nil {
				return err
			}
			// Kept, not written yet.
			if err := tx.PutAlias(ctx, &content.Alias{Path: "/kept/", PostID: posts[2].ID}); err != nil {
				return err
			}
			paths := []string{"/old/0/", "/?p=1", "/feed/rss2/", "/kept/", "/none/"}
			got, err := tx.FindLinkTargets(ctx, store.LinkLookup{Aliases: paths, Media: []string{m.Key, "2024/05/none.jpg"},
				Posts: []string{"harbour-0", "harbour-2", "harbour-9"}, Pages: []string{"harbour-1"}})
			if err != nil {
				return err
			}
			want := store.LinkTargets{Aliases: map[string]string{}, Media: map[string]string{m.Key: m.URL()},
				Posts: map[string]string{}, Pages: map[string]string{}}
			for _, p := range paths {
				if target, err := tx.FindAliasTarget(ctx, p); err != nil {
					return err
				} else if target != "" {
					want.Aliases[p] = target
				}
			}
			for _, slug := range []string{"harbour-0", "harbour-2", "harbour-9"} {
				if path, err := tx.FindSlugPath(ctx, content.KindPost, slug); err != nil {
					return err
				} else if path != "" {
					want.Posts[slug] = path
				}
			}
			if len(want.Aliases) != 4 || len(want.Posts) != 2 {
				t.Errorf("one at a time: %+v, want four aliases and two posts", want)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("FindLinkTargets (-one at a time +together):\n%s", diff)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestUpdatePostAddresses: an import's second pass changes the addresses
// in a post's body, rendered HTML and teaser, and its parent page, and the
// post keeps its links, revisions and search entry; its listings follow
// its new update time.
func TestUpdatePostAddresses(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		u, cat, tag, m := bulkSetup(t, db)
		var p *content.Post
		err := db.Update(ctx, func(tx *store.Tx) error {
			var err error
			p, err = bulkPost(tx, 1, u, cat, tag, m)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		later := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		db.Now = func() time.Time { return later }
		err = db.Update(ctx, func(tx *store.Tx) error {
			old, err := tx.FindPostByID(ctx, p.ID)
			if err != nil {
				return err
			}
			old.Body = `<p>Cranes unload <a href="/2024/05/01/harbour-2/">cargo</a> number1.</p>`
			old.BodyHTML, old.TeaserHTML = old.Body, old.Body
			return tx.UpdatePostAddresses(ctx, old)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.FindPostByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got.Body, "/2024/05/01/harbour-2/") || !strings.Contains(got.BodyHTML, "harbour-2") ||
			!strings.Contains(got.TeaserHTML, "harbour-2") || !got.UpdatedAt.Equal(later) {
			t.Errorf("after the update: body %q, html %q, teaser %q, updated %v", got.Body, got.BodyHTML, got.TeaserHTML, got.UpdatedAt)
		}
		if len(got.Authors) != 1 || len(got.Categories) != 1 || len(got.Tags) != 1 {
			t.Errorf("links after the update: %v %v %v", got.Authors, got.Categories, got.Tags)
		}
		if revs, err := db.FindRevisions(ctx, p.ID); err != nil || len(revs) != 1 {
			t.Errorf("revisions after the update: %d, %v; want the one", len(revs), err)
		}
		// Listed in its category, newest update first, with its new time.
		list, _, err := db.FindPosts(ctx, store.PostFilter{Kind: content.KindPost, TermID: cat.ID, Limit: 5})
		if err != nil || len(list) != 1 || list[0].ID != p.ID {
			t.Fatalf("category listing: %v, %v", list, err)
		}
		q, err := search.Parse("cranes")
		if err != nil {
			t.Fatal(err)
		}
		res, err := db.Search(ctx, store.SearchRequest{Query: q, Filter: store.PostFilter{Kind: content.KindPost}})
		if err != nil || res.Total != 1 {
			t.Errorf("search after the update: %+v, %v", res, err)
		}
		// In a bulk transaction, kept with others and read back as written.
		err = db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.Bulk(ctx); err != nil {
				return err
			}
			for _, body := range []string{"<p>first</p>", `<p><a href="/about/">second</a></p>`} {
				got.Body, got.BodyHTML, got.TeaserHTML, got.UpdatedAt = body, body, body, later
				if err := tx.UpdatePostAddresses(ctx, got); err != nil {
					return err
				}
			}
			in, err := tx.FindPostByID(ctx, p.ID)
			if err != nil {
				return err
			}
			if !strings.Contains(in.BodyHTML, "second") {
				t.Errorf("in the bulk transaction, the body is %q", in.BodyHTML)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := db.FindPostByID(ctx, p.ID); err != nil || !strings.Contains(got.Body, "second") || !strings.Contains(got.TeaserHTML, "second") {
			t.Errorf("after the bulk transaction: %+v, %v", got, err)
		}
		if err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.UpdatePostAddresses(ctx, &content.Post{ID: 999999, Kind: content.KindPost, Title: "x", Slug: "x",
				Status: content.StatusDraft, Format: content.FormatHTML})
		}); !content.IsNotFound(err) {
			t.Errorf("a post that does not exist: %v, want not found", err)
		}
	})
}

// TestBulkSearchEntriesInOrder: a bulk transaction's search entries (whose
// tsvectors PostgreSQL computes on another connection while the
// transaction goes on, many posts at a time) are found by a search inside
// the transaction and after the commit, a post saved again is found by its
// new words only, and a post deleted is not found at all, however many
// entries were still being computed; a transaction that fails leaves none.
func TestBulkSearchEntriesInOrder(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		u, cat, tag, m := bulkSetup(t, db)
		const n = 1300 // more than two batches of 500
		find := func(r interface {
			Search(context.Context, store.SearchRequest) (*search.Results, error)
		}, word string) []int64 {
			t.Helper()
			q, err := search.Parse(word + " ") // a whole word, not one being typed
			if err != nil {
				t.Fatal(err)
			}
			res, err := r.Search(ctx, store.SearchRequest{Query: q, Filter: store.PostFilter{Kind: content.KindPost, Limit: 10}})
			if err != nil {
				t.Fatalf("search %q: %v", word, err)
			}
			var ids []int64
			for _, h := range res.Hits {
				ids = append(ids, h.Post.ID)
			}
			return ids
		}
		var posts []*content.Post
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.Bulk(ctx); err != nil {
				return err
			}
			for i := range n {
				p, err := bulkPost(tx, i, u, cat, tag, m)
				if err != nil {
					return err
				}
				posts = append(posts, p)
				switch i {
				case 600:
					// Saved again after its first entry was sent with
					// hundreds of others, and before they are written.
					p0 := posts[10]
					p0.Body, p0.BodyHTML = "<p>Dredgers deepen the channel.</p>", "<p>Dredgers deepen the channel.</p>"
					if err := tx.UpdatePost(ctx, p0); err != nil {
						return err
					}
				case 1100:
					if err := tx.DeletePost(ctx, posts[20].ID); err != nil {
						return err
					}
				}
			}
			if got := find(tx, "dredgers"); !slices.Equal(got, []int64{posts[10].ID}) {
				t.Errorf("in the transaction, a post saved again is found by its new words: %v, want [%d]", got, posts[10].ID)
			}
			if got := find(tx, "number1299"); !slices.Equal(got, []int64{posts[n-1].ID}) {
				t.Errorf("in the transaction, the last post: %v, want [%d]", got, posts[n-1].ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for word, want := range map[string][]int64{
			"dredgers": {posts[10].ID}, "number10": nil, "number20": nil,
			"number499": {posts[499].ID}, "number500": {posts[500].ID}, "number1299": {posts[n-1].ID},
		} {
			if got := find(db, word); !slices.Equal(got, want) {
				t.Errorf("after the commit, %q finds %v, want %v", word, got, want)
			}
		}

		boom := errors.New("boom")
		err = db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.Bulk(ctx); err != nil {
				return err
			}
			for i := n; i < n+1100; i++ {
				if _, err := bulkPost(tx, i, u, cat, tag, m); err != nil {
					return err
				}
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Update = %v, want boom", err)
		}
		if got := find(db, "number1400"); len(got) != 0 {
			t.Errorf("a failed transaction's entry is found: %v", got)
		}
		if c, err := db.CountPosts(ctx, content.KindPost); err != nil || c != n-1 {
			t.Errorf("posts after the failed transaction: %d, %v; want %d", c, err, n-1)
		}
	})
}

// TestCreatePostFreeSlug: a post whose slug is free is created by one
// statement, the insert itself telling that the slug is free; one whose
// slug another post has gets the slug free gives, inside a bulk
// transaction too, and the post that had it keeps it.
func TestCreatePostFreeSlug(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		for _, bulk := range []bool{false, true} {
			err := db.Update(ctx, func(tx *store.Tx) error {
				if bulk {
					if err := tx.Bulk(ctx); err != nil {
						return err
					}
				}
				slug := fmt.Sprintf("quay-%t", bulk)
				post := func() *content.Post {
					return &content.Post{Kind: content.KindPost, Title: "Quay", Slug: slug, Status: content.StatusDraft,
						Format: content.FormatHTML, Body: "<p>Quay.</p>", BodyHTML: "<p>Quay.</p>"}
				}
				asked := 0
				free := func(context.Context) (string, error) { asked++; return slug + "-2", nil }
				first := post()
				start := db.QueryCount()
				if err := tx.CreatePostFreeSlug(ctx, first, free); err != nil {
					return err
				}
				// The insert, and its search entry's unless kept for later
				// (SQLite's index writes statements of its own).
				want := int64(2)
				if bulk {
					want = 1
				}
				if n := db.QueryCount() - start; asked != 0 || first.Slug != slug || (db.Engine() == "postgres" && n != want) {
					t.Errorf("bulk %t: a free slug: slug %q, free asked %d times, %d statements; want %q, 0, %d", bulk, first.Slug, asked, n, slug, want)
				}
				second := post()
				if err := tx.CreatePostFreeSlug(ctx, second, free); err != nil {
					return err
				}
				if asked != 1 || second.Slug != slug+"-2" || second.ID == 0 || second.ID == first.ID {
					t.Errorf("bulk %t: a taken slug: %q (id %d), free asked %d times; want %q, a new post, once", bulk, second.Slug, second.ID, asked, slug+"-2")
				}
				got, err := tx.FindPostByID(ctx, first.ID)
				if err != nil || got.Slug != slug {
					t.Errorf("bulk %t: the first post: %v, %v; want its slug %q", bulk, got, err, slug)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestBulkFeaturesImagesItCreated: an import creates its images and
// features them in the same transaction; it need not read an image back
// to feature it, and still a file that is not an image (or no longer one,
// or deleted) is refused as it is outside an import.
func TestBulkFeaturesImagesItCreated(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		u, cat, tag, _ := bulkSetup(t, db)
		var post *content.Post
		img := &content.Media{Key: "2024/06/crane.jpg", Filename: "crane.jpg", MIME: "image/jpeg", Size: 10, Width: 4, Height: 3}
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.Bulk(ctx); err != nil {
				return err
			}
			pdf := &content.Media{Key: "2024/06/report.pdf", Filename: "report.pdf", MIME: "application/pdf", Size: 10}
			renamed := &content.Media{Key: "2024/06/chart.png", Filename: "chart.png", MIME: "image/png", Size: 10, Width: 4, Height: 3}
			gone := &content.Media{Key: "2024/06/old.jpg", Filename: "old.jpg", MIME: "image/jpeg", Size: 10, Width: 4, Height: 3}
			for _, m := range []*content.Media{img, pdf, renamed, gone} {
				if err := tx.CreateMedia(ctx, m); err != nil {
					return err
				}
			}
			renamed.MIME, renamed.Filename = "text/csv", "chart.csv"
			if err := tx.UpdateImportedMedia(ctx, renamed); err != nil {
				return err
			}
			if err := tx.DeleteMedia(ctx, gone.ID); err != nil {
				return err
			}
			var err error
			if post, err = bulkPost(tx, 1, u, cat, tag, img); err != nil {
				return err
			}
			start := db.QueryCount()
			if err := tx.SetFeatured(ctx, post.ID, img.ID); err != nil {
				t.Errorf("featuring an image of this transaction: %v", err)
			}
			if n := db.QueryCount() - start; n != 0 {
				t.Errorf("featuring an image of this transaction took %d statements, want none (it is written with others)", n)
			}
			for _, c := range []struct {
				m    *content.Media
				want string
			}{{pdf, "report.pdf is not an image"}, {renamed, "chart.csv is not an image"}, {gone, fmt.Sprintf("there is no media item %d", gone.ID)}} {
				if err := tx.SetFeatured(ctx, post.ID, c.m.ID); err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("featuring %s: %v, want %q", c.m.Key, err, c.want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if f, err := db.FindFeatured(ctx, post.ID); err != nil || f == nil || f.ID != img.ID {
			t.Errorf("after the commit, the featured image = %v, %v; want %s", f, err, img.Key)
		}
	})
}

// TestBulkFillLeavesTheSchemaWhole: filling an empty site (an import into
// a new one) may set indexes and foreign keys aside while it writes
// (PostgreSQL), but what it commits has every one of them back, enforced:
// its rows are found by every listing, a row referring to nothing is
// refused with the table named, a post deleted meanwhile takes its rows
// with it, and a fill that fails leaves the tables as they were.
func TestBulkFillLeavesTheSchemaWhole(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		u, cat, tag, m := bulkSetup(t, db)
		schema, err := store.Schema(db)
		if err != nil || len(schema) == 0 {
			t.Fatalf("schema: %v, %v", schema, err)
		}
		sameSchema := func(when string) {
			t.Helper()
			now, err := store.Schema(db)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(schema, now); diff != "" {
				t.Errorf("indexes and foreign keys %s (-before +after):\n%s", when, diff)
			}
		}
		fill := func(fn func(tx *store.Tx) error) error {
			return db.Update(ctx, func(tx *store.Tx) error {
				if err := tx.BulkFill(ctx); err != nil {
					return err
				}
				return fn(tx)
			})
		}

		boom := errors.New("boom")
		err = fill(func(tx *store.Tx) error {
			for i := range 5 {
				if _, err := bulkPost(tx, i, u, cat, tag, m); err != nil {
					return err
				}
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("failed fill = %v, want boom", err)
		}
		sameSchema("after a failed fill")
		err = fill(func(tx *store.Tx) error {
			if _, err := bulkPost(tx, 1, u, cat, tag, m); err != nil {
				return err
			}
			return tx.PutAlias(ctx, &content.Alias{Path: "/nowhere/", PostID: 999999})
		})
		if err == nil || !strings.Contains(err.Error(), "aliases") {
			t.Fatalf("fill with an alias to no post = %v, want an error naming aliases", err)
		}
		sameSchema("after a fill refused")
		if n, err := db.CountPosts(ctx, content.KindPost); err != nil || n != 0 {
			t.Fatalf("posts after two failed fills: %d, %v; want 0", n, err)
		}

		var gone *content.Post
		err = fill(func(tx *store.Tx) error {
			for i := range 30 {
				p, err := bulkPost(tx, i, u, cat, tag, m)
				if err != nil {
					return err
				}
				if i == 7 {
					gone = p
				}
			}
			// Read back within the fill, by slug and by old address.
			if p, err := tx.FindPostBySlug(ctx, content.KindPost, "harbour-3"); err != nil || p.Title != "Harbour 3" {
				return fmt.Errorf("harbour-3 within the fill: %v, %v", p, err)
			}
			if a, err := tx.FindAlias(ctx, "/old/4/"); err != nil || a.PostID == 0 {
				return fmt.Errorf("/old/4/ within the fill: %v, %v", a, err)
			}
			return tx.DeletePost(ctx, gone.ID)
		})
		if err != nil {
			t.Fatalf("fill: %v", err)
		}
		sameSchema("after a fill")
		if _, err := db.FindAlias(ctx, "/old/7/"); !content.IsNotFound(err) {
			t.Errorf("old address of the post deleted during the fill: %v, want not found", err)
		}
		for _, term := range []*content.Term{cat, tag} {
			f := store.Published(time.Now())
			f.TermID, f.Limit = term.ID, 50
			list, total, err := db.FindPosts(ctx, f)
			if err != nil || len(list) != 29 || total != 29 {
				t.Errorf("posts listed under %s after the fill: %d of %d, %v; want 29", term.Slug, len(list), total, err)
			}
		}
		if a, err := db.FindAlias(ctx, "/old/12/"); err != nil || a.PostID == 0 {
			t.Errorf("/old/12/ after the fill: %v, %v", a, err)
		}
		// The keys set aside are enforced again.
		err = db.Update(ctx, func(tx *store.Tx) error {
			return tx.PutAlias(ctx, &content.Alias{Path: "/nowhere/", PostID: 999999})
		})
		if err == nil {
			t.Error("an alias to no post was stored after the fill")
		}
	})
}

// TestBulkFillWritesNewPostsTogether: filling an empty site writes its new
// posts and images many to a statement on PostgreSQL, and what the fill
// reads and commits is what inserting each at once gave: a taken slug is
// numbered or refused, a slug freed or taken by a post's change is seen as
// such, an old address leads to its post, an image kept is found, and
// posts and images created after the fill get ids of their own.
func TestBulkFillWritesNewPostsTogether(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		// An author and terms, but no media: the library is empty too.
		u := &content.User{Slug: "amara", Name: "Amara Okafor", Role: content.RoleAuthor}
		cat := &content.Term{Taxonomy: content.TaxCategory, Slug: "africa", Name: "Africa"}
		tag := &content.Term{Taxonomy: content.TaxTag, Slug: "trade", Name: "trade"}
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.UpsertUser(ctx, u); err != nil {
				return err
			}
			if err := tx.UpsertTerm(ctx, cat); err != nil {
				return err
			}
			return tx.UpsertTerm(ctx, tag)
		})
		if err != nil {
			t.Fatal(err)
		}
		post := func(slug string) *content.Post {
			return &content.Post{Kind: content.KindPost, Title: "Quay", Slug: slug, Status: content.StatusPublished,
				PublishedAt: time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC), Format: content.FormatHTML,
				Body: "<p>Quay.</p>", BodyHTML: "<p>Quay.</p>", ImportKey: "wp:" + slug}
		}
		free := func(slug string) func(context.Context) (string, error) {
			return func(context.Context) (string, error) { return slug + "-2", nil }
		}
		ids := map[int64]string{}
		mediaIDs := map[int64]bool{}
		err = db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.BulkFill(ctx); err != nil {
				return err
			}
			// Images this fill wrote are featured without reading them back.
			start := db.QueryCount()
			var images []*content.Media
			for i := range 20 {
				m := &content.Media{Key: fmt.Sprintf("2024/05/quay-%d.jpg", i), Filename: "quay.jpg", MIME: "image/jpeg", Size: 10, Width: 4, Height: 3,
					ImportKey: fmt.Sprintf("wp:quay-%d", i)}
				if err := tx.CreateMedia(ctx, m); err != nil {
					return err
				}
				if m.ID == 0 || mediaIDs[m.ID] {
					t.Errorf("image %d: id %d, want one of its own", i, m.ID)
				}
				mediaIDs[m.ID] = true
				images = append(images, m)
			}
			if n := db.QueryCount() - start; db.Engine() == "postgres" && n > 2 {
				t.Errorf("20 images: %d statements, want at most 2", n)
			}
			found, err := tx.FindLinkTargets(ctx, store.LinkLookup{Media: []string{"2024/05/quay-3.jpg", "2024/05/quay-19.jpg"}})
			if err != nil || len(found.Media) != 2 {
				t.Errorf("images kept, looked up as links' targets: %v, %v; want both", found.Media, err)
			}
			m := images[7]
			start = db.QueryCount()
			for i := range 40 {
				p, err := bulkPost(tx, i, u, cat, tag, m)
				if err != nil {
					return err
				}
				ids[p.ID] = p.Slug
			}
			if n := db.QueryCount() - start; db.Engine() == "postgres" && n > 10 {
				t.Errorf("40 posts with their links, revisions, old addresses and images: %d statements, want at most 10", n)
			}
			// An old address kept, whose post is kept too, leads to it.
			if target, err := tx.FindAliasTarget(ctx, "/old/39/"); err != nil || !strings.Contains(target, "harbour-39") {
				t.Errorf("/old/39/ within the fill leads to %q, %v; want harbour-39's address", target, err)
			}
			// A slug taken by a post kept is numbered, or refused.
			again := post("harbour-3")
			if err := tx.CreatePostFreeSlug(ctx, again, free("harbour-3")); err != nil {
				return err
			}
			if again.Slug != "harbour-3-2" || ids[again.ID] != "" {
				t.Errorf("a post kept's slug: %q (id %d); want harbour-3-2, an id of its own", again.Slug, again.ID)
			}
			ids[again.ID] = again.Slug
			// A post's change of slug is seen: its new slug is taken.
			moved, err := tx.FindPostBySlug(ctx, content.KindPost, "harbour-5")
			if err != nil {
				return err
			}
			moved.Slug = "quay"
			if err := tx.UpdatePost(ctx, moved); err != nil {
				return err
			}
			next := post("quay")
			if err := tx.CreatePostFreeSlug(ctx, next, free("quay")); err != nil {
				return err
			}
			if next.Slug != "quay-2" || ids[next.ID] != "" {
				t.Errorf("the slug a post moved to: %q (id %d); want quay-2, an id of its own", next.Slug, next.ID)
			}
			ids[next.ID] = next.Slug
			for _, slug := range []string{"harbour-5", "harbour-6"} {
				p := post(slug)
				if err := tx.CreatePostFreeSlug(ctx, p, free(slug)); err != nil {
					return err
				}
				want := slug + "-2" // harbour-6 is taken
				if slug == "harbour-5" {
					want = slug // freed by the move
				}
				if p.Slug != want || ids[p.ID] != "" {
					t.Errorf("slug %s after a post moved: %q (id %d), want %q", slug, p.Slug, p.ID, want)
				}
				ids[p.ID] = p.Slug
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for id, slug := range ids {
			p, err := db.FindPostByID(ctx, id)
			if slug == "harbour-5" && err == nil && p.Slug == "quay" {
				continue
			}
			if err != nil || (p.Slug != slug && !(slug == "harbour-5" && p.Slug == "quay")) {
				t.Errorf("post %d after the fill: %v, %v; want slug %q", id, p, err, slug)
			}
		}
		if n, err := db.CountPosts(ctx, content.KindPost); err != nil || n != 44 {
			t.Errorf("posts after the fill: %d, %v; want 44", n, err)
		}
		if _, total, err := db.FindMediaList(ctx, "", 0, 50); err != nil || total != 20 {
			t.Errorf("library after the fill: %d items, %v; want 20", total, err)
		}
		featured, err := db.FindFeaturedImages(ctx, slices.Collect(maps.Keys(ids)))
		if err != nil || len(featured) != 40 {
			t.Errorf("posts with a featured image after the fill: %d, %v; want 40", len(featured), err)
		}
		err = db.Update(ctx, func(tx *store.Tx) error {
			p := post("after")
			if err := tx.CreatePost(ctx, p); err != nil {
				return err
			}
			if ids[p.ID] != "" {
				t.Errorf("a post created after the fill has the id of %s", ids[p.ID])
			}
			m := &content.Media{Key: "2024/06/after.jpg", Filename: "after.jpg", MIME: "image/jpeg", Size: 10, Width: 4, Height: 3}
			if err := tx.CreateMedia(ctx, m); err != nil {
				return err
			}
			if mediaIDs[m.ID] {
				t.Errorf("an image created after the fill has the id %d of one it wrote", m.ID)
			}
			return nil
		})
		if err != nil {
			t.Errorf("a post created after the fill: %v", err)
		}
	})
}
