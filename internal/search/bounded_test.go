package search_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/search"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestSearchManyMatches searches a word most posts contain, with the limit
// on ranked candidates lowered so that the search works as it does for a
// common word in a large archive: the same posts and the same total as
// ranking every match, each on exactly one page, title matches first,
// then the newest other matches by relevance, then older ones newest first, and never a draft, a page, a
// trashed post or one whose publication time has not come.
func TestSearchManyMatches(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		base := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
		now := base.AddDate(0, 0, 100)
		want := map[string]bool{}
		inTitle := map[string]bool{}
		inEven := map[string]bool{} // visible matches in the "even" category
		byAda := map[string]bool{}  // visible matches by Ada
		var even, odd content.Term
		var ada, bo content.User
		err := db.Update(ctx, func(tx *store.Tx) error {
			even = content.Term{Taxonomy: content.TaxCategory, Slug: "even", Name: "Even"}
			odd = content.Term{Taxonomy: content.TaxCategory, Slug: "odd", Name: "Odd"}
			ada = content.User{Slug: "ada", Name: "Ada", Role: content.RoleAuthor}
			bo = content.User{Slug: "bo", Name: "Bo", Role: content.RoleAuthor}
			for _, t := range []*content.Term{&even, &odd} {
				if err := tx.UpsertTerm(ctx, t); err != nil {
					return err
				}
			}
			for _, u := range []*content.User{&ada, &bo} {
				if err := tx.UpsertUser(ctx, u); err != nil {
					return err
				}
			}
			for i := 0; i < 40; i++ {
				p := &content.Post{Kind: content.KindPost, Status: content.StatusPublished, Format: content.FormatHTML,
					Slug: fmt.Sprintf("p%02d", i), Title: fmt.Sprintf("Dispatch %d", i), PublishedAt: base.AddDate(0, 0, i)}
				p.BodyHTML = fmt.Sprintf("<p>Report %d on the harvest and the markets.</p>", i)
				if i%3 == 0 {
					p.BodyHTML = "<p>" + "Markets were calm. " + "</p>"
				}
				if i%7 == 0 {
					p.Title = fmt.Sprintf("Harvest %d", i)
					inTitle[p.Slug] = true
				}
				if i == 5 || i == 11 || i == 13 || i == 17 {
					p.Title = fmt.Sprintf("Harvest %d", i) // never to be shown
				}
				switch i {
				case 5:
					p.Status = content.StatusDraft
				case 11:
					p.Kind = content.KindPage
				case 13:
					p.Status = content.StatusTrash
				case 17:
					p.PublishedAt = now.Add(time.Hour) // published, but not yet public
				}
				p.Body = p.BodyHTML
				p.Categories = []content.Term{odd}
				if i%2 == 0 {
					p.Categories = []content.Term{even}
				}
				p.Authors = []content.User{bo}
				if i%5 == 0 {
					p.Authors = []content.User{ada}
				}
				if err := tx.CreatePost(ctx, p); err != nil {
					return err
				}
				visible := p.Kind == content.KindPost && p.Status == content.StatusPublished && !p.PublishedAt.After(now)
				if visible && (i%3 != 0 || i%7 == 0) {
					want[p.Slug] = true
					if i%2 == 0 {
						inEven[p.Slug] = true
					}
					if i%5 == 0 {
						byAda[p.Slug] = true
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		q, err := search.Parse("harvest")
		if err != nil {
			t.Fatal(err)
		}
		sort := search.SortRelevance
		walk := func(pageSize int, edit ...func(*store.PostFilter)) (slugs []string, totals []int) {
			for offset := 0; offset < 60; offset += pageSize {
				f := store.Published(now)
				f.Offset, f.Limit = offset, pageSize
				for _, e := range edit {
					e(&f)
				}
				res, err := db.Search(ctx, store.SearchRequest{Query: q, Filter: f, Sort: sort})
				if err != nil {
					t.Fatal(err)
				}
				totals = append(totals, res.Total)
				for _, h := range res.Hits {
					slugs = append(slugs, h.Post.Slug)
				}
			}
			return slugs, totals
		}
		all, _ := walk(50)
		// What a bounded ranking of four shows after the four newest title
		// matches: the rest of the four newest matches (by relevance, so in
		// any order), then every older match newest first.
		var newest, newer, older []string
		for i := 39; i >= 0; i-- {
			if s := fmt.Sprintf("p%02d", i); want[s] {
				newest = append(newest, s)
			}
		}
		titles := 0
		for _, s := range newest {
			if inTitle[s] && titles < 4 {
				titles++
				continue
			}
			if slices.Index(newest, s) < 4 {
				newer = append(newer, s)
			} else {
				older = append(older, s)
			}
		}
		restore := search.SetRankLimit(4)
		defer restore()
		for _, size := range []int{1, 3, 7, 50} {
			got, totals := walk(size)
			for _, n := range totals {
				if n != len(want) {
					t.Fatalf("page size %d: total %d, want %d", size, n, len(want))
				}
			}
			if len(got) != len(want) {
				t.Fatalf("page size %d: %d results %v, want %d", size, len(got), got, len(want))
			}
			seen := map[string]bool{}
			for i, s := range got {
				if seen[s] || !want[s] {
					t.Fatalf("page size %d: result %d is %s: repeated or not a visible match (%v)", size, i, s, got)
				}
				seen[s] = true
			}
			// The newest title matches, as many as are ranked, come first.
			for _, s := range got[:4] {
				if !inTitle[s] {
					t.Fatalf("page size %d: title matches are not first: %v", size, got)
				}
			}
			// Past the ranked candidates, older matches come newest first.
			tail := got[len(got)-8:]
			if !slices.IsSortedFunc(tail, func(a, b string) int { return -compareSlug(a, b) }) {
				t.Errorf("page size %d: older matches not newest first: %v", size, tail)
			}
			// On both engines, the same posts in the same steps: the four
			// newest title matches, the other posts among the four newest
			// matches (by relevance), then every older match newest first,
			// older title matches among them.
			rest := got[4:]
			mid := slices.Sorted(slices.Values(rest[:len(rest)-len(older)]))
			if !slices.Equal(mid, slices.Sorted(slices.Values(newer))) || !slices.Equal(rest[len(rest)-len(older):], older) {
				t.Errorf("page size %d: after the title matches, got %v, want %v then %v", size, rest, newer, older)
			}
		}
		slices.Sort(all)
		if len(all) != len(want) {
			t.Errorf("ranking every match found %v, want %d posts", all, len(want))
		}

		// Suggestions are titles with the word, never a draft's, a page's,
		// a trashed or a future post's.
		suggested, err := db.Suggest(ctx, mustParse(t, "harv"), store.Published(now), 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(suggested) != 3 {
			t.Errorf("suggested %v, want 3 titles", suggested)
		}
		for _, s := range suggested {
			var n int
			if _, err := fmt.Sscanf(s.Title, "Harvest %d", &n); err != nil || !want[fmt.Sprintf("p%02d", n)] {
				t.Errorf("suggested %q, not the title of a visible post with the word", s.Title)
			}
		}

		// Filters by category and author are applied inside the index,
		// also after it is rebuilt, and follow a post moved to another
		// category.
		same := func(what string, got []string, totals []int, want map[string]bool) {
			t.Helper()
			for _, n := range totals {
				if n != len(want) {
					t.Errorf("%s: total %d, want %d", what, n, len(want))
					break
				}
			}
			if len(got) != len(want) {
				t.Errorf("%s: found %v, want %d posts", what, got, len(want))
			}
			for _, s := range got {
				if !want[s] {
					t.Errorf("%s: found %s, which it should not", what, s)
				}
			}
		}
		inCategory := func(f *store.PostFilter) { f.TermID = even.ID }
		byAuthor := func(f *store.PostFilter) { f.AuthorID = ada.ID }
		got, totals := walk(3, inCategory)
		same("in a category", got, totals, inEven)
		got, totals = walk(3, byAuthor)
		same("by an author", got, totals, byAda)
		if _, err := db.Reindex(ctx, nil); err != nil {
			t.Fatal(err)
		}
		got, totals = walk(3, inCategory)
		same("in a category, after reindex", got, totals, inEven)
		got, totals = walk(3, byAuthor)
		same("by an author, after reindex", got, totals, byAda)
		err = db.Update(ctx, func(tx *store.Tx) error {
			p, err := tx.FindPostBySlug(ctx, content.KindPost, "p02")
			if err != nil {
				return err
			}
			p.Categories = []content.Term{odd}
			return tx.UpdatePost(ctx, p)
		})
		if err != nil {
			t.Fatal(err)
		}
		delete(inEven, "p02")
		got, totals = walk(3, inCategory)
		same("in a category, after a post left it", got, totals, inEven)

		// Sorted by date, newest or oldest first, whole and by section.
		for _, sort = range []search.Sort{search.SortNewest, search.SortOldest} {
			for _, size := range []int{1, 4, 50} {
				got, totals := walk(size)
				same(string(sort), got, totals, want)
				if !slices.IsSortedFunc(got, func(a, b string) int {
					if sort == search.SortNewest {
						return -compareSlug(a, b)
					}
					return compareSlug(a, b)
				}) {
					t.Errorf("%s, pages of %d: not in date order: %v", sort, size, got)
				}
				got, totals = walk(size, inCategory)
				same(string(sort)+" in a category", got, totals, inEven)
			}
		}
	})
}

func mustParse(t *testing.T, s string) search.Query {
	t.Helper()
	q, err := search.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func compareSlug(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
