package search_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/importer/wxr"
	"github.com/broadsheet/broadsheet/internal/search"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

var ctx = context.Background()

// corpus is a small archive where each query feature has something to
// find and something it must not find.
var corpus = []struct {
	slug, title, body string
	cat, tag          string
	days              int // published this many days after the first
}{
	{"wang-yi", "Wang Yi engages with Arab counterparts", "<p>The foreign minister met his counterparts in Riyadh.</p>", "asia", "diplomacy", 0},
	{"wang-only", "A visit to the Wang family", "<p>Yi is not mentioned with the surname here; Wang is a common name.</p>", "asia", "", 1},
	{"lisbon-maru", "Remembering the sinking", "<p>A film, <em>The Sinking of the Lisbon Maru</em>, was shown.</p>", "history", "war", 2},
	{"lisbon-apart", "Travel notes", "<p>We sailed from Lisbon on the Maru line, a different ship.</p>", "history", "", 3},
	{"sanctioned", "Trade measures", "<p>The bank was sanctioned by Washington over Iran.</p>", "economy", "trade", 4},
	{"sanctions-russia", "Russia and the West", "<p>New sanctions against Russia were announced.</p>", "economy", "trade", 5},
	{"sao-tome", "Islands of the Gulf of Guinea", "<p>São Tomé and Príncipe celebrated its independence.</p>", "africa", "", 6},
	{"abdelatty", "Egypt's foreign minister speaks", "<p>Badr Abdelatty called for a ceasefire.</p>", "africa", "diplomacy", 7},
	{"two-state-title", "Two-State solution", "<p>An explainer on the proposal.</p>", "middle-east", "", 8},
	{"two-state-mention", "A long report on many things", "<p>" + strings.Repeat("Weather, harvests and markets were discussed at length. ", 30) +
		"In passing, someone mentioned the two-State solution. " + strings.Repeat("Then the talk returned to the harvest. ", 30) + "</p>", "middle-east", "", 9},
	{"escape", "Angle <brackets> & ampersands", "<p>Text with 1 &lt; 2 and <b>tags</b> about ceasefire.</p>", "africa", "", 10},
}

type fixture struct {
	db    *store.DB
	posts map[string]*content.Post
	terms map[string]*content.Term
	user  *content.User
	other *content.User
	base  time.Time
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: db, posts: map[string]*content.Post{}, terms: map[string]*content.Term{},
		base: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)}
	err := db.Update(ctx, func(tx *store.Tx) error {
		f.user = &content.User{Slug: "amara", Name: "Amara Okafor", Role: content.RoleAuthor}
		f.other = &content.User{Slug: "li", Name: "Li Wei", Role: content.RoleAuthor}
		for _, u := range []*content.User{f.user, f.other} {
			if err := tx.UpsertUser(ctx, u); err != nil {
				return err
			}
		}
		for i, c := range corpus {
			p := &content.Post{Kind: content.KindPost, Title: c.title, Slug: c.slug, Status: content.StatusPublished,
				PublishedAt: f.base.AddDate(0, 0, c.days), Format: content.FormatHTML,
				Body: c.body, BodyHTML: c.body, TeaserHTML: c.body, Authors: []content.User{*f.user}}
			if i%2 == 1 {
				p.Authors = []content.User{*f.other}
			}
			for tax, slug := range map[content.Taxonomy]string{content.TaxCategory: c.cat, content.TaxTag: c.tag} {
				if slug == "" {
					continue
				}
				term := f.terms[string(tax)+slug]
				if term == nil {
					term = &content.Term{Taxonomy: tax, Slug: slug, Name: slug}
					if err := tx.UpsertTerm(ctx, term); err != nil {
						return err
					}
					f.terms[string(tax)+slug] = term
				}
				if tax == content.TaxTag {
					p.Tags = append(p.Tags, *term)
				} else {
					p.Categories = append(p.Categories, *term)
				}
			}
			if err := tx.CreatePost(ctx, p); err != nil {
				return err
			}
			f.posts[c.slug] = p
		}
		return nil
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return f
}

// find runs a public search and returns the slugs found, in order.
func (f *fixture) find(t *testing.T, query string, edit ...func(*store.SearchRequest)) []string {
	t.Helper()
	res := f.search(t, query, edit...)
	var slugs []string
	for _, h := range res.Hits {
		slugs = append(slugs, h.Post.Slug)
	}
	return slugs
}

func (f *fixture) search(t *testing.T, query string, edit ...func(*store.SearchRequest)) *search.Results {
	t.Helper()
	q, err := search.Parse(query)
	if err != nil {
		t.Fatalf("Parse(%q): %v", query, err)
	}
	req := store.SearchRequest{Query: q, Filter: store.Published(f.base.AddDate(1, 0, 0))}
	req.Filter.Limit = 50
	for _, e := range edit {
		e(&req)
	}
	res, err := f.db.Search(ctx, req)
	if err != nil {
		t.Fatalf("Search(%q): %v", query, err)
	}
	return res
}

func TestSearchQueryFeatures(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		tests := []struct {
			name, query string
			want        []string // all found, in any order
			not         []string // none found
		}{
			{"all words must match", "Wang Yi ", []string{"wang-yi", "wang-only"}, nil},
			{"all words must match, absent word", "Wang Riyadh ", []string{"wang-yi"}, []string{"wang-only"}},
			{"exact phrase", `"Lisbon Maru"`, []string{"lisbon-maru"}, []string{"lisbon-apart"}},
			{"words in any order", `Lisbon Maru `, []string{"lisbon-maru", "lisbon-apart"}, nil},
			{"exclusion", `sanctions -Iran `, []string{"sanctions-russia"}, []string{"sanctioned"}},
			{"excluded phrase", `"foreign minister" -"Badr Abdelatty"`, []string{"wang-yi"}, []string{"abdelatty"}},
			{"stemming", "sanctions ", []string{"sanctioned", "sanctions-russia"}, nil},
			{"stemming the other way", "sanctioned ", []string{"sanctioned", "sanctions-russia"}, nil},
			{"prefix of the last word", "sanc", []string{"sanctioned", "sanctions-russia"}, nil},
			{"prefix with a word before", "foreign minis", []string{"wang-yi", "abdelatty"}, nil},
			{"no prefix after a space", "sanc ", nil, []string{"sanctioned", "sanctions-russia"}},
			{"case", "ABDELATTY ", []string{"abdelatty"}, nil},
			{"accents in the text", "sao tome ", []string{"sao-tome"}, nil},
			{"accents in the query", "Príncipe ", []string{"sao-tome"}, nil},
			{"accents in neither", "principe", []string{"sao-tome"}, nil},
			{"hyphenated phrase", `"two-State solution"`, []string{"two-state-title", "two-state-mention"}, nil},
			{"title and body together", "Egypt ceasefire ", []string{"abdelatty"}, []string{"escape"}},
			{"nothing matches", "zanzibar ", nil, []string{"wang-yi"}},
			{"a common English word is a word", "the ", []string{"wang-yi", "lisbon-maru", "two-state-mention"}, []string{"escape"}},
			{"small words in a phrase count", `"of the Lisbon"`, []string{"lisbon-maru"}, []string{"lisbon-apart"}},
		}
		for _, tt := range tests {
			got := f.find(t, tt.query)
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("%s: %q found %v, missing %s", tt.name, tt.query, got, w)
				}
			}
			for _, n := range tt.not {
				if slices.Contains(got, n) {
					t.Errorf("%s: %q found %v, including %s which it should not", tt.name, tt.query, got, n)
				}
			}
			if tt.want == nil && len(got) > 0 && tt.not == nil {
				t.Errorf("%s: %q found %v, want nothing", tt.name, tt.query, got)
			}
		}
	})
}

// TestSearchNeverMatchesFacets: the index's own words for an entry's
// kind, status, sections, tags and authors are never found by a reader's
// words, typed whole, as a prefix or in a phrase.
func TestSearchNeverMatchesFacets(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		cat, author := f.terms[string(content.TaxCategory)+"asia"], f.user
		for _, q := range []string{"kpost ", "kpo", "spublished ", "spublish", "spub", "sp ceasefire",
			fmt.Sprintf("t%d ", cat.ID), fmt.Sprintf("t%d", cat.ID), fmt.Sprintf("a%d ", author.ID), fmt.Sprintf("a%d", author.ID),
			`"kpost spublished"`, `ceasefire "spublished"`} {
			if got := f.find(t, q); len(got) > 0 {
				t.Errorf("%q finds %v: readers' words match the index's facets", q, got)
			}
		}
		if got := f.find(t, "ceasefire -spublished"); len(got) != 2 {
			t.Errorf(`"ceasefire -spublished" finds %v, want the two posts about a ceasefire`, got)
		}
	})
}

func TestSearchRanksTitleOverPassingMention(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for _, q := range []string{`"two-State solution"`, "two-State solution ", "solution"} {
			got := f.find(t, q)
			if len(got) < 2 || got[0] != "two-state-title" {
				t.Errorf("%q ranked %v; want two-state-title first", q, got)
			}
		}
		// Newest first puts the passing mention (published later) first.
		got := f.find(t, "solution ", func(r *store.SearchRequest) { r.Sort = search.SortNewest })
		if len(got) < 2 || got[0] != "two-state-mention" {
			t.Errorf("sorted by date: %v; want two-state-mention first", got)
		}
		got = f.find(t, "solution ", func(r *store.SearchRequest) { r.Sort = search.SortOldest })
		if len(got) < 2 || got[0] != "two-state-title" {
			t.Errorf("sorted oldest first: %v; want two-state-title first", got)
		}
	})
}

func TestSearchSnippetHighlights(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		res := f.search(t, "sanctions ")
		if len(res.Hits) != 2 {
			t.Fatalf("found %d, want 2", len(res.Hits))
		}
		for _, h := range res.Hits {
			if !strings.Contains(h.Snippet, search.MarkStart+"sanction") || !strings.Contains(h.Snippet, search.MarkEnd) {
				t.Errorf("%s: snippet %q does not mark the match", h.Post.Slug, h.Snippet)
			}
			if len(h.Post.Categories) == 0 || h.Post.PublishedAt.IsZero() || h.Post.Title == "" {
				t.Errorf("%s: a hit needs its title, date and categories: %+v", h.Post.Slug, h.Post)
			}
		}
		// Snippets are text: markup in the body does not survive, but
		// its words are found.
		res = f.search(t, "tags ")
		if len(res.Hits) != 1 || strings.Contains(res.Hits[0].Snippet, "<b>") {
			t.Errorf("snippet of HTML body: %+v", res.Hits)
		}
	})
}

func TestSearchFiltersAndPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		// "the" is a stop word on PostgreSQL; use words both engines index.
		all := f.find(t, "minister ")
		if len(all) != 2 {
			t.Fatalf("minister: %v", all)
		}
		got := f.find(t, "minister ", func(r *store.SearchRequest) { r.Filter.TermID = f.terms["categoryafrica"].ID })
		if !slices.Equal(got, []string{"abdelatty"}) {
			t.Errorf("category africa: %v", got)
		}
		got = f.find(t, "sanctions ", func(r *store.SearchRequest) { r.TermIDs = []int64{f.terms["tagtrade"].ID} })
		if len(got) != 2 {
			t.Errorf("tag trade: %v", got)
		}
		got = f.find(t, "sanctions ", func(r *store.SearchRequest) { r.Filter.AuthorID = f.other.ID })
		if !slices.Equal(got, []string{"sanctions-russia"}) {
			t.Errorf("author li: %v", got)
		}
		got = f.find(t, "sanctions ", func(r *store.SearchRequest) {
			r.Filter.From, r.Filter.To = f.base.AddDate(0, 0, 4), f.base.AddDate(0, 0, 5)
		})
		if !slices.Equal(got, []string{"sanctioned"}) {
			t.Errorf("date range: %v", got)
		}
		// Pages: two results, one per page.
		var seen []string
		for page := 0; page < 3; page++ {
			res := f.search(t, "sanctions ", func(r *store.SearchRequest) { r.Filter.Limit, r.Filter.Offset = 1, page })
			if res.Total != 2 {
				t.Errorf("page %d: total %d, want 2", page+1, res.Total)
			}
			for _, h := range res.Hits {
				seen = append(seen, h.Post.Slug)
			}
		}
		slices.Sort(seen)
		if !slices.Equal(seen, []string{"sanctioned", "sanctions-russia"}) {
			t.Errorf("paged through %v", seen)
		}
	})
}

// TestSearchFollowsPosts checks that the index changes in the same
// transaction as the post: publish, edit, unpublish, delete, and a failed
// transaction that leaves the index as it was.
func TestSearchFollowsPosts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		p := &content.Post{Kind: content.KindPost, Title: "Zanzibar spice trade", Slug: "zanzibar", Status: content.StatusDraft,
			Format: content.FormatHTML, Body: "<p>Cloves.</p>", BodyHTML: "<p>Cloves.</p>", TeaserHTML: "<p>Cloves.</p>"}
		update := func(fn func(tx *store.Tx) error) {
			t.Helper()
			if err := db.Update(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		update(func(tx *store.Tx) error { return tx.CreatePost(ctx, p) })
		if got := f.find(t, "zanzibar "); len(got) != 0 {
			t.Errorf("a draft is found on the public site: %v", got)
		}
		anyStatus := func(r *store.SearchRequest) { r.Filter = store.PostFilter{Limit: 10} }
		if got := f.find(t, "zanzibar ", anyStatus); !slices.Equal(got, []string{"zanzibar"}) {
			t.Errorf("an editor's search over every status: %v", got)
		}
		p.Status, p.PublishedAt = content.StatusPublished, f.base.AddDate(0, 1, 0)
		update(func(tx *store.Tx) error { return tx.UpdatePost(ctx, p) })
		if got := f.find(t, "zanzibar "); !slices.Equal(got, []string{"zanzibar"}) {
			t.Errorf("just published: %v", got)
		}
		suggest := func(typed string) []string {
			t.Helper()
			q, err := search.Parse(typed)
			if err != nil {
				t.Fatal(err)
			}
			s, err := db.Suggest(ctx, q, store.Published(f.base.AddDate(1, 0, 0)), 8)
			if err != nil {
				t.Fatal(err)
			}
			var titles []string
			for _, x := range s {
				titles = append(titles, x.Title)
			}
			return titles
		}
		if got := suggest("zanz"); !slices.Equal(got, []string{"Zanzibar spice trade"}) {
			t.Errorf("suggested for a just published title: %v", got)
		}
		p.Title, p.BodyHTML = "Pemba spice trade", "<p>Nutmeg.</p>"
		update(func(tx *store.Tx) error { return tx.UpdatePost(ctx, p) })
		if got := f.find(t, "zanzibar "); len(got) != 0 {
			t.Errorf("old title still found after an edit: %v", got)
		}
		if got := suggest("zanz"); len(got) != 0 {
			t.Errorf("old title still suggested after an edit: %v", got)
		}
		if got := f.find(t, "nutmeg pemba "); !slices.Equal(got, []string{"zanzibar"}) {
			t.Errorf("new text after an edit: %v", got)
		}
		// A failed transaction leaves the index as it was.
		_ = db.Update(ctx, func(tx *store.Tx) error {
			p2 := *p
			p2.Title = "Madagascar vanilla"
			if err := tx.UpdatePost(ctx, &p2); err != nil {
				return err
			}
			return content.Errorf(content.EInvalid, "rolled back")
		})
		if got := f.find(t, "madagascar "); len(got) != 0 {
			t.Errorf("a rolled-back edit is found: %v", got)
		}
		if got := f.find(t, "pemba "); !slices.Equal(got, []string{"zanzibar"}) {
			t.Errorf("after a rolled-back edit: %v", got)
		}
		p.Status = content.StatusDraft
		update(func(tx *store.Tx) error { return tx.UpdatePost(ctx, p) })
		if got := f.find(t, "pemba "); len(got) != 0 {
			t.Errorf("unpublished but found: %v", got)
		}
		if got := suggest("pemb"); len(got) != 0 {
			t.Errorf("unpublished but suggested: %v", got)
		}
		update(func(tx *store.Tx) error { return tx.DeletePost(ctx, p.ID) })
		if got := f.find(t, "pemba ", anyStatus); len(got) != 0 {
			t.Errorf("deleted but found: %v", got)
		}
		// Scheduled for later: not yet public.
		late := f.posts["abdelatty"]
		late.PublishedAt = f.base.AddDate(2, 0, 0)
		update(func(tx *store.Tx) error { return tx.UpdatePost(ctx, late) })
		if got := f.find(t, "abdelatty "); len(got) != 0 {
			t.Errorf("a post dated in the future is found: %v", got)
		}
	})
}

func TestSearchOddQueries(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for _, in := range []string{
			`NEAR(wang yi)`, `wang*`, `^wang`, `title:wang`, `wang OR yi`, `"wang`, `wang"`, `'`, `"`, `-`, `*`, `:`,
			`'; DROP TABLE posts; --`, `" OR 1=1 --`, "\xff\xfe wang", "🎉", "wang 🎉", `\`, `%_`, `AND`, `NOT`,
			`a & b | !c <-> d:*`, "wang\x00yi", strings.Repeat("é", 400),
		} {
			q, err := search.Parse(in)
			if err != nil {
				continue // refused with a message; the page shows it
			}
			req := store.SearchRequest{Query: q, Filter: store.Published(f.base.AddDate(1, 0, 0))}
			if _, err := db.Search(ctx, req); err != nil {
				t.Errorf("Search(%q): %v", in, err)
			}
			if _, err := db.Suggest(ctx, q, store.Published(f.base.AddDate(1, 0, 0)), 5); err != nil {
				t.Errorf("Suggest(%q): %v", in, err)
			}
		}
		if _, err := db.CountPosts(ctx, content.KindPost); err != nil {
			t.Fatal(err)
		}
		if got := f.find(t, "wang*"); !slices.Contains(got, "wang-yi") {
			t.Errorf("wang* reads as the word wang: %v", got)
		}
	})
}

func TestSuggest(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		q, _ := search.Parse("wang y")
		got, err := db.Suggest(ctx, q, store.Published(f.base.AddDate(1, 0, 0)), 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Title != "Wang Yi engages with Arab counterparts" || got[0].Path != f.posts["wang-yi"].Path() {
			t.Errorf("Suggest(wang y) = %+v", got)
		}
		// Titles only: a body match is not a suggestion.
		q, _ = search.Parse("Riyad")
		if got, _ := db.Suggest(ctx, q, store.Published(f.base.AddDate(1, 0, 0)), 5); len(got) != 0 {
			t.Errorf("Suggest(Riyad) = %+v, want nothing (only the body says Riyadh)", got)
		}
	})
}

func TestReindex(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		before := f.find(t, "sanctions ")
		var calls, last int
		rep, err := db.Reindex(ctx, func(done, total int) { calls++; last = done })
		if err != nil {
			t.Fatal(err)
		}
		if rep.Indexed != len(corpus) || rep.Removed != len(corpus) || calls == 0 || last != len(corpus) {
			t.Errorf("Reindex = %+v after %d progress calls ending at %d; want %d indexed", rep, calls, last, len(corpus))
		}
		if after := f.find(t, "sanctions "); !slices.Equal(before, after) {
			t.Errorf("after reindex %v, before %v", after, before)
		}
		// Rebuilt again, the index still follows the posts' writes.
		if _, err := db.Reindex(ctx, nil); err != nil {
			t.Fatal(err)
		}
		gone := f.posts[before[0]]
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.DeletePost(ctx, gone.ID) }); err != nil {
			t.Fatal(err)
		}
		if after := f.find(t, "sanctions "); !slices.Equal(after, before[1:]) {
			t.Errorf("after a second reindex and deleting %s: %v", gone.Slug, after)
		}
	})
}

// TestSearchSample searches the sample site's archive, as imported.
func TestSearchSample(t *testing.T) {
	path := samplePath(t, "front-page.wxr")
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		file, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer file.Close()
		if _, err := wxr.Import(ctx, db, file, wxr.Options{}); err != nil {
			t.Fatal(err)
		}
		find := func(query string) []string {
			q, err := search.Parse(query)
			if err != nil {
				t.Fatal(err)
			}
			f := store.Published(time.Now())
			f.Limit = 50
			res, err := db.Search(ctx, store.SearchRequest{Query: q, Filter: f})
			if err != nil {
				t.Fatal(err)
			}
			var titles []string
			for _, h := range res.Hits {
				titles = append(titles, h.Post.Title)
			}
			return titles
		}
		if got := find("Wang Yi "); len(got) == 0 || got[0] != "Wang Yi engages with Arab counterparts" {
			t.Errorf("Wang Yi: %v; want the post titled with his name first", got)
		}
		if got := find(`"Lisbon Maru"`); len(got) != 1 || !strings.Contains(got[0], "Japanese militarism") {
			t.Errorf("Lisbon Maru: %v", got)
		}
		if got := find("sao tome "); len(got) != 1 || !strings.Contains(got[0], "Angolan") {
			t.Errorf("sao tome: %v", got)
		}
		if got := find("Abdelatty "); len(got) == 0 {
			t.Errorf("Abdelatty: found nothing")
		}
		if got, all := find(`"two-State solution" -Wang`), find(`"two-State solution"`); len(got) == 0 || len(got) >= len(all) {
			t.Errorf("two-State solution -Wang: %d of %d", len(got), len(all))
		}
	})
}

// samplePath finds a file of the sample site in shared/sample beside the
// repository (or beside the folder holding it, for a checkout in a
// subfolder), skipping the test when there is none.
func samplePath(t *testing.T, name string) string {
	t.Helper()
	for _, up := range []string{"../../..", "../../../.."} {
		path := filepath.Join(up, "shared", "sample", name)
		if _, err := os.Stat(path); err == nil {
			return path
		}
	}
	t.Skipf("sample site (shared/sample/%s beside the repository) not present: skipping", name)
	return ""
}

// TestSearchIndexesOlderArchive opens a database made before the search
// index existed (simulated by removing the index and its migration) and
// checks that its posts are found once it is opened.
func TestSearchIndexesOlderArchive(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := storetest.DSN(t, engine)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			newFixture(t, db)
			db.Close()
			driver, source := "sqlite", dsn
			if engine == "postgres" {
				driver = "pgx"
			}
			raw, err := sql.Open(driver, source)
			if err != nil {
				t.Fatal(err)
			}
			for _, stmt := range []string{`DROP TABLE post_search`, `DELETE FROM schema_migrations WHERE version IN (20, 60, 100)`} {
				if _, err := raw.ExecContext(ctx, stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			raw.Close()
			var done, total int
			db, err = store.OpenWith(ctx, dsn, store.Options{IndexProgress: func(d, n int) { done, total = d, n }})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if done != len(corpus) || total != len(corpus) {
				t.Errorf("indexing on opening reported %d of %d posts, want %d of %d", done, total, len(corpus), len(corpus))
			}
			f := &fixture{db: db, base: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)}
			if got := f.find(t, "sanctions "); len(got) != 2 {
				t.Errorf("after upgrade, sanctions found %v", got)
			}
		})
	}
}

// FuzzSearchQuery sends whatever a reader might type through the parser to
// the engine: any query the parser accepts must run without an error, on
// the full search and on suggestions.
func FuzzSearchQuery(f *testing.F) {
	for _, s := range []string{"wang yi", `"lisbon maru"`, "sanc", "-x y", `NEAR("a" "b")`, "a*", "^a", "a:b",
		`'; DROP TABLE posts; --`, "\xff", "🎉", "São Tomé", `"unclosed`, "a & !b | c <-> d:*", "AND OR NOT"} {
		f.Add(s)
	}
	db := storetest.Open(f, "sqlite")
	fx := newFixture(f, db)
	f.Fuzz(func(t *testing.T, s string) {
		q, err := search.Parse(s)
		if err != nil {
			return
		}
		filter := store.Published(fx.base.AddDate(1, 0, 0))
		filter.Limit = 5
		if _, err := db.Search(ctx, store.SearchRequest{Query: q, Filter: filter}); err != nil {
			t.Fatalf("Search(%q): %v", s, err)
		}
		if _, err := db.Suggest(ctx, q, filter, 5); err != nil {
			t.Fatalf("Suggest(%q): %v", s, err)
		}
	})
}
