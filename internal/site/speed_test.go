package site_test

import (
	"context"
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
	"github.com/broadsheet/broadsheet/internal/web"
)

// TestListingQueriesDoNotGrowWithPosts proves there is no N+1: a page of
// ten teasers, each with its authors, categories and tags, costs the same
// few queries as a page of one; with the fragment cache, a page whose
// teasers are kept costs one.
func TestListingQueriesDoNotGrowWithPosts(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		for _, tc := range []struct {
			name       string
			fragments  int64
			cold, warm int64
		}{
			// Settings, navigation, when the next scheduled post is due,
			// count, page, authors, terms, and the front page's upcoming
			// events; the next reader's page reuses the settings,
			// navigation, count and events.
			{"no fragment cache", 0, 8, 3},
			// The page names its posts and versions; from cold, their
			// teasers are rendered from the posts, authors and terms read
			// for them; warm, all are kept, and which posts it lists.
			{"fragment cache", 1 << 20, 9, 0},
		} {
			t.Run(engine+"/"+tc.name, func(t *testing.T) {
				testListingQueries(t, engine, tc.fragments, tc.cold, tc.warm)
			})
		}
	}
}

func testListingQueries(t *testing.T, engine string, fragments, maxCold, maxWarm int64) {
	db := demoDB(t, engine)
	base := serveConfig(t, site.Config{DB: db, Theme: site.DefaultTheme(), FragmentCache: fragments}).URL
	// As in serve, the process hears every change, so it may
	// remember counts between them.
	relay(t, db)
	// cold counts a page's queries with nothing remembered between
	// pages (as after any change); warm, as the next reader's.
	count := func(path string, cold bool) (queries int64, teasers int) {
		if cold {
			db.Publish(context.Background(), store.Change{Site: true})
		}
		before := db.QueryCount()
		resp, body := get(t, base+path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return db.QueryCount() - before, strings.Count(body, `class="entry entry-teaser"`)
	}
	_, body := get(t, base+"/")
	m := regexp.MustCompile(`Page 1 of (\d+)`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the demo's front page has a single page; the test needs two")
	}
	last := "/page/" + m[1] + "/"
	first, many := count("/", true)
	q, few := count(last, true)
	if many < 2 || few >= many {
		t.Fatalf("the front pages show %d and %d teasers; the test needs a full and a shorter page", many, few)
	}
	// The front page's first page alone reads its upcoming events.
	first--
	if q != first {
		t.Errorf("%s (%d teasers) costs %d queries, the front page (%d teasers) %d besides its events: queries grow with posts", last, few, q, many, first)
	}
	if first+1 > maxCold {
		t.Errorf("the front page costs %d queries from cold, over %d", first+1, maxCold)
	}
	count("/", false) // the first reader after the last page's
	if q, _ := count("/", false); q > maxWarm {
		t.Errorf("the front page costs %d queries when warm, over %d", q, maxWarm)
	}
	tags, err := db.FindTerms(context.Background(), content.TaxTag)
	if err != nil || len(tags) == 0 {
		t.Fatalf("the demo has no tags: %v", err)
	}
	// The demo's archives are one page each: finding whose archive it is
	// costs a query, and counting the posts of a listing shown whole
	// costs none.
	for _, path := range []string{firstLink(t, body, "/category/"), firstLink(t, body, "/author/"), tags[0].Path()} {
		if q, n := count(path, true); q != first {
			t.Errorf("%s (%d teasers) costs %d queries from cold, want %d (a listing's, less its count, and finding whose it is)", path, n, q, first)
		}
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

// TestPostPageQueries counts a post page's queries once the settings and
// navigation are remembered: without a fragment cache, the post with both
// neighbours at once, its authors and terms at once, and its featured
// image, and the default theme's related posts and more from the post's
// outlet (one query); with one, the same for a post whose article is not
// kept (cold: no query for its version first), and once it keeps the
// article and head, only what names the post's version and its
// neighbours' links, one query, and the related posts', for the same page;
// none while the process hears every change and keeps them all; and a theme whose post page may show more of the post and its
// neighbours (and no related posts) gets them whole, as without a
// fragment cache.
func TestPostPageQueries(t *testing.T) {
	ownPost := web.Overlay{Lower: site.DefaultTheme(), Upper: fstest.MapFS{"templates/post.html": {Data: []byte(
		`{{define "content"}}{{.Article}}<p class="own">{{range .Post.Authors}}{{.Name}}{{end}} {{.Post.Excerpt}}</p>` +
			`{{with .Older}}<a class="post-nav-older">{{.Title}} {{.CreatedAt.Unix}}</a>{{end}}` +
			`{{with .Newer}}<a class="post-nav-newer">{{.Title}} {{.CreatedAt.Unix}}</a>{{end}}{{end}}`)}}}
	for _, engine := range storetest.Engines(t) {
		db := demoDB(t, engine)
		posts, _, err := db.FindPosts(context.Background(), store.Published(db.Now()))
		if err != nil || len(posts) < 3 {
			t.Fatalf("demo posts: %d, %v", len(posts), err)
		}
		path := posts[1].Path()
		want := map[bool]string{}
		for _, tc := range []struct {
			name      string
			theme     fs.FS
			fragments int64
			relay     bool
			cold, max int64
		}{
			{"no fragment cache", site.DefaultTheme(), 0, false, 4, 4},
			{"fragment cache", site.DefaultTheme(), 1 << 20, false, 4, 2},
			{"fragment cache, hearing every change", site.DefaultTheme(), 1 << 20, true, 4, 0},
			{"own post page, no fragment cache", ownPost, 0, false, 3, 3},
			{"own post page, fragment cache", ownPost, 1 << 20, false, 3, 2},
		} {
			t.Run(engine+"/"+tc.name, func(t *testing.T) {
				if tc.relay {
					relay(t, db)
				}
				base := serveConfig(t, site.Config{DB: db, Theme: tc.theme, FragmentCache: tc.fragments}).URL
				get(t, base+"/") // the settings and navigation
				before := db.QueryCount()
				get(t, base+path)
				if q := db.QueryCount() - before; q > tc.cold {
					t.Errorf("a post page read first costs %d queries, over %d", q, tc.cold)
				}
				before = db.QueryCount()
				resp, body := get(t, base+path)
				if resp.StatusCode != 200 || !strings.Contains(body, `class="post-nav-older"`) || !strings.Contains(body, `class="post-nav-newer"`) {
					t.Fatalf("%s: %d, or no links to both neighbours", path, resp.StatusCode)
				}
				if q := db.QueryCount() - before; q > tc.max {
					t.Errorf("a post page costs %d queries, over %d", q, tc.max)
				}
				if strings.Contains(body, `<p class="own"> `) {
					t.Errorf("%s: the theme's post page shows no authors", path)
				}
				key, body := strings.HasPrefix(tc.name, "own"), strings.ReplaceAll(body, base, "")
				if w, ok := want[key]; !ok {
					want[key] = body
				} else if body != w {
					t.Errorf("%s differs from the page served without a fragment cache:\n%s\nwant:\n%s", path, body, w)
				}
			})
		}
	}
}

// relay has db hear every change, as serve does, until the test ends.
func relay(t testing.TB, db *store.DB) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	relayed := make(chan struct{})
	go func() { db.Relay(ctx, nil); close(relayed) }()
	t.Cleanup(func() { stop(); <-relayed })
	for !db.Relaying() {
		time.Sleep(10 * time.Millisecond)
	}
}
