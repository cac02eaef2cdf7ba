package site_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

type smIndex struct {
	Sitemaps []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"sitemap"`
}

type smURLSet struct {
	URLs []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
		News    *struct {
			Name     string `xml:"publication>name"`
			Language string `xml:"publication>language"`
			Date     string `xml:"publication_date"`
			Title    string `xml:"title"`
		} `xml:"http://www.google.com/schemas/sitemap-news/0.9 news"`
	} `xml:"url"`
}

func (fx *fxSite) sitemapIndex() smIndex {
	fx.t.Helper()
	resp, body := fx.get("/sitemap.xml")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/xml; charset=utf-8" {
		fx.t.Fatalf("GET /sitemap.xml: %s, %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	xmllint(fx.t, "siteindex.xsd", body)
	var idx smIndex
	if err := xml.Unmarshal(body, &idx); err != nil {
		fx.t.Fatal(err)
	}
	return idx
}

func (fx *fxSite) urlset(loc string) (smURLSet, []string) {
	fx.t.Helper()
	body := fx.mustGet(strings.TrimPrefix(loc, fxBase))
	schema := "sitemap.xsd"
	if bytes.Contains(body, []byte("sitemap-news")) {
		schema = "sitemap-with-news.xsd"
	}
	xmllint(fx.t, schema, body)
	var set smURLSet
	if err := xml.Unmarshal(body, &set); err != nil {
		fx.t.Fatal(err)
	}
	var locs []string
	for _, u := range set.URLs {
		locs = append(locs, strings.TrimPrefix(u.Loc, fxBase))
		if u.LastMod == "" {
			fx.t.Errorf("%s: %s has no lastmod", loc, u.Loc)
		}
	}
	return set, locs
}

func TestSitemaps(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		idx := fx.sitemapIndex()
		want := map[string][]string{
			"/sitemaps/posts-1.xml":    {fx.posts["tricky"].Path(), fx.posts["republished"].Path(), fx.posts["older"].Path()},
			"/sitemaps/pages.xml":      {"/", "/about/"},
			"/sitemaps/categories.xml": {"/category/africa/", "/category/economy/"},
			"/sitemaps/tags.xml":       {"/tag/sao-tome/"},
			"/sitemaps/authors.xml":    {"/author/jose/", "/author/zoe/"},
			"/sitemaps/news.xml":       {fx.posts["tricky"].Path(), fx.posts["republished"].Path()},
		}
		var listed []string
		for _, sm := range idx.Sitemaps {
			path := strings.TrimPrefix(sm.Loc, fxBase)
			listed = append(listed, path)
			if sm.LastMod == "" {
				t.Errorf("%s has no lastmod in the index", path)
			}
			set, locs := fx.urlset(sm.Loc)
			if !slices.Equal(locs, want[path]) {
				t.Errorf("%s lists %q, want %q", path, locs, want[path])
			}
			if path == "/sitemaps/news.xml" {
				for _, u := range set.URLs {
					if u.News == nil || u.News.Name != "Broadsheet" || u.News.Language != "en" || u.News.Title == "" || u.News.Date == "" {
						t.Errorf("news entry %s: %+v", u.Loc, u.News)
					}
				}
				if set.URLs[0].News.Title != fxTricky {
					t.Errorf("news title %q, want %q", set.URLs[0].News.Title, fxTricky)
				}
			}
		}
		if len(listed) != len(want) {
			t.Errorf("the index lists %q, want the %d sitemaps %v", listed, len(want), want)
		}
		if resp, _ := fx.get("/sitemaps/posts-2.xml"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("a posts sitemap past the last: %s, want 404", resp.Status)
		}
		if resp, _ := fx.get("/sitemaps/unknown.xml"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("an unknown sitemap: %s, want 404", resp.Status)
		}
		resp, _ := fx.get("/sitemap.xml")
		if resp, _ := fx.get("/sitemap.xml", "If-None-Match", resp.Header.Get("ETag")); resp.StatusCode != http.StatusNotModified {
			t.Errorf("sitemap index with its ETag: %s, want 304", resp.Status)
		}
	})
}

// TestSitemapsSplit: posts are split into sitemaps of at most the limit
// (50,000; lowered here to 2), each listed in the index.
func TestSitemapsSplit(t *testing.T) {
	defer site.SetSitemapLimit(2)()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		var posts []string
		for _, sm := range fx.sitemapIndex().Sitemaps {
			if strings.Contains(sm.Loc, "/posts-") {
				posts = append(posts, strings.TrimPrefix(sm.Loc, fxBase))
			}
		}
		if !slices.Equal(posts, []string{"/sitemaps/posts-1.xml", "/sitemaps/posts-2.xml"}) {
			t.Fatalf("post sitemaps %q", posts)
		}
		_, first := fx.urlset(fxBase + "/sitemaps/posts-1.xml")
		_, second := fx.urlset(fxBase + "/sitemaps/posts-2.xml")
		if len(first) != 2 || !slices.Equal(second, []string{fx.posts["older"].Path()}) {
			t.Errorf("split as %q and %q", first, second)
		}
	})
}

// TestSitemapOfAnEmptySite is still valid: it lists the front page.
func TestSitemapOfAnEmptySite(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := &fxSite{t: t, db: db}
		fx.serve()
		idx := fx.sitemapIndex()
		if len(idx.Sitemaps) != 1 {
			t.Fatalf("sitemaps %+v, want pages.xml alone", idx.Sitemaps)
		}
		// Nothing has changed yet, so the front page has no lastmod.
		body := fx.mustGet("/sitemaps/pages.xml")
		xmllint(t, "sitemap.xsd", body)
		if !bytes.Contains(body, []byte("<loc>"+fxBase+"/</loc>")) {
			t.Errorf("pages.xml does not list the front page:\n%s", body)
		}
	})
}

func TestRobotsTxt(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		resp, body := fx.get("/robots.txt")
		if resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
		}
		if want := "User-agent: *\nDisallow:\n\nSitemap: " + fxBase + "/sitemap.xml\n"; string(body) != want {
			t.Errorf("robots.txt = %q, want %q", body, want)
		}
		fx.settings(func(s *content.Settings) { s.RobotsTxt = "User-agent: *\nDisallow: /private/\n" })
		_, body = fx.get("/robots.txt")
		if want := "User-agent: *\nDisallow: /private/\n\nSitemap: " + fxBase + "/sitemap.xml\n"; string(body) != want {
			t.Errorf("edited robots.txt = %q, want %q", body, want)
		}
	})
}

// TestSitemapEscapesURLs: a slug with accents is percent-encoded in the
// sitemap, as crawlers expect, and the address works.
func TestSitemapEscapesURLs(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		ctx := context.Background()
		err := db.Update(ctx, func(tx *store.Tx) error {
			tag := &content.Term{Taxonomy: content.TaxTag, Slug: "príncipe", Name: "Príncipe"}
			if err := tx.UpsertTerm(ctx, tag); err != nil {
				return err
			}
			p, err := tx.FindPostByID(ctx, fx.posts["older"].ID)
			if err != nil {
				return err
			}
			p.Tags = append(p.Tags, *tag)
			return tx.UpdatePost(ctx, p)
		})
		if err != nil {
			t.Fatal(err)
		}
		_, locs := fx.urlset(fxBase + "/sitemaps/tags.xml")
		if !slices.Contains(locs, "/tag/pr%C3%ADncipe/") {
			t.Fatalf("tags sitemap lists %q, want /tag/pr%%C3%%ADncipe/", locs)
		}
		fx.mustGet("/tag/pr%C3%ADncipe/")
	})
}
