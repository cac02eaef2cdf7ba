package site_test

import (
	"context"
	"os"
	"testing"

	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
)

// TestPartsRenderAsInPlace: the default theme's pages, whose layout and
// pages place parts rendered once and kept (the head, the site's links
// and footer, the teasers, the pager, a post's neighbours), are byte for byte those of a
// theme rendering every part in place (testdata/plain-theme, a theme
// overriding the layout, the list and the post pages as themes may); read
// twice, the second time from what is kept.
func TestPartsRenderAsInPlace(t *testing.T) {
	db := demoDB(t, "sqlite")
	relay(t, db)
	posts, _, err := db.FindPosts(context.Background(), store.Published(db.Now()))
	if err != nil || len(posts) < 3 {
		t.Fatalf("demo posts: %d, %v", len(posts), err)
	}
	p := posts[1]
	paths := []string{"/", "/page/2/", posts[0].Path(), p.Path(), posts[len(posts)-1].Path(), p.Categories[0].Path(),
		p.Authors[0].Path(), p.PublishedAt.Format("/2006/01/"), "/about/", "/search?q=market", "/no-such-page/",
		"/search?q=market&category=" + p.Categories[0].Slug, "/search?q=market&author=" + p.Authors[0].Slug}
	if len(p.Tags) > 0 {
		paths = append(paths, p.Tags[0].Path())
	}
	plain := web.Overlay{Upper: os.DirFS("testdata/plain-theme"), Lower: site.DefaultTheme()}
	for _, c := range []struct {
		fragments int64
		once      bool
	}{{0, false}, {1 << 20, false}, {1 << 20, true}} {
		fragments := c.fragments
		cfg := site.Config{DB: db, BaseURL: "http://example.org", FragmentCache: fragments, RenderOnce: c.once}
		cfg.Theme = site.DefaultTheme()
		ours := serveConfig(t, cfg).URL
		cfg.Theme = plain
		theirs := serveConfig(t, cfg).URL
		for _, path := range paths {
			for range 2 {
				resp, want := get(t, theirs+path)
				got, body := get(t, ours+path)
				if got.StatusCode != resp.StatusCode || body != want {
					t.Fatalf("fragment cache %d, rendering once %t: %s: %d, differs from the page rendered in place (%d):\n%s\nwant:\n%s",
						fragments, c.once, path, got.StatusCode, resp.StatusCode, body, want)
				}
			}
		}
	}
}
