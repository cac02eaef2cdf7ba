package site

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// awkward are strings that test the encoding of what a page says of a
// post: entities, NUL, bad UTF-8, white space of every kind, URLs of
// every scheme, and ordinary ones.
var awkward = []string{
	"", "plain text", `a"b'c&d+e<f>g`, "nul\x00here", "bad \xff\xfe utf-8", "é € 😀 \ufdd0 \uffff",
	"tab\tnew\nline\r\f\v", "back`tick = sign", "&amp; &lt; already",
	"https://example.org/", "http://example.org/2026/11/29/a-post/", "HTTPS://EXAMPLE.ORG/A",
	"https://example.org/search?q=a+b&c=d", "https://example.org/a%20b", "https://example.org/%zz",
	"https://example.org/%4", "https://example.org/%41", "https://example.org/a b", "https://example.org/(a)'b'",
	"https://example.org/é", "/category/news/feed/", "/a:b/", "javascript:alert(1)", "JavaScript:x",
	"data:text/html,x", "mailto:a@example.org", "vbscript:x", "//example.org/x", "x:y/z", "#frag", "?q=1",
}

func newTestSite(t *testing.T) *Site {
	t.Helper()
	db := storetest.Open(t, "sqlite")
	s, err := New(Config{DB: db, Theme: DefaultTheme(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// awkwardPosts are posts and pages made of awkward strings, one field at a
// time, with and without authors, terms and a source.
func awkwardPosts() []*content.Post {
	when := time.Date(2026, 11, 29, 13, 4, 5, 0, time.FixedZone("X", 3600))
	ordinary := func() *content.Post {
		return &content.Post{ID: 7, Kind: content.KindPost, Title: "A post", Slug: "a-post", PublishedAt: when,
			BodyHTML: "<p>The body.</p>", TeaserHTML: "<p>The teaser.</p>", HasMore: true,
			Authors:    []content.User{{Name: "Amara Diallo", Slug: "amara"}, {Name: "Bo", Slug: "bo"}},
			Categories: []content.Term{{Name: "News", Slug: "news", Taxonomy: content.TaxCategory}},
			Tags:       []content.Term{{Name: "one", Slug: "one", Taxonomy: content.TaxTag}, {Name: "two", Slug: "two", Taxonomy: content.TaxTag}}}
	}
	posts := []*content.Post{ordinary(), {Kind: content.KindPost}, {Kind: content.KindPage}}
	page := ordinary()
	page.Kind, page.Slug = content.KindPage, "about"
	posts = append(posts, page)
	for _, a := range awkward {
		for i := 0; i < 9; i++ {
			p := ordinary()
			switch i {
			case 0:
				p.Title, p.BodyHTML, p.TeaserHTML = a, a, a
			case 1:
				p.Slug, p.HasMore = a, false
			case 2:
				p.Authors = []content.User{{Name: a, Slug: a}}
			case 3:
				p.Categories, p.Tags = []content.Term{{Name: a, Slug: a}}, nil
			case 4:
				p.Categories, p.Tags = nil, []content.Term{{Name: a, Slug: a, Taxonomy: content.TaxTag}, {Name: "b", Slug: "b", Taxonomy: content.TaxTag}}
			case 5:
				p.Source = &content.Source{Name: a, URL: a, Author: a, PublishedAt: when}
			case 6:
				p.Source = &content.Source{Name: a}
			case 7:
				p.Source, p.Authors, p.Categories = &content.Source{}, nil, nil
			case 8:
				p.Kind, p.Slug, p.Source = content.KindPage, a, &content.Source{URL: "https://example.org/x", Author: a}
			}
			posts = append(posts, p)
		}
	}
	return posts
}
