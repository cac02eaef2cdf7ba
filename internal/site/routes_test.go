package site_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/net/html"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/demo"
	"github.com/broadsheet/broadsheet/internal/importer/wxr"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
	"github.com/broadsheet/broadsheet/internal/web"
)

// demoSite serves the demo content shipped with Broadsheet.
func demoSite(t *testing.T, engine string) (*store.DB, string) {
	t.Helper()
	db := demoDB(t, engine)
	return db, serve(t, db, site.DefaultTheme()).URL
}

// demoDB is a database holding the demo content.
func demoDB(t *testing.T, engine string) *store.DB {
	t.Helper()
	db := storetest.Open(t, engine)
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC) // after the demo's newest post
	db.Now = func() time.Time { return now }
	if _, err := wxr.Import(context.Background(), db, bytes.NewReader(demo.WXR), wxr.Options{}); err != nil {
		t.Fatalf("import demo: %v", err)
	}
	return db
}

func TestStatusOfEveryShapeOfPath(t *testing.T) {
	db, base := demoSite(t, "sqlite")
	posts, _, err := db.FindPosts(context.Background(), store.Published(db.Now()))
	if err != nil || len(posts) < 12 {
		t.Fatalf("demo has %d posts (%v), want at least 12", len(posts), err)
	}
	newest := posts[0]
	y := newest.PublishedAt.Format("2006")
	ym := newest.PublishedAt.Format("2006/01")
	tests := []struct {
		path     string
		status   int
		location string // for redirects
	}{
		{"/", 200, ""},
		{"/page/2/", 200, ""},
		{"/page/1/", 404, ""},
		{"/page/999/", 404, ""},
		{"/page/0/", 404, ""},
		{"/page/02/", 404, ""},
		{"/page/abc/", 404, ""},
		{newest.Path(), 200, ""},
		{strings.TrimSuffix(newest.Path(), "/"), 301, newest.Path()},
		{"/1999/01/01/" + newest.Slug + "/", 301, newest.Path()},
		{"/" + y + "/", 200, ""},
		{"/" + ym + "/", 200, ""},
		{"/" + y + "/13/", 404, ""},
		{"/" + y + "/00/", 404, ""},
		{"/" + y + "/1/", 404, ""},
		{"/" + y + "/02/31/", 404, ""},
		{"/" + y + "/02/30/x/y/", 404, ""},
		{"/0000/", 200, ""}, // an empty year is an empty archive, not an error
		{"/99999/", 404, ""},
		{"/category/africa/", 200, ""},
		{"/category/no-such-thing/", 404, ""},
		{"/category/", 404, ""},
		{"/tag/trade/", 200, ""},
		{"/author/amara/", 200, ""},
		{"/author/nobody/", 404, ""},
		{"/about/", 200, ""},
		{"/about", 301, "/about/"},
		{"/no-such-page/", 404, ""},
		{"/no-such-page", 404, ""},
		{"/missing.png", 404, ""},
		{"/%ff%fe/", 404, ""},
		{"/%00/", 404, ""},
		{"/a/b/c/d/e/f/g/", 404, ""},
		{"/static/site.css", 200, ""},
		{"/static/", 404, ""},
		{"/static/nope.css", 404, ""},
	}
	for _, tt := range tests {
		resp, body := get(t, base+tt.path)
		if resp.StatusCode != tt.status {
			t.Errorf("GET %s: status %d, want %d", tt.path, resp.StatusCode, tt.status)
		}
		if tt.location != "" && resp.Header.Get("Location") != tt.location {
			t.Errorf("GET %s: Location %q, want %q", tt.path, resp.Header.Get("Location"), tt.location)
		}
		if resp.StatusCode == 404 && !strings.Contains(body, "Page not found") && !strings.HasPrefix(tt.path, "/static/") {
			t.Errorf("GET %s: 404 without the site's 404 page", tt.path)
		}
	}
}

func TestEveryPageHasTitleDescriptionCanonical(t *testing.T) {
	_, base := demoSite(t, "sqlite")
	for _, path := range []string{"/", "/page/2/", "/category/africa/", "/tag/trade/", "/author/amara/", "/2026/", "/2026/11/", "/about/"} {
		resp, body := get(t, base+path)
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
			continue
		}
		doc := parse(t, body)
		if title := text(find(doc, tag("title"))); !strings.Contains(title, "The Meridian Review") {
			t.Errorf("%s: <title> %q lacks the site name", path, title)
		}
		desc := find(doc, and(tag("meta"), func(n *html.Node) bool { return attr(n, "name") == "description" }))
		if desc == nil || attr(desc, "content") == "" {
			t.Errorf("%s: no meta description", path)
		}
		canon := find(doc, and(tag("link"), func(n *html.Node) bool { return attr(n, "rel") == "canonical" }))
		if canon == nil || attr(canon, "href") != base+path {
			t.Errorf("%s: canonical %v, want %s", path, canon, base+path)
		}
	}
}

func TestPostPageShowsAttributionAndNeighbours(t *testing.T) {
	db, base := demoSite(t, "sqlite")
	posts, _, _ := db.FindPosts(context.Background(), store.Published(db.Now()))
	var republished *content.Post
	for _, p := range posts[1 : len(posts)-1] {
		if p.Source != nil {
			republished = p
			break
		}
	}
	if republished == nil {
		t.Fatal("the demo has no republished post with neighbours")
	}
	_, body := get(t, base+republished.Path())
	doc := parse(t, body)
	attrib := find(doc, class("attribution"))
	if attrib == nil {
		t.Fatalf("%s: no attribution block", republished.Path())
	}
	if got := text(attrib); !strings.Contains(got, "Originally published by "+republished.Source.Name) {
		t.Errorf("attribution %q does not name %s", got, republished.Source.Name)
	}
	link := find(attrib, tag("a"))
	if link == nil || attr(link, "href") != republished.Source.URL {
		t.Errorf("attribution does not link to the original %s", republished.Source.URL)
	}
	if !strings.Contains(text(attrib), republished.Source.Author) {
		t.Errorf("attribution %q lacks the original author %q", text(attrib), republished.Source.Author)
	}
	if find(doc, class("post-nav-older")) == nil || find(doc, class("post-nav-newer")) == nil {
		t.Errorf("%s: no previous/next links", republished.Path())
	}
}

func TestDraftsAndFuturePostsAreHidden(t *testing.T) {
	db, base := demoSite(t, "sqlite")
	ctx := context.Background()
	posts, _, _ := db.FindPosts(ctx, store.Published(db.Now()))
	draft, future := posts[0], posts[1]
	err := db.Update(ctx, func(tx *store.Tx) error {
		d, _ := tx.FindPostByID(ctx, draft.ID)
		d.Status = content.StatusDraft
		if err := tx.UpdatePost(ctx, d); err != nil {
			return err
		}
		f, _ := tx.FindPostByID(ctx, future.ID)
		f.PublishedAt = db.Now().AddDate(1, 0, 0)
		return tx.UpdatePost(ctx, f)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*content.Post{draft, future} {
		if resp, _ := get(t, base+p.Path()); resp.StatusCode != 404 {
			t.Errorf("%s (%s): status %d, want 404", p.Title, p.Status, resp.StatusCode)
		}
	}
	_, body := get(t, base+"/")
	for _, p := range []*content.Post{draft, future} {
		if strings.Contains(body, p.Title) {
			t.Errorf("front page shows hidden post %q", p.Title)
		}
	}
}

func TestAliasRedirects(t *testing.T) {
	db, base := demoSite(t, "sqlite")
	ctx := context.Background()
	posts, _, _ := db.FindPosts(ctx, store.Published(db.Now()))
	err := db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.PutAlias(ctx, &content.Alias{Path: "/old/story.html", PostID: posts[3].ID}); err != nil {
			return err
		}
		return tx.PutAlias(ctx, &content.Alias{Path: "/old-section/", Target: "/category/africa/"})
	})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"/old/story.html": posts[3].Path(), "/old-section/": "/category/africa/"} {
		resp, _ := get(t, base+path)
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
			t.Errorf("GET %s: %d → %q, want 301 → %q", path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
}

func TestThemeFolderOverridesTemplatesAndStatic(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	upper := fstest.MapFS{
		"templates/error.html": {Data: []byte(`{{define "content"}}<h1>Lost at sea</h1>{{end}}`)},
		"static/site.css":      {Data: []byte(`body { color: teal }`)},
	}
	srv := serve(t, db, web.Overlay{Upper: upper, Lower: site.DefaultTheme()})
	if _, body := get(t, srv.URL+"/nowhere/"); !strings.Contains(body, "Lost at sea") {
		t.Errorf("the theme's error.html did not replace the default")
	}
	if _, body := get(t, srv.URL+"/static/site.css"); body != "body { color: teal }" {
		t.Errorf("the theme's site.css did not replace the default: %.40q", body)
	}
	if resp, body := get(t, srv.URL+"/"); resp.StatusCode != 200 || !strings.Contains(body, "Nothing has been published") {
		t.Errorf("an empty site's front page: %d", resp.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	_, base := demoSite(t, "sqlite")
	resp, _ := get(t, base+"/")
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
	// Pages may frame the players of the embed allowlist, and nothing else.
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-src 'self' https://www.youtube-nocookie.com https://player.vimeo.com https://www.dailymotion.com") ||
		strings.Contains(csp, "frame-src *") || strings.Contains(csp, "https://www.youtube.com") {
		t.Errorf("Content-Security-Policy %q does not frame the players", csp)
	}
}
