package site_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"html"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	"github.com/mmcdole/gofeed/rss"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/markup/markuptest"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

var feedKinds = []struct {
	suffix, ctype, gofeedType string
}{
	{"", "application/rss+xml; charset=utf-8", "rss"},
	{"atom/", "application/atom+xml; charset=utf-8", "atom"},
	{"json/", "application/feed+json; charset=utf-8", "json"},
}

// parseFeed fetches a feed, checks its content type and parses it with
// gofeed, an independent reader.
func (fx *fxSite) parseFeed(path, ctype string) *gofeed.Feed {
	fx.t.Helper()
	resp, body := fx.get(path)
	if resp.StatusCode != http.StatusOK {
		fx.t.Fatalf("GET %s: %s\n%s", path, resp.Status, body)
	}
	if got := resp.Header.Get("Content-Type"); got != ctype {
		fx.t.Errorf("GET %s: Content-Type %q, want %q", path, got, ctype)
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		fx.t.Fatalf("GET %s: gofeed cannot parse it: %v\n%s", path, err, body)
	}
	return f
}

func titles(f *gofeed.Feed) []string {
	var out []string
	for _, it := range f.Items {
		out = append(out, it.Title)
	}
	return out
}

func TestFeedsCarryTheLatestPublicPosts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		tricky, rep, older := fx.posts["tricky"], fx.posts["republished"], fx.posts["older"]
		scopes := []struct {
			prefix string
			want   []*content.Post
		}{
			{"/", []*content.Post{tricky, rep, older}},
			{"/category/africa/", []*content.Post{rep, older}},
			{"/category/economy/", []*content.Post{tricky, rep}},
			{"/tag/sao-tome/", []*content.Post{rep}},
			{"/author/zoe/", []*content.Post{tricky, older}},
			{"/author/jose/", []*content.Post{rep}},
		}
		for _, sc := range scopes {
			for _, k := range feedKinds {
				path := sc.prefix + "feed/" + k.suffix
				t.Run(path, func(t *testing.T) {
					f := fx.parseFeed(path, k.ctype)
					if k.gofeedType == "json" {
						if err := checkJSONFeed(fx.mustGet(path)); err != nil {
							t.Errorf("not a valid JSON Feed 1.1: %v", err)
						}
					}
					if f.FeedType != k.gofeedType {
						t.Errorf("feed type %q, want %q", f.FeedType, k.gofeedType)
					}
					var want []string
					for _, p := range sc.want {
						want = append(want, p.Title)
					}
					if got := titles(f); !slices.Equal(got, want) {
						t.Fatalf("items %q, want %q (newest first, no draft, no future post)", got, want)
					}
					for i, it := range f.Items {
						p := sc.want[i]
						if it.Link != fxBase+p.Path() {
							t.Errorf("%s: link %q", p.Slug, it.Link)
						}
						if it.PublishedParsed == nil || !it.PublishedParsed.Equal(p.PublishedAt) {
							t.Errorf("%s: published %v, want %v", p.Slug, it.PublishedParsed, p.PublishedAt)
						}
						var authors []string
						for _, a := range it.Authors {
							authors = append(authors, a.Name)
						}
						if !slices.Equal(authors, []string{p.Authors[0].Name}) {
							t.Errorf("%s: authors %q, want %q", p.Slug, authors, p.Authors[0].Name)
						}
						var cats []string
						for _, c := range append(p.Categories, p.Tags...) {
							cats = append(cats, c.Name)
						}
						if !slices.Equal(it.Categories, cats) {
							t.Errorf("%s: categories %q, want %q", p.Slug, it.Categories, cats)
						}
						if it.GUID == "" {
							t.Errorf("%s: no id", p.Slug)
						}
					}
				})
			}
		}
	})
}

func TestFeedsFullTextOrTeaser(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		for _, k := range feedKinds {
			f := fx.parseFeed("/feed/"+k.suffix, k.ctype)
			content := f.Items[0].Content
			if !strings.Contains(content, "Secret rest.") {
				t.Errorf("%s: full text by default, but content is %q", f.FeedType, content)
			}
			// Relative links are made absolute: a reader has no page to resolve them against.
			if c := f.Items[1].Content; !strings.Contains(c, `src="`+fxBase+`/media/port.jpg"`) {
				t.Errorf("%s: image not absolute in %q", f.FeedType, c)
			}
		}
		fx.settings(func(s *content.Settings) { s.FeedFullText, s.FeedItems = false, 2 })
		for _, k := range feedKinds {
			f := fx.parseFeed("/feed/"+k.suffix, k.ctype)
			if len(f.Items) != 2 {
				t.Fatalf("%s: %d items, want the 2 set", f.FeedType, len(f.Items))
			}
			c := f.Items[0].Content
			if strings.Contains(c, "Secret rest.") || !strings.Contains(c, "Lead &amp; summary.") {
				t.Errorf("%s: teaser mode, but content is %q", f.FeedType, c)
			}
			if !strings.Contains(c, "Continue reading") || !strings.Contains(c, fxBase+fx.posts["tricky"].Path()+"#more") {
				t.Errorf("%s: teaser has no link to continue reading: %q", f.FeedType, c)
			}
		}
	})
}

// TestFeedsCarryTheSource checks each format's attribution of a
// republished post, with each format's own parser.
func TestFeedsCarryTheSource(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		src := fx.posts["republished"].Source

		rf, err := (&rss.Parser{}).Parse(bytes.NewReader(fx.mustGet("/tag/sao-tome/feed/")))
		if err != nil {
			t.Fatal(err)
		}
		if s := rf.Items[0].Source; s == nil || s.URL != src.URL || s.Title != "Xinhua" {
			t.Errorf("RSS source = %+v, want url %q and Xinhua", s, src.URL)
		}

		af, err := (&atom.Parser{}).Parse(bytes.NewReader(fx.mustGet("/tag/sao-tome/feed/atom/")))
		if err != nil {
			t.Fatal(err)
		}
		e := af.Entries[0]
		var via string
		for _, l := range e.Links {
			if l.Rel == "via" {
				via = l.Href
			}
		}
		if via != src.URL {
			t.Errorf("Atom link rel=via = %q, want %q", via, src.URL)
		}
		if e.Source == nil || e.Source.Title != "Xinhua" || len(e.Source.Authors) != 1 || e.Source.Authors[0].Name != "Li Wei" {
			t.Errorf("Atom source = %+v", e.Source)
		}

		var jf struct {
			Items []struct {
				ExternalURL string `json:"external_url"`
				Ext         struct {
					Source struct {
						Name, URL, Author string
						DatePublished     string `json:"date_published"`
					}
				} `json:"_broadsheet"`
			}
		}
		if err := json.Unmarshal(fx.mustGet("/tag/sao-tome/feed/json/"), &jf); err != nil {
			t.Fatal(err)
		}
		it := jf.Items[0]
		if it.ExternalURL != src.URL || it.Ext.Source.Name != "Xinhua" || it.Ext.Source.Author != "Li Wei" ||
			it.Ext.Source.DatePublished != src.PublishedAt.Format(time.RFC3339) {
			t.Errorf("JSON Feed source = %+v", it)
		}
	})
}

func TestAtomFeedsValidateAgainstRFC4287(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		fx.settings(func(s *content.Settings) { s.WebSubHub = "https://hub.example/" })
		for _, prefix := range []string{"/", "/category/africa/", "/category/economy/", "/tag/sao-tome/", "/author/zoe/"} {
			xmllint(t, "atom.rng", fx.mustGet(prefix+"feed/atom/"))
		}
	})
}

// TestFeedsOfWhatDoesNotExist answers 404, never an empty feed.
func TestFeedsOfWhatDoesNotExist(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		for _, path := range []string{"/category/nowhere/feed/", "/tag/nothing/feed/atom/", "/author/nobody/feed/json/"} {
			if resp, _ := fx.get(path); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: %s, want 404", path, resp.Status)
			}
		}
		// WordPress's spellings lead to the feeds.
		for path, want := range map[string]string{"/feed": "/feed/", "/feed/atom": "/feed/atom/",
			"/feed/rss2/": "/feed/", "/category/africa/feed": "/category/africa/feed/"} {
			resp, _ := fx.get(path)
			if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
				t.Errorf("GET %s: %s to %q, want 301 to %q", path, resp.Status, resp.Header.Get("Location"), want)
			}
		}
	})
}

func TestFeedConditionalGet(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		for _, k := range feedKinds {
			path := "/feed/" + k.suffix
			resp, _ := fx.get(path)
			etag, lastMod := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
			if etag == "" || lastMod == "" {
				t.Fatalf("%s: ETag %q, Last-Modified %q", path, etag, lastMod)
			}
			resp, body := fx.get(path, "If-None-Match", etag)
			if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
				t.Errorf("%s with If-None-Match: %s and %d bytes, want 304 with no body", path, resp.Status, len(body))
			}
			resp, body = fx.get(path, "If-Modified-Since", lastMod)
			if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
				t.Errorf("%s with If-Modified-Since: %s and %d bytes, want 304 with no body", path, resp.Status, len(body))
			}
		}
		before := map[string]string{}
		for _, k := range feedKinds {
			resp, _ := fx.get("/feed/" + k.suffix)
			before[k.suffix] = resp.Header.Get("ETag")
		}
		// Publishing the draft changes every feed.
		ctx := context.Background()
		err := db.Update(ctx, func(tx *store.Tx) error {
			p, err := tx.FindPostByID(ctx, fx.posts["draft"].ID)
			if err != nil {
				return err
			}
			p.Status, p.PublishedAt = content.StatusPublished, db.Now().Add(-time.Minute)
			if err := markup.RenderPost(p); err != nil {
				return err
			}
			return tx.UpdatePost(ctx, p)
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range feedKinds {
			path := "/feed/" + k.suffix
			resp, body := fx.get(path, "If-None-Match", before[k.suffix])
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s after publishing: %s, want 200", path, resp.Status)
			}
			if resp.Header.Get("ETag") == before[k.suffix] {
				t.Errorf("%s: ETag unchanged after publishing", path)
			}
			if !bytes.Contains(body, []byte("A draft")) {
				t.Errorf("%s: the newly published post is missing", path)
			}
		}
	})
}

// TestTrickyTitleMakesValidFeeds: &, < and ]]> in a title come out of
// every format as they went in, and the Atom feed stays valid.
func TestTrickyTitleMakesValidFeeds(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		for _, k := range feedKinds {
			f := fx.parseFeed("/category/economy/feed/"+k.suffix, k.ctype)
			if f.Items[0].Title != fxTricky {
				t.Errorf("%s: title %q, want %q", f.FeedType, f.Items[0].Title, fxTricky)
			}
			if f.Title != "Broadsheet – Economy & Trade" {
				t.Errorf("%s: feed title %q", f.FeedType, f.Title)
			}
		}
		xmllint(t, "atom.rng", fx.mustGet("/category/economy/feed/atom/"))
		if err := checkJSONFeed(fx.mustGet("/category/economy/feed/json/")); err != nil {
			t.Errorf("JSON Feed: %v", err)
		}
	})
}

func TestPagesAdvertiseFeeds(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		for _, path := range []string{"/", fx.posts["older"].Path(), "/about/", "/category/africa/", "/no-such-page/"} {
			_, body := fx.get(path)
			for _, want := range []string{
				`<link rel="alternate" type="application/rss+xml" title="Broadsheet (RSS)" href="/feed/">`,
				`<link rel="alternate" type="application/atom+xml" title="Broadsheet (Atom)" href="/feed/atom/">`,
				`<link rel="alternate" type="application/feed+json" title="Broadsheet (JSON Feed)" href="/feed/json/">`,
			} {
				if !bytes.Contains(body, []byte(want)) {
					t.Errorf("%s lacks %s", path, want)
				}
			}
		}
		_, body := fx.get("/category/africa/")
		if !bytes.Contains(body, []byte(`type="application/atom+xml" title="Broadsheet – Africa (Atom)" href="/category/africa/feed/atom/"`)) {
			t.Errorf("the category archive does not advertise its own feed")
		}
	})
}

// TestSampleCharactersSurviveFeeds imports the sample site and finds its
// titles and paragraphs, curly quotes, dashes and accents included,
// byte-exact in every feed after decoding.
func TestSampleCharactersSurviveFeeds(t *testing.T) {
	dir := sampleDir(t)
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		importFile(t, db, filepath.Join(dir, "front-page.wxr"))
		fx := &fxSite{t: t, db: db}
		db.Now = func() time.Time { return time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC) }
		fx.serve()
		want := readSampleJSON(t, dir)
		for _, k := range feedKinds {
			f := fx.parseFeed("/feed/"+k.suffix, k.ctype)
			if len(f.Items) != len(want) {
				t.Fatalf("%s: %d items, want %d", f.FeedType, len(f.Items), len(want))
			}
			for i, w := range want {
				it := f.Items[i]
				if it.Title != w.Title {
					t.Errorf("%s item %d: title %q, want %q", f.FeedType, i, it.Title, w.Title)
				}
				text := html.UnescapeString(it.Content)
				for _, para := range w.Paragraphs {
					if !strings.Contains(text, para) {
						t.Errorf("%s item %d (%s): paragraph missing or altered: %q", f.FeedType, i, w.Slug, para)
					}
				}
			}
		}
		// The sample's feeds and sitemaps are valid too.
		xmllint(t, "atom.rng", fx.mustGet("/feed/atom/"))
		if err := checkJSONFeed(fx.mustGet("/feed/json/")); err != nil {
			t.Errorf("the sample's JSON Feed: %v", err)
		}
		for _, sm := range fx.sitemapIndex().Sitemaps {
			fx.urlset(sm.Loc)
		}
	})
}

// feedAttack is markup a reader would run if it took text for HTML.
const feedAttack = `<img src=x onerror=alert(1)>`

// TestFeedsRenderTextAsTextAndHTMLSanitised reads each feed as a reader
// does: what the format says is HTML (RSS's descriptions and
// content:encoded, Atom's type="html", JSON Feed's content_html) is
// rendered as HTML, the rest shown as text. Rendered, no field may hold an
// event handler, a script or a URL of another scheme than the web's, and
// an excerpt or a site description written with markup shows that markup
// as the text it was written as.
func TestFeedsRenderTextAsTextAndHTMLSanitised(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		fx.settings(func(s *content.Settings) { s.Description = `<script>alert(2)</script>` + feedAttack })
		ctx := context.Background()
		now := db.Now()
		excerpted := &content.Post{Kind: content.KindPost, Status: content.StatusPublished, Format: content.FormatHTML,
			Title: "Excerpted", Slug: "excerpted", PublishedAt: now.Add(-time.Hour),
			Body: "<p>The article.</p>", Excerpt: feedAttack}
		media := &content.Post{Kind: content.KindPost, Status: content.StatusPublished, Format: content.FormatHTML,
			Title: "Media", Slug: "media", PublishedAt: now.Add(-2 * time.Hour),
			Body: `<video controls poster="javascript:alert(3)"><source src="JaVaScRiPt:alert(4)" type="video/mp4"></video>` +
				`<img src="/media/a.png" srcset="/media/a.png 1x, &#106;avascript:alert(5) 2x" alt="A">`}
		err := db.Update(ctx, func(tx *store.Tx) error {
			for _, p := range []*content.Post{excerpted, media} {
				if err := markup.RenderPost(p); err != nil {
					return err
				}
				if err := tx.CreatePost(ctx, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, fullText := range []bool{false, true} {
			fx.settings(func(s *content.Settings) { s.FeedFullText = fullText })
			for _, k := range feedKinds {
				path := "/feed/" + k.suffix
				fields := renderedFields(t, k.gofeedType, fx.mustGet(path))
				for _, f := range fields {
					if bad := markuptest.Unsafe(f.html); len(bad) > 0 {
						t.Errorf("%s (full text %v): %s renders as %q:\n\t%s", path, fullText, f.name, f.html, strings.Join(bad, "\n\t"))
					}
				}
				for _, want := range []string{"channel description", "item Excerpted summary"} {
					found := false
					for _, f := range fields {
						if f.name == want {
							found = true
							if text := markup.Text(f.html, -1); !strings.Contains(text, feedAttack) {
								t.Errorf("%s: %s shows %q, want the text %q in it", path, want, text, feedAttack)
							}
						}
					}
					if !found {
						t.Errorf("%s: no %s in %v", path, want, fields)
					}
				}
			}
		}
	})
}

// renderedField is a field of a feed as a reader renders it: its HTML, or
// its text escaped as HTML.
type renderedField struct{ name, html string }

// renderedFields reads a feed of the given kind with encoding/xml or
// encoding/json and returns its fields as a reader renders them, named
// "channel description", "item <title> summary", "item <title> content".
func renderedFields(t *testing.T, kind string, body []byte) []renderedField {
	t.Helper()
	var out []renderedField
	switch kind {
	case "rss":
		// RSS 2.0's descriptions hold HTML; titles text.
		var doc struct {
			Channel struct {
				Title       string `xml:"title"`
				Description string `xml:"description"`
				Items       []struct {
					Title       string `xml:"title"`
					Description string `xml:"description"`
					Content     string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
				} `xml:"item"`
			} `xml:"channel"`
		}
		if err := xml.Unmarshal(body, &doc); err != nil {
			t.Fatalf("%v\n%s", err, body)
		}
		out = append(out, renderedField{"channel title", html.EscapeString(doc.Channel.Title)},
			renderedField{"channel description", doc.Channel.Description})
		for _, it := range doc.Channel.Items {
			out = append(out, renderedField{"item " + it.Title + " title", html.EscapeString(it.Title)},
				renderedField{"item " + it.Title + " summary", it.Description},
				renderedField{"item " + it.Title + " content", it.Content})
		}
	case "atom":
		type text struct {
			Type string `xml:"type,attr"`
			Body string `xml:",innerxml"`
		}
		var doc struct {
			Title    text `xml:"title"`
			Subtitle text `xml:"subtitle"`
			Entries  []struct {
				Title   text `xml:"title"`
				Summary text `xml:"summary"`
				Content text `xml:"content"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal(body, &doc); err != nil {
			t.Fatalf("%v\n%s", err, body)
		}
		// RFC 4287 §3.1: type="html" is escaped HTML, "xhtml" inline
		// markup, "text" (the default) text.
		rendered := func(x text) string {
			var v string
			if x.Type != "xhtml" {
				if err := xml.Unmarshal([]byte("<v>"+x.Body+"</v>"), &v); err != nil {
					t.Fatal(err)
				}
			}
			switch x.Type {
			case "html":
				return v
			case "xhtml":
				return x.Body
			}
			return html.EscapeString(v)
		}
		out = append(out, renderedField{"channel title", rendered(doc.Title)},
			renderedField{"channel description", rendered(doc.Subtitle)})
		for _, e := range doc.Entries {
			name := "item " + markup.Text(rendered(e.Title), -1)
			out = append(out, renderedField{name + " title", rendered(e.Title)},
				renderedField{name + " summary", rendered(e.Summary)},
				renderedField{name + " content", rendered(e.Content)})
		}
	case "json":
		// JSON Feed 1.1: content_html is HTML; title, summary and
		// description are plain text.
		var doc struct {
			Title, Description string
			Items              []struct {
				Title, Summary string
				ContentHTML    string `json:"content_html"`
				ContentText    string `json:"content_text"`
			}
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("%v\n%s", err, body)
		}
		out = append(out, renderedField{"channel title", html.EscapeString(doc.Title)},
			renderedField{"channel description", html.EscapeString(doc.Description)})
		for _, it := range doc.Items {
			out = append(out, renderedField{"item " + it.Title + " title", html.EscapeString(it.Title)},
				renderedField{"item " + it.Title + " summary", html.EscapeString(it.Summary)},
				renderedField{"item " + it.Title + " content", it.ContentHTML + html.EscapeString(it.ContentText)})
		}
	}
	return out
}
