package site_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"golang.org/x/net/html"

	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// headOf is what a page's head says about it.
type headOf struct {
	canonical string
	meta      map[string][]string // by property or name
	jsonLD    []map[string]any
}

func (fx *fxSite) head(path string) headOf {
	fx.t.Helper()
	doc, err := html.Parse(bytes.NewReader(fx.mustGet(path)))
	if err != nil {
		fx.t.Fatal(err)
	}
	h := headOf{meta: map[string][]string{}}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			attr := map[string]string{}
			for _, a := range n.Attr {
				attr[a.Key] = a.Val
			}
			switch {
			case n.Data == "link" && attr["rel"] == "canonical":
				h.canonical = attr["href"]
			case n.Data == "meta" && attr["property"] != "":
				h.meta[attr["property"]] = append(h.meta[attr["property"]], attr["content"])
			case n.Data == "meta" && attr["name"] != "":
				h.meta[attr["name"]] = append(h.meta[attr["name"]], attr["content"])
			case n.Data == "script" && attr["type"] == "application/ld+json":
				var v map[string]any
				if n.FirstChild == nil {
					fx.t.Fatalf("%s: empty JSON-LD", path)
				}
				if err := json.Unmarshal([]byte(n.FirstChild.Data), &v); err != nil {
					fx.t.Fatalf("%s: JSON-LD does not parse: %v\n%s", path, err, n.FirstChild.Data)
				}
				h.jsonLD = append(h.jsonLD, v)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return h
}

func (h headOf) one(key string) string {
	if len(h.meta[key]) == 0 {
		return ""
	}
	return h.meta[key][0]
}

func (h headOf) ld(typ string) map[string]any {
	for _, v := range h.jsonLD {
		if v["@type"] == typ {
			return v
		}
	}
	return nil
}

func TestPostMetadata(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		p := fx.posts["republished"]
		url := fxBase + p.Path()
		h := fx.head(p.Path())
		if h.canonical != url {
			t.Errorf("canonical %q, want our own %q by default", h.canonical, url)
		}
		for key, want := range map[string]string{
			"og:type": "article", "og:title": p.Title, "og:url": url, "og:site_name": "Broadsheet",
			"og:image":               fxBase + "/media/port.jpg",
			"article:published_time": "2026-01-14T09:00:00Z", "article:section": "Africa", "article:tag": "São Tomé",
			"twitter:card": "summary_large_image", "twitter:title": p.Title, "twitter:image": fxBase + "/media/port.jpg",
		} {
			if got := h.one(key); got != want {
				t.Errorf("%s = %q, want %q", key, got, want)
			}
		}
		if h.one("og:description") == "" || h.one("article:modified_time") == "" {
			t.Errorf("no description or modified time: %v", h.meta)
		}
		a := h.ld("NewsArticle")
		if a == nil {
			t.Fatalf("no NewsArticle in %v", h.jsonLD)
		}
		if a["headline"] != p.Title || a["datePublished"] != "2026-01-14T09:00:00Z" || a["dateModified"] == nil {
			t.Errorf("NewsArticle headline/dates: %v", a)
		}
		if authors, _ := a["author"].([]any); len(authors) != 1 || authors[0].(map[string]any)["name"] != "José Martí" {
			t.Errorf("NewsArticle author: %v", a["author"])
		}
		pub, _ := a["publisher"].(map[string]any)
		if pub["name"] != "Broadsheet" || pub["logo"].(map[string]any)["url"] != fxBase+"/static/logo.png" {
			t.Errorf("NewsArticle publisher: %v", pub)
		}
		if imgs, _ := a["image"].([]any); len(imgs) != 1 || imgs[0] != fxBase+"/media/port.jpg" {
			t.Errorf("NewsArticle image: %v", a["image"])
		}
		based, _ := a["isBasedOn"].(map[string]any)
		if based["url"] != p.Source.URL || based["publisher"].(map[string]any)["name"] != "Xinhua" ||
			based["author"].(map[string]any)["name"] != "Li Wei" {
			t.Errorf("isBasedOn: %v", based)
		}
		// The logo the publisher names is served.
		fx.mustGet("/static/logo.png")

		// Our own post has no isBasedOn; one without an image falls back to the logo.
		own := fx.head(fx.posts["older"].Path())
		if _, ok := own.ld("NewsArticle")["isBasedOn"]; ok {
			t.Error("our own post claims to be based on another")
		}
		if own.one("og:image") != fxBase+"/static/logo.png" || own.one("twitter:card") != "summary" {
			t.Errorf("image fallback: %q, %q", own.one("og:image"), own.one("twitter:card"))
		}

		// The editors may give the original the credit.
		ctx := context.Background()
		err := db.Update(ctx, func(tx *store.Tx) error {
			q, err := tx.FindPostByID(ctx, p.ID)
			if err != nil {
				return err
			}
			q.CanonicalSource = true
			return tx.UpdatePost(ctx, q)
		})
		if err != nil {
			t.Fatal(err)
		}
		if h := fx.head(p.Path()); h.canonical != p.Source.URL {
			t.Errorf("canonical %q, want the original %q", h.canonical, p.Source.URL)
		}
	})
}

func TestCanonicalSourceNeedsASource(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		ctx := context.Background()
		err := db.Update(ctx, func(tx *store.Tx) error {
			q, err := tx.FindPostByID(ctx, fx.posts["older"].ID)
			if err != nil {
				return err
			}
			q.CanonicalSource = true
			return tx.UpdatePost(ctx, q)
		})
		if err == nil || !bytes.Contains([]byte(err.Error()), []byte("canonical_source")) {
			t.Errorf("naming a missing original as canonical: %v, want an error about canonical_source", err)
		}
		if h := fx.head(fx.posts["older"].Path()); h.canonical != fxBase+fx.posts["older"].Path() {
			t.Errorf("canonical changed by a failed update: %q", h.canonical)
		}
	})
}

func TestListMetadata(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		h := fx.head("/")
		site := h.ld("WebSite")
		if site == nil {
			t.Fatalf("no WebSite on the front page: %v", h.jsonLD)
		}
		action, _ := site["potentialAction"].(map[string]any)
		target, _ := action["target"].(map[string]any)
		if action["@type"] != "SearchAction" || target["urlTemplate"] != fxBase+"/search?q={search_term_string}" ||
			action["query-input"] != "required name=search_term_string" {
			t.Errorf("SearchAction: %v", action)
		}
		if h.one("og:type") != "website" || h.one("og:url") != fxBase+"/" {
			t.Errorf("front page Open Graph: %v", h.meta)
		}

		for path, want := range map[string][]string{
			"/category/africa/": {"Broadsheet", "Africa"},
			"/author/zoe/":      {"Broadsheet", "Zoë Ångström"},
			"/2026/01/":         {"Broadsheet", "2026", "January 2026"},
		} {
			h := fx.head(path)
			bc := h.ld("BreadcrumbList")
			if bc == nil {
				t.Errorf("%s: no BreadcrumbList in %v", path, h.jsonLD)
				continue
			}
			items, _ := bc["itemListElement"].([]any)
			var names []string
			for i, it := range items {
				m := it.(map[string]any)
				names = append(names, m["name"].(string))
				if m["position"] != float64(i+1) || m["item"] == "" {
					t.Errorf("%s: crumb %d: %v", path, i, m)
				}
			}
			if len(names) != len(want) || names[len(names)-1] != want[len(want)-1] || names[0] != want[0] {
				t.Errorf("%s: breadcrumbs %q, want %q", path, names, want)
			}
			if h.ld("WebSite") != nil {
				t.Errorf("%s: an archive is not the WebSite", path)
			}
		}
	})
}
