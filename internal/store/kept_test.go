package store_test

import (
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/search"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestKeptReadsAreTheCallersOwn: what the store remembers between changes
// (a listing's page, a post's page, sitemaps' stamps, a readers' search)
// is handed to each caller as its own: a caller changing what it was given
// changes nothing the next reader reads.
func TestKeptReadsAreTheCallersOwn(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db, _, _ := relayPair(t, engine) // relaying: reads are remembered
			posts := seed(t, db, 4)
			now := db.Now()
			newest := posts[0]

			listing := store.Published(now)
			listing.Limit = 2
			for round := range 2 { // read, then read again what was kept
				vs, total, err := db.FindPostVersions(ctx, listing)
				if err != nil {
					t.Fatal(err)
				}
				if total != 4 || len(vs) != 2 || vs[0].ID != newest.ID {
					t.Fatalf("round %d: listing's page %+v of %d, want the newest (%d) first of 4", round, vs, total, newest.ID)
				}
				vs[0].ID = -1
				vs = append(vs[:1], store.PostVersion{ID: -2}) // over the kept page's second
			}

			for round := range 2 {
				p, older, _, err := db.FindPostPageVersion(ctx, newest.Slug, now)
				if err != nil {
					t.Fatal(err)
				}
				if p.Title != newest.Title || older == nil || older.Title != posts[1].Title {
					t.Fatalf("round %d: post's page %q, older %v; want %q, older %q", round, p.Title, older, newest.Title, posts[1].Title)
				}
				p.Title, older.Title = "Changed by a caller", "Changed by a caller"
			}

			for round := range 2 {
				stamps, err := db.FindStamps(ctx, content.KindPost, now)
				if err != nil {
					t.Fatal(err)
				}
				if len(stamps) != 4 || stamps[0].Slug != newest.Slug {
					t.Fatalf("round %d: stamps %+v, want 4, %q first", round, stamps, newest.Slug)
				}
				stamps[0].Slug = "changed-by-a-caller"
			}

			for round := range 2 {
				archives, err := db.FindTermStamps(ctx, content.TaxCategory, now)
				if err != nil {
					t.Fatal(err)
				}
				if len(archives) != 2 || archives[0].Slug != "africa" || archives[0].Posts != 4 {
					t.Fatalf("round %d: category archives %+v, want africa (4 posts) and economy", round, archives)
				}
				archives[0].Slug, archives[0].Posts = "changed-by-a-caller", 99
			}

			for round := range 2 {
				rel, err := db.FindRelatedPosts(ctx, newest, 3, now)
				if err != nil {
					t.Fatal(err)
				}
				if len(rel.Posts) != 3 || rel.Posts[0].ID != posts[1].ID || rel.Posts[0].Title != posts[1].Title {
					t.Fatalf("round %d: related posts %+v, want 3, %q first", round, rel.Posts, posts[1].Title)
				}
				rel.Posts[0].Title = "Changed by a caller"
				rel.Posts = rel.Posts[:1]
			}

			q, err := search.Parse("body")
			if err != nil {
				t.Fatal(err)
			}
			f := store.Published(now)
			f.Limit = 10
			for round := range 2 {
				res, err := db.Search(ctx, store.SearchRequest{Query: q, Filter: f})
				if err != nil {
					t.Fatal(err)
				}
				if res.Total != 4 || len(res.Hits) != 4 {
					t.Fatalf("round %d: %d hits of %d, want 4", round, len(res.Hits), res.Total)
				}
				for _, h := range res.Hits {
					if h.Post.Title == "Changed by a caller" || len(h.Post.Authors) != 1 || h.Post.Authors[0].Name != "Amara Okafor" {
						t.Fatalf("round %d: a hit reads %q by %+v, as an earlier caller left it", round, h.Post.Title, h.Post.Authors)
					}
					h.Post.Title = "Changed by a caller"
					if len(h.Post.Authors) > 0 {
						h.Post.Authors[0].Name = "Changed by a caller"
					}
				}
			}
		})
	}
}
