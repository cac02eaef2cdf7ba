package site_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"testing"

	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// A republished post whose canonical address is the original's says so
// everywhere: the canonical link, og:url and the structured data agree,
// and isBasedOn carries the original's headline. Our feeds name the
// outlet's feed as the item's source: RSS's <source url> and Atom's
// <source> with the feed's id, title and link.
func TestRepublishedPostNamesItsOriginalAndFeed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		p := fx.posts["republished"]
		const (
			headline  = "Port deal signed after long talks"
			feedURL   = "https://xinhua.example/rss/world.xml"
			feedTitle = "Xinhua – World"
		)
		ctx := context.Background()
		if err := db.Update(ctx, func(tx *store.Tx) error {
			q, err := tx.FindPostByID(ctx, p.ID)
			if err != nil {
				return err
			}
			q.CanonicalSource = true
			q.Source.Title, q.Source.Feed, q.Source.FeedTitle = headline, feedURL, feedTitle
			return tx.UpdatePost(ctx, q)
		}); err != nil {
			t.Fatal(err)
		}
		orig := p.Source.URL
		h := fx.head(p.Path())
		if h.canonical != orig || h.one("og:url") != orig {
			t.Errorf("canonical %q, og:url %q; want both the original %q", h.canonical, h.one("og:url"), orig)
		}
		a := h.ld("NewsArticle")
		if a == nil {
			t.Fatalf("no NewsArticle in %v", h.jsonLD)
		}
		main, _ := a["mainEntityOfPage"].(map[string]any)
		if a["url"] != orig || main["@id"] != orig {
			t.Errorf("JSON-LD url %v, mainEntityOfPage %v; want the original %q", a["url"], main, orig)
		}
		based, _ := a["isBasedOn"].(map[string]any)
		if based["headline"] != headline || based["url"] != orig {
			t.Errorf("isBasedOn %v, want the original's headline %q", based, headline)
		}

		var rss struct {
			Items []struct {
				Link   string `xml:"link"`
				Source *struct {
					URL  string `xml:"url,attr"`
					Name string `xml:",chardata"`
				} `xml:"source"`
			} `xml:"channel>item"`
		}
		if err := xml.Unmarshal(fx.mustGet("/feed/"), &rss); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, it := range rss.Items {
			if it.Link == fxBase+p.Path() {
				found = true
				if it.Source == nil || it.Source.URL != feedURL || it.Source.Name != "Xinhua" {
					t.Errorf("RSS source %+v, want the outlet's feed %q named Xinhua", it.Source, feedURL)
				}
			}
		}
		if !found {
			t.Fatalf("the republished post is not in the RSS feed")
		}

		atomDoc := fx.mustGet("/feed/atom/")
		xmllint(t, "atom.rng", atomDoc)
		var atom struct {
			Entries []struct {
				Links []struct {
					Href string `xml:"href,attr"`
					Rel  string `xml:"rel,attr"`
				} `xml:"link"`
				Source *struct {
					ID    string `xml:"id"`
					Title string `xml:"title"`
					Links []struct {
						Href string `xml:"href,attr"`
						Rel  string `xml:"rel,attr"`
					} `xml:"link"`
				} `xml:"source"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal(atomDoc, &atom); err != nil {
			t.Fatal(err)
		}
		found = false
		for _, e := range atom.Entries {
			if len(e.Links) == 0 || e.Links[0].Href != fxBase+p.Path() {
				continue
			}
			found = true
			s := e.Source
			if s == nil || s.ID != feedURL || s.Title != feedTitle || len(s.Links) != 1 || s.Links[0].Href != feedURL || s.Links[0].Rel != "self" {
				t.Errorf("Atom source %+v, want the feed's id, title and self link", s)
			}
		}
		if !found {
			t.Fatalf("the republished post is not in the Atom feed:\n%s", bytes.TrimSpace(atomDoc[:min(len(atomDoc), 2000)]))
		}
	})
}
