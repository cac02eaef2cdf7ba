package site

import (
	"strconv"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

// newsArticleMap is newsArticle as maps, which encoding/json writes with
// their keys sorted: the reference the structured data's types follow.
func newsArticleMap(base string, set content.Settings, p *content.Post, url, image, description string) map[string]any {
	headline := p.Title
	if r := []rune(headline); len(r) > 110 {
		headline = string(r[:109]) + "…"
	}
	a := map[string]any{
		"@context":         "https://schema.org",
		"@type":            "NewsArticle",
		"headline":         headline,
		"url":              url,
		"mainEntityOfPage": map[string]any{"@type": "WebPage", "@id": url},
		"datePublished":    isoTime(p.PublishedAt),
		"dateModified":     isoTime(later(p.PublishedAt, p.UpdatedAt)),
		"image":            []string{image},
		"publisher": map[string]any{
			"@type": "Organization",
			"name":  set.Title,
			"url":   base + "/",
			"logo":  map[string]any{"@type": "ImageObject", "url": absURL(base, logoOf(set))},
		},
		"description": description,
	}
	if set.Language != "" {
		a["inLanguage"] = set.Language
	}
	var authors []map[string]any
	for _, u := range p.Authors {
		authors = append(authors, map[string]any{"@type": "Person", "name": u.Name, "url": base + u.Path()})
	}
	if len(authors) == 0 {
		authors = append(authors, map[string]any{"@type": "Organization", "name": set.Title, "url": base + "/"})
	}
	a["author"] = authors
	if len(p.Categories) > 0 {
		a["articleSection"] = p.Categories[0].Name
	}
	var keywords []string
	for _, t := range p.Tags {
		keywords = append(keywords, t.Name)
	}
	if len(keywords) > 0 {
		a["keywords"] = keywords
	}
	if src := p.Source; !src.IsZero() {
		orig := map[string]any{"@type": "NewsArticle"}
		if src.URL != "" {
			orig["url"] = src.URL
			orig["@id"] = src.URL
		}
		if src.Name != "" {
			orig["publisher"] = map[string]any{"@type": "Organization", "name": src.Name}
		}
		if src.Author != "" {
			orig["author"] = map[string]any{"@type": "Person", "name": src.Author}
		}
		if !src.PublishedAt.IsZero() {
			orig["datePublished"] = isoTime(src.PublishedAt)
		}
		a["isBasedOn"] = orig
	}
	return a
}

func TestNewsArticleAsMaps(t *testing.T) {
	long := ""
	for range 120 {
		long += "é"
	}
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var posts []*content.Post
	for _, p := range awkwardPosts() {
		for i := 0; i < 5; i++ {
			q := *p
			switch i {
			case 1:
				q.UpdatedAt = q.PublishedAt.Add(time.Hour)
			case 2:
				q.Title = long
				q.Categories = []content.Term{{Name: ""}}
				q.Tags = []content.Term{{Name: ""}}
			case 3:
				q.Title = long[:219] + "\xff" // bad UTF-8 after 109 runes
				q.Source = &content.Source{PublishedAt: when}
			case 4:
				q.Source = &content.Source{Author: "A", Name: ""}
				q.UpdatedAt = q.PublishedAt.Add(-time.Hour)
			}
			posts = append(posts, &q)
		}
	}
	for _, set := range []content.Settings{content.DefaultSettings(), {Title: `A <"site"> & co`, Language: "en-GB", Logo: "https://cdn.example.org/l.png"}} {
		for i, p := range posts {
			a := awkward[i%len(awkward)]
			want := jsonLD(newsArticleMap("https://example.org", set, p, a, a, a))
			if got := jsonLD(newsArticle("https://example.org", set, p, a, a, a)); got != want || got == "" {
				t.Fatalf("%+v:\n got %s\nwant %s", p, got, want)
			}
		}
	}
}

func TestBreadcrumbsAsMaps(t *testing.T) {
	s := newTestSite(t)
	for _, a := range awkward {
		for _, page := range []int{1, 2, 11} {
			li := listing{base: "/tag/x/", page: page, title: a, crumbs: []crumb{{a, "/tag/" + a + "/"}, {"b", "/b/"}}}
			l := &Layout{Site: content.Settings{Title: a}, Head: Head{Canonical: "https://example.org/tag/x/page/" + strconv.Itoa(page) + "/"}}
			s.newListHead("https://example.org", l, li)
			items := []map[string]any{{"@type": "ListItem", "position": 1, "name": a, "item": "https://example.org/"}}
			for i, c := range li.crumbs {
				items = append(items, map[string]any{"@type": "ListItem", "position": i + 2, "name": c.Name, "item": "https://example.org" + c.Path})
			}
			if page > 1 {
				items = append(items, map[string]any{"@type": "ListItem", "position": len(items) + 1,
					"name": "Page " + strconv.Itoa(page), "item": l.Head.Canonical})
			}
			want := jsonLD(map[string]any{"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": items})
			if len(l.Head.JSONLD) != 1 || l.Head.JSONLD[0] != want {
				t.Fatalf("%q page %d:\n got %s\nwant %s", a, page, l.Head.JSONLD, want)
			}
		}
	}
}
