package site_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

var searchCtx = context.Background()

var searchNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// searchSite serves a small archive: two posts about sanctions in
// different sections, a hostile title, and fifteen harvest reports.
func searchSite(t *testing.T, db *store.DB) *httptest.Server {
	t.Helper()
	base := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	err := db.Update(searchCtx, func(tx *store.Tx) error {
		u := &content.User{Slug: "amara", Name: "Amara Okafor", Role: content.RoleAuthor}
		if err := tx.UpsertUser(searchCtx, u); err != nil {
			return err
		}
		econ := &content.Term{Taxonomy: content.TaxCategory, Slug: "economy", Name: "Economy"}
		africa := &content.Term{Taxonomy: content.TaxCategory, Slug: "africa", Name: "Africa"}
		for _, term := range []*content.Term{econ, africa} {
			if err := tx.UpsertTerm(searchCtx, term); err != nil {
				return err
			}
		}
		n := 0
		add := func(title, body string, cat *content.Term) error {
			n++
			p := &content.Post{Kind: content.KindPost, Title: title, Slug: fmt.Sprintf("post-%d", n),
				Status: content.StatusPublished, PublishedAt: base.AddDate(0, 0, n), Format: content.FormatHTML,
				Body: body, BodyHTML: body, TeaserHTML: body, Authors: []content.User{*u}, Categories: []content.Term{*cat}}
			return tx.CreatePost(searchCtx, p)
		}
		if err := add("Sanctions on Russia", "<p>New sanctions were announced against Russia.</p>", econ); err != nil {
			return err
		}
		if err := add("A bank in Lagos", "<p>The bank was sanctioned last year.</p>", africa); err != nil {
			return err
		}
		if err := add(`<script>alert("x")</script> ceasefire`, `<p>A ceasefire &amp; "talks".</p>`, africa); err != nil {
			return err
		}
		for i := 0; i < 15; i++ {
			if err := add(fmt.Sprintf("Harvest report %d", i+1), "<p>The harvest was good.</p>", econ); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := site.New(site.Config{DB: db, Theme: site.DefaultTheme(), Now: func() time.Time { return searchNow }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv
}

func searchGet(t *testing.T, rawURL string) (int, string, http.Header) {
	t.Helper()
	res, err := http.Get(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b), res.Header
}

// byClass returns the text (and inner HTML) of the elements with class c.
func searchByClass(t *testing.T, page, c string) (texts, inner []string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if a.Key == "class" && strings.Contains(" "+a.Val+" ", " "+c+" ") {
					texts = append(texts, strings.Join(strings.Fields(searchNodeText(n)), " "))
					var b strings.Builder
					for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
						html.Render(&b, ch)
					}
					inner = append(inner, b.String())
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(doc)
	return texts, inner
}

func searchNodeText(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		b.WriteString(searchNodeText(ch))
	}
	return b.String()
}

func TestSearchPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		srv := searchSite(t, db)
		status, page, h := searchGet(t, srv.URL+"/search?q=sanctions")
		if status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		if !strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Errorf("the search page lacks the strict CSP: %q", h.Get("Content-Security-Policy"))
		}
		titles, _ := searchByClass(t, page, "entry-title")
		if len(titles) != 2 || titles[0] != "Sanctions on Russia" || titles[1] != "A bank in Lagos" {
			t.Errorf("results %q; want the title match first, then the stemmed body match", titles)
		}
		_, snippets := searchByClass(t, page, "search-snippet")
		if len(snippets) != 2 || !strings.Contains(snippets[1], "<mark>sanctioned</mark>") {
			t.Errorf("snippets %q; want the matched word marked", snippets)
		}
		bylines, _ := searchByClass(t, page, "byline")
		if len(bylines) != 2 || !strings.Contains(bylines[0], "March 2025") || !strings.Contains(bylines[0], "Economy") {
			t.Errorf("bylines %q; want the date and section of each result", bylines)
		}
		if summary, _ := searchByClass(t, page, "search-summary"); len(summary) != 1 || !strings.HasPrefix(summary[0], "2 results") {
			t.Errorf("summary %q", summary)
		}
		if !strings.Contains(page, `<meta name="robots" content="noindex">`) {
			t.Error("search results should not be indexed by search engines")
		}
		// Filters from the URL: a section, a date range, an order.
		_, page, _ = searchGet(t, srv.URL+"/search?q=sanctions&category=africa")
		if titles, _ := searchByClass(t, page, "entry-title"); len(titles) != 1 || titles[0] != "A bank in Lagos" {
			t.Errorf("in Africa: %q", titles)
		}
		_, page, _ = searchGet(t, srv.URL+"/search?q=sanctions&from=2025-03-02&to=2025-03-02")
		if titles, _ := searchByClass(t, page, "entry-title"); len(titles) != 1 || titles[0] != "Sanctions on Russia" {
			t.Errorf("on 2 March: %q", titles)
		}
		_, page, _ = searchGet(t, srv.URL+"/search?q=sanctions&sort=newest")
		if titles, _ := searchByClass(t, page, "entry-title"); len(titles) != 2 || titles[0] != "A bank in Lagos" {
			t.Errorf("newest first: %q", titles)
		}
		if !strings.Contains(page, `<option value="newest" selected>`) {
			t.Error("the chosen order is not selected in the form")
		}
		// No query: the form alone.
		status, page, _ = searchGet(t, srv.URL+"/search")
		if titles, _ := searchByClass(t, page, "entry-title"); status != http.StatusOK || len(titles) != 0 || !strings.Contains(page, `id="search-q"`) {
			t.Errorf("empty search: status %d, results %q", status, titles)
		}
		// Nothing found: a helpful sentence.
		_, page, _ = searchGet(t, srv.URL+"/search?q=zanzibar")
		if empty, _ := searchByClass(t, page, "empty"); len(empty) != 1 {
			t.Errorf("no results: want a sentence saying so")
		}
	})
}

func TestSearchPagePages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		srv := searchSite(t, db)
		_, page, _ := searchGet(t, srv.URL+"/search?q=harvest&sort=oldest")
		titles, _ := searchByClass(t, page, "entry-title")
		if len(titles) != 10 || titles[0] != "Harvest report 1" {
			t.Fatalf("page 1: %q", titles)
		}
		next := `/search?page=2&amp;q=harvest&amp;sort=oldest`
		if !strings.Contains(page, `href="`+next+`" rel="next"`) {
			t.Fatalf("page 1 has no link to page 2 keeping the query and order (%s)", next)
		}
		_, page, _ = searchGet(t, srv.URL+html.UnescapeString(next))
		titles, _ = searchByClass(t, page, "entry-title")
		if len(titles) != 5 || titles[0] != "Harvest report 11" {
			t.Errorf("page 2: %q", titles)
		}
		if !strings.Contains(page, `rel="prev"`) || strings.Contains(page, `rel="next"`) {
			t.Error("page 2 of 2 should link back and not on")
		}
		status, page, _ := searchGet(t, srv.URL+"/search?q=harvest&page=9")
		if msg, _ := searchByClass(t, page, "search-message"); status != http.StatusOK || len(msg) != 1 || !strings.Contains(msg[0], "only 2 pages") {
			t.Errorf("past the last page: status %d, message %q", status, msg)
		}
	})
}

// TestSearchPageBadInput: whatever is typed or forged, the reader gets the
// search page back, 200 or 400 with a sentence, never a server error.
func TestSearchPageBadInput(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		srv := searchSite(t, db)
		tests := []struct {
			query  string // raw query string after ?
			status int
			says   string // in the message, for 400s
		}{
			{"q=", 200, ""},
			{"q=" + strings.Repeat("x", 10*1024), 400, "too long"},
			{"q=" + url.QueryEscape(strings.Repeat("word ", 2048)), 400, "too long"},
			{"q=" + url.QueryEscape(`"unbalanced quote`), 200, ""},
			{"q=" + url.QueryEscape(`NEAR(sanctions russia)`), 200, ""},
			{"q=" + url.QueryEscape(`sanc*`), 200, ""},
			{"q=" + url.QueryEscape(`^sanctions`), 200, ""},
			{"q=" + url.QueryEscape(`title:sanctions`), 200, ""},
			{"q=" + url.QueryEscape(`sanctions & !russia | x:*`), 200, ""},
			{"q=" + url.QueryEscape(`'; DROP TABLE posts; --`), 200, ""},
			{"q=" + url.QueryEscape(`" OR 1=1 --`), 200, ""},
			{"q=%FF%FE%FDsanctions", 200, ""},
			{"q=%00sanctions", 200, ""},
			{"q=" + url.QueryEscape("🎉🎉"), 200, ""},
			{"q=" + url.QueryEscape("-russia"), 400, "excluded"},
			{"q=" + url.QueryEscape(strings.Repeat("a ", 40)), 400, "too many words"},
			{"q=sanctions&page=abc", 400, "page"},
			{"q=sanctions&page=0", 400, "page"},
			{"q=sanctions&page=99999999999999999999", 400, "page"},
			{"q=sanctions&from=yesterday", 400, "2025-12-31"},
			{"q=sanctions&from=2025-05-01&to=2025-04-01", 400, "before"},
			{"q=sanctions&category=nowhere", 400, "no section"},
			{"q=sanctions&tag=nothing", 400, "no tag"},
			{"q=sanctions&author=nobody", 400, "no author"},
			{"q=sanctions&sort=random()", 400, "relevance, newest or oldest"},
			{"q=sanctions&q=russia", 200, ""},
			{"q=%", 200, ""}, // an invalid escape: Go drops the pair
		}
		for _, tt := range tests {
			status, page, _ := searchGet(t, srv.URL+"/search?"+tt.query)
			short := tt.query
			if len(short) > 60 {
				short = short[:60] + "…"
			}
			if status != tt.status && !(tt.query == "q=%" && status == 400) {
				t.Errorf("%s: status %d, want %d", short, status, tt.status)
			}
			if !strings.Contains(page, `id="search-q"`) {
				t.Errorf("%s: the search form is missing", short)
			}
			if tt.says != "" {
				msg, _ := searchByClass(t, page, "search-message")
				if len(msg) != 1 || !strings.Contains(strings.ToLower(msg[0]), strings.ToLower(tt.says)) {
					t.Errorf("%s: message %q, want it to say %q", short, msg, tt.says)
				}
			}
		}
	})
}

func TestSearchPageEscapes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		srv := searchSite(t, db)
		_, page, _ := searchGet(t, srv.URL+"/search?q="+url.QueryEscape(`ceasefire <script>`))
		if strings.Contains(page, "<script>alert") || strings.Contains(page, `value="ceasefire <script>"`) {
			t.Error("a stored title or the query reached the page unescaped")
		}
		titles, _ := searchByClass(t, page, "entry-title")
		if len(titles) != 1 || titles[0] != `<script>alert("x")</script> ceasefire` {
			t.Errorf("results %q", titles)
		}
		_, snippets := searchByClass(t, page, "search-snippet")
		if len(snippets) != 1 || !strings.Contains(snippets[0], "<mark>ceasefire</mark> &amp; &#34;talks&#34;") {
			t.Errorf("snippet %q; want escaped text around the mark", snippets)
		}
	})
}

func TestSuggestEndpoint(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		srv := searchSite(t, db)
		status, body, h := searchGet(t, srv.URL+"/search/suggest?q=sanct")
		var got []struct{ Title, URL string }
		if err := json.Unmarshal([]byte(body), &got); err != nil || status != 200 {
			t.Fatalf("status %d, %v: %s", status, err, body)
		}
		if !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
			t.Errorf("Content-Type %q", h.Get("Content-Type"))
		}
		if len(got) != 1 || got[0].Title != "Sanctions on Russia" || !strings.HasSuffix(got[0].URL, "/post-1/") {
			t.Errorf("suggestions %+v; want the one title that starts so", got)
		}
		status, body, _ = searchGet(t, srv.URL+"/search/suggest?q=harv")
		if err := json.Unmarshal([]byte(body), &got); err != nil || status != 200 || len(got) != 8 {
			t.Errorf("harv: status %d, %d suggestions (%v), want at most 8", status, len(got), err)
		}
		for _, q := range []string{"", "%F0%9F", url.QueryEscape(`NEAR(" *`), url.QueryEscape(strings.Repeat("x", 10000))} {
			status, body, _ = searchGet(t, srv.URL+"/search/suggest?q="+q)
			if (status != 200 && status != 400) || !json.Valid([]byte(body)) {
				t.Errorf("suggest %.20q: status %d body %.80q", q, status, body)
			}
		}
	})
}
