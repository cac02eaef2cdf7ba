package site_test

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestListingQueriesDoNotGrowWithPosts proves there is no N+1: a page of
// ten teasers, each with its authors, categories and tags, costs the same
// few queries as a page of one.
func TestListingQueriesDoNotGrowWithPosts(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db, base := demoSite(t, engine)
			count := func(path string) (queries int64, teasers int) {
				before := db.QueryCount()
				resp, body := get(t, base+path)
				if resp.StatusCode != 200 {
					t.Fatalf("%s: %d", path, resp.StatusCode)
				}
				return db.QueryCount() - before, strings.Count(body, `class="entry entry-teaser"`)
			}
			// The demo's last front page holds fewer teasers than the first.
			_, body := get(t, base+"/")
			last := "/"
			if m := regexp.MustCompile(`Page 1 of (\d+)`).FindStringSubmatch(body); m != nil {
				last = "/page/" + m[1] + "/"
			}
			first, many := count("/")
			if many < 2 {
				t.Fatalf("the front page shows %d teasers; the test needs several", many)
			}
			for _, path := range []string{last, "/2026/"} {
				q, n := count(path)
				if q != first {
					t.Errorf("%s (%d teasers) costs %d queries, the front page (%d teasers) %d: queries grow with posts", path, n, q, many, first)
				}
			}
			// Count, page, authors, terms; the settings and navigation are
			// kept between pages until something changes.
			const budget = 4
			if first > budget {
				t.Errorf("the front page costs %d queries, over the budget of %d", first, budget)
			}
			if q, _ := count(firstLink(t, body, `/category/`)); q > budget+1 {
				t.Errorf("a category archive costs %d queries, over %d (the page's plus finding the category)", q, budget+1)
			}
		})
	}
}

func firstLink(t *testing.T, body, prefix string) string {
	t.Helper()
	m := regexp.MustCompile(`href="(` + regexp.QuoteMeta(prefix) + `[^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no link to %s…", prefix)
	}
	return m[1]
}

func TestFingerprintedAssetsAreImmutable(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	srv := serve(t, db, site.DefaultTheme())
	_, page := get(t, srv.URL+"/")
	m := regexp.MustCompile(`<link rel="stylesheet" href="(/static/site\.[0-9a-f]{10}\.css)">`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the page links no fingerprinted stylesheet:\n%.600s", page)
	}
	want, err := fs.ReadFile(site.DefaultTheme(), "static/site.css")
	if err != nil {
		t.Fatal(err)
	}
	resp, css := get(t, srv.URL+m[1])
	if resp.StatusCode != 200 || css != string(want) {
		t.Fatalf("%s: %d, %d bytes; want the stylesheet", m[1], resp.StatusCode, len(css))
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") {
		t.Errorf("fingerprinted asset: Cache-Control %q, want a year, immutable", cc)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("fingerprinted asset: Content-Type %q", ct)
	}
	// The plain name still works, and so does a fingerprint from an older
	// theme (a page cached elsewhere), both without the promise of for ever.
	for _, path := range []string{"/static/site.css", "/static/site.0123456789.css"} {
		resp, css := get(t, srv.URL+path)
		if resp.StatusCode != 200 || css != string(want) {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
		if cc := resp.Header.Get("Cache-Control"); strings.Contains(cc, "immutable") {
			t.Errorf("%s: Cache-Control %q promises what a changing file cannot keep", path, cc)
		}
	}
	if resp, _ := get(t, srv.URL+"/static/nothing.0123456789.css"); resp.StatusCode != 404 {
		t.Errorf("a missing asset: %d", resp.StatusCode)
	}
}
