package site_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// withOutlets adds two outlets to the fixture's site: Xinhua, from which
// the republished and the tricky posts were republished, and Daily Wire,
// from which the older post was; and a third, Silent, whose only post is
// the draft.
func (fx *fxSite) withOutlets() {
	fx.t.Helper()
	ctx := context.Background()
	for _, o := range []struct {
		name  string
		posts []string
	}{{"Xinhua", []string{"republished", "tricky"}}, {"Daily Wire", []string{"older"}}, {"Silent", []string{"draft"}}} {
		outlet := &content.Outlet{Name: o.name, Homepage: "https://" + strings.ReplaceAll(strings.ToLower(o.name), " ", "") + ".example/"}
		err := fx.db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.CreateOutlet(ctx, outlet); err != nil {
				return err
			}
			for _, name := range o.posts {
				p := fx.posts[name]
				it := &content.Item{OutletID: outlet.ID, OutletName: outlet.Name, GUID: name, URL: outlet.Homepage + name,
					Title: p.Title, PublishedAt: p.PublishedAt}
				if _, err := tx.AddItem(ctx, it); err != nil {
					return err
				}
				if err := tx.MarkItemRepublished(ctx, it.ID, p.ID, content.CanonicalOriginal); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			fx.t.Fatalf("outlet %s: %v", o.name, err)
		}
	}
}

// TestSourceArchive: /source/{slug}/ lists the posts republished from
// that outlet alone, newest first, paged like every archive; an unknown
// outlet, or one whose posts readers may not see yet, has no archive.
func TestSourceArchive(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		fx.withOutlets()
		titlesAt := func(path string) []string {
			t.Helper()
			var out []string
			for _, tz := range teasers(t, parse(t, string(fx.mustGet(path)))) {
				out = append(out, tz.title)
			}
			return out
		}
		tricky, rep, older := fx.posts["tricky"], fx.posts["republished"], fx.posts["older"]
		if got := titlesAt("/source/xinhua/"); !slices.Equal(got, []string{tricky.Title, rep.Title}) {
			t.Errorf("/source/xinhua/ lists %q, want %q and %q", got, tricky.Title, rep.Title)
		}
		if got := titlesAt("/source/daily-wire/"); !slices.Equal(got, []string{older.Title}) {
			t.Errorf("/source/daily-wire/ lists %q, want %q", got, older.Title)
		}
		body := string(fx.mustGet("/source/xinhua/"))
		for _, want := range []string{"Republished from Xinhua", `<link rel="canonical" href="` + fxBase + `/source/xinhua/">`,
			`href="/source/xinhua/feed/atom/"`} {
			if !strings.Contains(body, want) {
				t.Errorf("/source/xinhua/ lacks %s", want)
			}
		}

		fx.settings(func(s *content.Settings) { s.PostsPerPage = 1 })
		if got := titlesAt("/source/xinhua/"); !slices.Equal(got, []string{tricky.Title}) {
			t.Errorf("/source/xinhua/ at one post a page lists %q", got)
		}
		if got := titlesAt("/source/xinhua/page/2/"); !slices.Equal(got, []string{rep.Title}) {
			t.Errorf("/source/xinhua/page/2/ lists %q", got)
		}
		if !strings.Contains(string(fx.mustGet("/source/xinhua/")), `<link rel="next" href="`+fxBase+`/source/xinhua/page/2/">`) {
			t.Error("/source/xinhua/ does not link its second page")
		}
		for _, path := range []string{"/source/xinhua/page/3/", "/source/nobody/", "/source/nobody/feed/",
			"/source/silent/", "/source/silent/feed/json/"} {
			if resp, _ := fx.get(path); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: %s, want 404", path, resp.Status)
			}
		}
		if resp, _ := fx.get("/source/xinhua"); resp.StatusCode != http.StatusMovedPermanently ||
			resp.Header.Get("Location") != "/source/xinhua/" {
			t.Errorf("GET /source/xinhua: %s to %q, want 301 to /source/xinhua/", resp.Status, resp.Header.Get("Location"))
		}
	})
}

// TestSourceFeeds: an outlet's archive has the three feeds, which carry
// its posts alone and validate as every feed of the site does.
func TestSourceFeeds(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		fx.withOutlets()
		want := []string{fx.posts["tricky"].Title, fx.posts["republished"].Title}
		for _, k := range feedKinds {
			path := "/source/xinhua/feed/" + k.suffix
			f := fx.parseFeed(path, k.ctype)
			if got := titles(f); !slices.Equal(got, want) {
				t.Errorf("%s: items %q, want %q", path, got, want)
			}
			if f.Title != "Broadsheet – Xinhua" {
				t.Errorf("%s: title %q", path, f.Title)
			}
			if k.gofeedType == "json" {
				if err := checkJSONFeed(fx.mustGet(path)); err != nil {
					t.Errorf("%s: not a valid JSON Feed 1.1: %v", path, err)
				}
			}
		}
		xmllint(t, "atom.rng", fx.mustGet("/source/xinhua/feed/atom/"))
	})
}

// TestSourcesSitemap: the sitemap index lists sources.xml, which lists
// the archive of every outlet with posts readers may see.
func TestSourcesSitemap(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		fx.withOutlets()
		var listed bool
		for _, sm := range fx.sitemapIndex().Sitemaps {
			listed = listed || sm.Loc == fxBase+"/sitemaps/sources.xml"
		}
		if !listed {
			t.Fatal("the sitemap index does not list /sitemaps/sources.xml")
		}
		if _, locs := fx.urlset(fxBase + "/sitemaps/sources.xml"); !slices.Equal(locs, []string{"/source/daily-wire/", "/source/xinhua/"}) {
			t.Errorf("sources.xml lists %q, want /source/daily-wire/ and /source/xinhua/", locs)
		}
	})
}

// TestPostPageShowsMoreFromItsOutletAndRelatedPosts: a republished post's
// page links its outlet's archive and its other posts there, and lists
// the posts sharing its categories or tags, never itself.
func TestPostPageShowsMoreFromItsOutletAndRelatedPosts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		fx.withOutlets()
		rep := fx.posts["republished"]
		doc := parse(t, string(fx.mustGet(rep.Path())))
		links := func(section string) (heading string, hrefs []string) {
			s := find(doc, class(section))
			if s == nil {
				return "", nil
			}
			for _, a := range findAll(find(s, tag("ul")), tag("a")) {
				hrefs = append(hrefs, attr(a, "href"))
			}
			h := find(s, tag("h2"))
			if a := find(h, tag("a")); a != nil {
				heading = text(h) + " " + attr(a, "href")
			}
			return heading, hrefs
		}
		heading, more := links("related-outlet")
		if heading != "More from Xinhua /source/xinhua/" || !slices.Equal(more, []string{fx.posts["tricky"].Path()}) {
			t.Errorf("more from the outlet: %q, %q; want a link to /source/xinhua/ and the tricky post", heading, more)
		}
		// Africa: the older post; Economy: the tricky one.
		_, related := links("related-posts")
		if want := []string{fx.posts["tricky"].Path(), fx.posts["older"].Path()}; !slices.Equal(related, want) {
			t.Errorf("related posts %q, want %q", related, want)
		}
		// The about page is no post: it has neither.
		page := string(fx.mustGet("/about/"))
		if strings.Contains(page, "related") {
			t.Error("a page shows related posts")
		}
	})
}
