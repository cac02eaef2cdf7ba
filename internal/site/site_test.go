package site_test

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/broadsheet/broadsheet/internal/importer/wxr"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// samplePath is a file of the shared sample site, when it is there.
func samplePath(t *testing.T, name string) string {
	t.Helper()
	return filepath.Join(sampleDir(t), name)
}

type samplePost struct {
	Title           string   `json:"title"`
	Slug            string   `json:"slug"`
	OldURL          string   `json:"old_url"`
	Categories      []string `json:"categories"`
	Paragraphs      []string `json:"paragraphs"`
	ContinueReading bool     `json:"continue_reading"`
}

// importFile imports a WXR file into db.
func importFile(t *testing.T, db *store.DB, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := wxr.Import(context.Background(), db, f, wxr.Options{}); err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
}

// serve runs the site over db with theme on a real HTTP server.
func serve(t *testing.T, db *store.DB, theme fs.FS) *httptest.Server {
	t.Helper()
	return serveConfig(t, site.Config{DB: db, Theme: theme})
}

// serveConfig runs the site configured by cfg, quiet, on a real HTTP server.
func serveConfig(t *testing.T, cfg site.Config) *httptest.Server {
	t.Helper()
	cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := site.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv
}

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := noRedirects.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func parse(t *testing.T, body string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// findAll returns the elements under n, in document order, that match.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	if n == nil {
		return nil // a part missing from the page: nothing within it
	}
	var out []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
		out = append(out, findAll(c, match)...)
	}
	return out
}

func find(n *html.Node, match func(*html.Node) bool) *html.Node {
	if all := findAll(n, match); len(all) > 0 {
		return all[0]
	}
	return nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func tag(name string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == name }
}

func class(name string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		for _, c := range strings.Fields(attr(n, "class")) {
			if c == name {
				return true
			}
		}
		return false
	}
}

func and(preds ...func(*html.Node) bool) func(*html.Node) bool {
	return func(n *html.Node) bool {
		for _, p := range preds {
			if !p(n) {
				return false
			}
		}
		return true
	}
}

// text is the text content of n, as a reader (or a screen reader) gets it.
func text(n *html.Node) string {
	if n == nil {
		return ""
	}
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(text(c))
	}
	return b.String()
}

// teaser is one entry of a listing as a reader sees it.
type teaser struct {
	title, href  string
	paragraphs   []string
	continueText string // "" when there is no Continue reading link
}

func teasers(t *testing.T, doc *html.Node) []teaser {
	var out []teaser
	for _, art := range findAll(doc, and(tag("article"), class("entry-teaser"))) {
		a := find(find(art, class("entry-title")), tag("a"))
		tz := teaser{title: text(a), href: attr(a, "href")}
		body := find(art, class("entry-content"))
		for _, p := range findAll(body, func(n *html.Node) bool { return n.Data == "p" || n.Data == "li" }) {
			tz.paragraphs = append(tz.paragraphs, text(p))
		}
		if more := find(art, class("more-link")); more != nil {
			tz.continueText = text(more)
		}
		out = append(out, tz)
	}
	return out
}

// TestSampleFrontPage reproduces the sample site's front page from its
// WordPress export: order, teasers word for word, "Continue reading" links,
// the rest of each article on its own page only, and every old URL.
func TestSampleFrontPage(t *testing.T) {
	wxrPath, jsonPath := samplePath(t, "front-page.wxr"), samplePath(t, "front-page.json")
	raw, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var want []samplePost
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db := storetest.Open(t, engine)
			importFile(t, db, wxrPath)
			srv := serve(t, db, site.DefaultTheme())

			var got []teaser
			pages := 0
			for url := srv.URL + "/"; url != ""; pages++ {
				resp, body := get(t, url)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: status %d", url, resp.StatusCode)
				}
				if strings.Contains(body, "The remainder of this article") {
					t.Errorf("%s shows text from after a post's break", url)
				}
				doc := parse(t, body)
				got = append(got, teasers(t, doc)...)
				url = ""
				if next := find(doc, and(tag("link"), func(n *html.Node) bool { return attr(n, "rel") == "next" })); next != nil {
					url = attr(next, "href")
				}
				if pages > 5 {
					t.Fatal("rel=next never ends")
				}
			}
			if pages != 2 {
				t.Errorf("the 20 posts took %d pages, want 2 of 10", pages)
			}
			if len(got) != len(want) {
				t.Fatalf("front pages show %d posts, want %d", len(got), len(want))
			}
			for i, w := range want {
				g := got[i]
				if g.title != w.Title {
					t.Errorf("post %d: title %q, want %q", i+1, g.title, w.Title)
					continue
				}
				if len(g.paragraphs) != len(w.Paragraphs) {
					t.Errorf("%q: teaser has %d paragraphs, want %d", w.Title, len(g.paragraphs), len(w.Paragraphs))
				}
				for j := 0; j < len(w.Paragraphs) && j < len(g.paragraphs); j++ {
					if g.paragraphs[j] != w.Paragraphs[j] {
						t.Errorf("%q paragraph %d:\n got %q\nwant %q", w.Title, j+1, g.paragraphs[j], w.Paragraphs[j])
					}
				}
				switch wantMore := "Continue reading " + w.Title; {
				case w.ContinueReading && g.continueText != wantMore:
					t.Errorf("%q: continue link text %q, want %q", w.Title, g.continueText, wantMore)
				case !w.ContinueReading && g.continueText != "":
					t.Errorf("%q is shown whole but has a continue link %q", w.Title, g.continueText)
				}

				// The post page has the whole article, including what follows the break.
				resp, body := get(t, srv.URL+g.href)
				if resp.StatusCode != http.StatusOK {
					t.Errorf("%s: status %d", g.href, resp.StatusCode)
					continue
				}
				doc := parse(t, body)
				if h1 := text(find(doc, tag("h1"))); h1 != w.Title {
					t.Errorf("%s: <h1> %q, want %q", g.href, h1, w.Title)
				}
				if w.ContinueReading && !strings.Contains(body, "The remainder of this article") {
					t.Errorf("%s lacks the text after its break", g.href)
				}
				if w.ContinueReading && find(doc, func(n *html.Node) bool { return attr(n, "id") == "more" }) == nil {
					t.Errorf("%s has no #more anchor for the continue link to land on", g.href)
				}

				// The old URL still leads to the post.
				resp, body = get(t, srv.URL+w.OldURL)
				if resp.StatusCode == http.StatusMovedPermanently {
					resp, body = get(t, srv.URL+resp.Header.Get("Location"))
				}
				if resp.StatusCode != http.StatusOK || text(find(parse(t, body), tag("h1"))) != w.Title {
					t.Errorf("old URL %s: status %d, not the post %q", w.OldURL, resp.StatusCode, w.Title)
				}
			}
		})
	}
}
