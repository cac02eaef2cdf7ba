package site_test

import (
	"bytes"
	"context"
	"io/fs"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/demo"
	"github.com/broadsheet/broadsheet/internal/importer/wxr"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
	"github.com/broadsheet/broadsheet/internal/web"
)

// fragmentSite serves the demo content with the fragment cache on and no
// page cache. The clock is frozen, so an edit leaves a post's UpdatedAt as
// it was: only the cache's following of changes can keep it right.
func fragmentSite(t *testing.T) (db *store.DB, base string, newest *content.Post, dsn string) {
	t.Helper()
	dsn = storetest.DSN(t, "sqlite")
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC) // after the demo's newest post
	db.Now = func() time.Time { return now }
	if _, err := wxr.Import(context.Background(), db, bytes.NewReader(demo.WXR), wxr.Options{}); err != nil {
		t.Fatalf("import demo: %v", err)
	}
	srv := serveConfig(t, site.Config{DB: db, Theme: site.DefaultTheme(), FragmentCache: 1 << 20})
	posts, _, err := db.FindPosts(context.Background(), store.Published(db.Now()))
	if err != nil || len(posts) == 0 {
		t.Fatalf("demo posts: %d, %v", len(posts), err)
	}
	newest = posts[0]
	if len(newest.Authors) == 0 || len(newest.Categories) == 0 {
		t.Fatalf("the demo's newest post has no author or category: %+v", newest)
	}
	return db, srv.URL, newest, dsn
}

// listings are the pages where the post's teaser shows.
func listings(p *content.Post) []string {
	return []string{"/", p.Categories[0].Path(), p.Authors[0].Path(), p.PublishedAt.Format("/2006/01/")}
}

// mustShow reads each page twice (the second from kept teasers) and checks
// that both show want.
func mustShow(t *testing.T, base string, paths []string, want string) {
	t.Helper()
	for _, path := range paths {
		for range 2 {
			resp, body := get(t, base+path)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d", path, resp.StatusCode)
			}
			if !strings.Contains(body, want) {
				t.Fatalf("%s does not show %q", path, want)
			}
		}
	}
}

func update(t *testing.T, db *store.DB, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := db.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func TestFragmentCacheFollowsAnEditedPost(t *testing.T) {
	db, base, p, _ := fragmentSite(t)
	mustShow(t, base, listings(p), ">"+p.Title+"</a>")
	update(t, db, func(tx *store.Tx) error {
		edited, err := tx.FindPostByID(context.Background(), p.ID)
		if err != nil {
			return err
		}
		edited.Title = "An entirely new headline"
		return tx.UpdatePost(context.Background(), edited)
	})
	mustShow(t, base, listings(p), ">An entirely new headline</a>")
}

func TestFragmentCacheFollowsARenamedCategory(t *testing.T) {
	db, base, p, _ := fragmentSite(t)
	cat := p.Categories[0]
	mustShow(t, base, listings(p), ">"+cat.Name+"</a>")
	update(t, db, func(tx *store.Tx) error {
		cat.Name = "Renamed Section"
		return tx.UpsertTerm(context.Background(), &cat)
	})
	mustShow(t, base, listings(p), `rel="category tag">Renamed Section</a>`)
}

func TestFragmentCacheFollowsARenamedAuthor(t *testing.T) {
	db, base, p, _ := fragmentSite(t)
	author := p.Authors[0]
	mustShow(t, base, listings(p), ">"+author.Name+"</a>")
	update(t, db, func(tx *store.Tx) error {
		author.Name = "Renamed Author"
		return tx.UpsertUser(context.Background(), &author)
	})
	mustShow(t, base, listings(p), `rel="author">Renamed Author</a>`)
}

// TestFragmentCacheFollowsAnotherProcess: a change made by another
// process reaches this one as a relayed site-wide change, which drops
// every teaser.
func TestFragmentCacheFollowsAnotherProcess(t *testing.T) {
	db, base, p, dsn := fragmentSite(t)
	mustShow(t, base, listings(p), ">"+p.Categories[0].Name+"</a>")
	// The other process: a second handle on the same database, whose
	// changes this one does not hear by itself.
	peer, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	cat := p.Categories[0]
	update(t, peer, func(tx *store.Tx) error {
		cat.Name = "Renamed Elsewhere"
		return tx.UpsertTerm(context.Background(), &cat)
	})
	db.Publish(context.Background(), store.Change{Site: true, Remote: true})
	mustShow(t, base, listings(p), `rel="category tag">Renamed Elsewhere</a>`)
}

// TestFragmentCacheKeepsThemeOverrides: a theme's own teaser template is
// the one kept and reused, and a theme's list template may still range
// over the posts themselves.
func TestFragmentCacheKeepsThemeOverrides(t *testing.T) {
	db := demoDB(t, "sqlite")
	entry, err := fs.ReadFile(site.DefaultTheme(), "templates/_entry.html")
	if err != nil {
		t.Fatal(err)
	}
	custom := strings.Replace(string(entry), `<article class="entry entry-teaser`, `<article class="entry entry-teaser house-style`, 1)
	if custom == string(entry) {
		t.Fatal("the default teaser template changed; update the test")
	}
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{"teaser", fstest.MapFS{"templates/_entry.html": {Data: []byte(custom)}}, `class="entry entry-teaser house-style"`},
		{"list", fstest.MapFS{"templates/list.html": {Data: []byte(
			`{{define "content"}}{{range .Posts}}<p class="own">{{.Title}} by {{(index .Authors 0).Name}}</p>{{end}}{{end}}`)}},
			`<p class="own">`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := serveConfig(t, site.Config{DB: db, Theme: web.Overlay{Upper: tc.files, Lower: site.DefaultTheme()}, FragmentCache: 1 << 20})
			mustShow(t, srv.URL, []string{"/", "/page/2/"}, tc.want)
		})
	}
}

// TestFragmentCacheFollowsAPostsFeaturedImage: a post's kept article and
// head show its featured image, whose alt text and caption are edited in
// the media library, not on the post.
func TestFragmentCacheFollowsAPostsFeaturedImage(t *testing.T) {
	db, base, p, _ := fragmentSite(t)
	img := content.Media{Key: "2026/11/harbour.jpg", Filename: "harbour.jpg", MIME: "image/jpeg", Width: 1200, Height: 800,
		Alt: "The harbour at dawn", Caption: "Photograph: the harbour office"}
	update(t, db, func(tx *store.Tx) error {
		if err := tx.CreateMedia(context.Background(), &img); err != nil {
			return err
		}
		return tx.SetFeatured(context.Background(), p.ID, img.ID)
	})
	page := []string{p.Path()}
	mustShow(t, base, page, `alt="The harbour at dawn"><figcaption>Photograph: the harbour office</figcaption>`)
	mustShow(t, base, page, `<meta property="og:image" content="`+base+img.URL()+`">`)
	update(t, db, func(tx *store.Tx) error { return tx.SetMediaAlt(context.Background(), img.ID, "Fishing boats at dawn") })
	mustShow(t, base, page, `alt="Fishing boats at dawn">`)
	update(t, db, func(tx *store.Tx) error {
		m := img
		m.Caption = "Photograph: a reader"
		return tx.UpdateImportedMedia(context.Background(), &m)
	})
	mustShow(t, base, page, `<figcaption>Photograph: a reader</figcaption>`)
	update(t, db, func(tx *store.Tx) error { return tx.SetFeatured(context.Background(), p.ID, 0) })
	for range 2 {
		if _, body := get(t, base+p.Path()); strings.Contains(body, "featured-image") || strings.Contains(body, img.URL()) {
			t.Fatal("the post still shows the featured image it no longer has")
		}
	}
}

// TestFragmentCacheFollowsAnEditedPostPage: the post's own page, its
// article and its head, follow edits of the post, its authors and terms.
func TestFragmentCacheFollowsAnEditedPostPage(t *testing.T) {
	db, base, p, _ := fragmentSite(t)
	page := []string{p.Path()}
	mustShow(t, base, page, `<h1 class="entry-title">`+p.Title+`</h1>`)
	update(t, db, func(tx *store.Tx) error {
		edited, err := tx.FindPostByID(context.Background(), p.ID)
		if err != nil {
			return err
		}
		edited.Title = "An entirely new headline"
		edited.Excerpt = "A new summary of the article."
		return tx.UpdatePost(context.Background(), edited)
	})
	mustShow(t, base, page, `<h1 class="entry-title">An entirely new headline</h1>`)
	mustShow(t, base, page, `<meta name="description" content="A new summary of the article.">`)
	mustShow(t, base, page, `<meta property="og:title" content="An entirely new headline">`)
	mustShow(t, base, page, `"description":"A new summary of the article."`)
	author := p.Authors[0]
	update(t, db, func(tx *store.Tx) error {
		author.Name = "Renamed Author"
		return tx.UpsertUser(context.Background(), &author)
	})
	mustShow(t, base, page, `rel="author">Renamed Author</a>`)
	mustShow(t, base, page, `"name":"Renamed Author"`)
}

// TestFragmentCacheKeepsPostThemeOverrides: a theme's own article template
// is the one kept, and a theme's post template written before articles
// were kept, showing the post and its featured image itself, still works.
func TestFragmentCacheKeepsPostThemeOverrides(t *testing.T) {
	db, _, p, _ := fragmentSite(t)
	img := content.Media{Key: "2026/11/pier.jpg", Filename: "pier.jpg", MIME: "image/jpeg", Alt: "The pier"}
	update(t, db, func(tx *store.Tx) error {
		if err := tx.CreateMedia(context.Background(), &img); err != nil {
			return err
		}
		return tx.SetFeatured(context.Background(), p.ID, img.ID)
	})
	entry, err := fs.ReadFile(site.DefaultTheme(), "templates/_entry.html")
	if err != nil {
		t.Fatal(err)
	}
	custom := strings.Replace(string(entry), `<article class="entry entry-full`, `<article class="entry entry-full house-style`, 1)
	if custom == string(entry) {
		t.Fatal("the default article template changed; update the test")
	}
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{"article", fstest.MapFS{"templates/_entry.html": {Data: []byte(custom)}}, `class="entry entry-full house-style"`},
		{"post", fstest.MapFS{"templates/post.html": {Data: []byte(
			`{{define "content"}}<h1 class="own">{{.Post.Title}}</h1>{{with .Featured}}<img class="own" alt="{{.Alt}}">{{end}}{{end}}`)}},
			`<img class="own" alt="The pier">`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := serveConfig(t, site.Config{DB: db, Theme: web.Overlay{Upper: tc.files, Lower: site.DefaultTheme()}, FragmentCache: 1 << 20})
			mustShow(t, srv.URL, []string{p.Path()}, tc.want)
		})
	}
}

// TestMastheadFollowsSettingsAndCategories: every page's masthead, and a
// listing's meta tags and structured data, are rendered once and kept,
// until the site's name or its sections change.
func TestMastheadFollowsSettingsAndCategories(t *testing.T) {
	db, base, p, _ := fragmentSite(t)
	pages := []string{"/", p.Path(), p.Categories[0].Path(), "/search?q=market", "/no-such-page/"}
	show := func(want string) {
		t.Helper()
		for _, path := range pages {
			for range 2 {
				_, body := get(t, base+path)
				if !strings.Contains(body, want) {
					t.Fatalf("%s does not show %q", path, want)
				}
			}
		}
	}
	set, err := db.LoadSettings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	show(`rel="home">` + set.Title + `</a>`)
	set.Title = "The Renamed Gazette"
	update(t, db, func(tx *store.Tx) error { return tx.SaveSettings(context.Background(), set) })
	show(`rel="home">The Renamed Gazette</a>`)
	mustShow(t, base, []string{"/", p.Categories[0].Path()}, `<meta property="og:site_name" content="The Renamed Gazette">`)
	mustShow(t, base, []string{"/"}, `"@type":"WebSite","description":"`+set.Description+`","inLanguage":"`+set.Language+`","name":"The Renamed Gazette"`)
	cat := p.Categories[0]
	update(t, db, func(tx *store.Tx) error {
		cat.Name = "Renamed Section"
		return tx.UpsertTerm(context.Background(), &cat)
	})
	// The masthead marks the section a page is in (aria-current).
	show(`<li><a href="` + cat.Path() + `"`)
	show(`>Renamed Section</a></li>`)
	mustShow(t, base, []string{cat.Path()}, `<meta property="og:title" content="Renamed Section">`)
	mustShow(t, base, []string{cat.Path()}, `"name":"Renamed Section"`)
}

// TestLayoutPartsFollowSettingsAndYear: the head's site-wide links and
// the footer, rendered once and shared by every page, follow a renamed
// site and the turn of the year.
func TestLayoutPartsFollowSettingsAndYear(t *testing.T) {
	db := demoDB(t, "sqlite")
	var clock atomic.Pointer[time.Time]
	now := time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC)
	clock.Store(&now)
	db.Now = func() time.Time { return *clock.Load() }
	base := serveConfig(t, site.Config{DB: db, Theme: site.DefaultTheme(), FragmentCache: 1 << 20}).URL
	posts, _, err := db.FindPosts(context.Background(), store.Published(db.Now()))
	if err != nil || len(posts) == 0 {
		t.Fatalf("demo posts: %d, %v", len(posts), err)
	}
	p := posts[0]
	pages := []string{"/", p.Path(), p.Categories[0].Path(), "/search?q=market", "/no-such-page/"}
	show := func(wants ...string) {
		t.Helper()
		for _, path := range pages {
			for range 2 {
				_, body := get(t, base+path)
				for _, want := range wants {
					if !strings.Contains(body, want) {
						t.Fatalf("%s does not show %q", path, want)
					}
				}
			}
		}
	}
	set, err := db.LoadSettings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	show(`<p>© 2026 `+set.Title+`. Published`, `title="`+set.Title+` (RSS)" href="/feed/"`, `<script src="/static/search.`)
	set.Title = "The Renamed Gazette"
	update(t, db, func(tx *store.Tx) error { return tx.SaveSettings(context.Background(), set) })
	show(`<p>© 2026 The Renamed Gazette. Published`, `title="The Renamed Gazette (Atom)" href="/feed/atom/"`)
	next := time.Date(2027, 1, 1, 0, 0, 1, 0, time.UTC)
	clock.Store(&next)
	show(`<p>© 2027 The Renamed Gazette. Published`)
}

// TestSearchFormFollowsTagsAndAuthors: the search form's tags and authors
// are read once and kept, until a post or a person changes.
func TestSearchFormFollowsTagsAndAuthors(t *testing.T) {
	db, base, p, _ := fragmentSite(t)
	tag := content.Term{Taxonomy: content.TaxTag, Slug: "lighthouses", Name: "Lighthouses"}
	option := `<option value="lighthouses">Lighthouses</option>`
	if _, body := get(t, base+"/search?q=market"); strings.Contains(body, option) {
		t.Fatal("the search form offers a tag no post carries")
	}
	update(t, db, func(tx *store.Tx) error {
		if err := tx.UpsertTerm(context.Background(), &tag); err != nil {
			return err
		}
		p.Tags = append(p.Tags, tag)
		return tx.UpdatePost(context.Background(), p)
	})
	mustShow(t, base, []string{"/search?q=market"}, option)
	author := p.Authors[0]
	update(t, db, func(tx *store.Tx) error {
		author.Name = "Renamed Writer"
		return tx.UpsertUser(context.Background(), &author)
	})
	mustShow(t, base, []string{"/search?q=market"}, `">Renamed Writer</option>`)
}

// feeds are the feeds where the post is an item, in every format.
func feeds(p *content.Post) []string {
	var paths []string
	for _, prefix := range []string{"/", p.Categories[0].Path(), p.Authors[0].Path()} {
		paths = append(paths, prefix+"feed/", prefix+"feed/atom/", prefix+"feed/json/")
	}
	return paths
}

// TestFragmentCacheFollowsChangesInFeeds: a post's feed item, kept once
// for every feed it is in, follows edits of the post, of its terms and
// authors, and of the setting choosing whole posts or teasers.
func TestFragmentCacheFollowsChangesInFeeds(t *testing.T) {
	db, base, p, _ := fragmentSite(t)
	mustShow(t, base, feeds(p), p.Title)
	update(t, db, func(tx *store.Tx) error {
		edited, err := tx.FindPostByID(context.Background(), p.ID)
		if err != nil {
			return err
		}
		edited.Title = "An entirely new headline"
		edited.BodyHTML += "<p>A closing line for the whole text.</p>"
		return tx.UpdatePost(context.Background(), edited)
	})
	mustShow(t, base, feeds(p), "An entirely new headline")
	cat, author := p.Categories[0], p.Authors[0]
	update(t, db, func(tx *store.Tx) error {
		cat.Name, author.Name = "Renamed Section", "Renamed Author"
		if err := tx.UpsertTerm(context.Background(), &cat); err != nil {
			return err
		}
		return tx.UpsertUser(context.Background(), &author)
	})
	mustShow(t, base, feeds(p), "Renamed Section")
	mustShow(t, base, feeds(p), "Renamed Author")
	for _, full := range []bool{true, false} {
		update(t, db, func(tx *store.Tx) error {
			set, err := tx.LoadSettings(context.Background())
			if err != nil {
				return err
			}
			set.FeedFullText = full
			return tx.SaveSettings(context.Background(), set)
		})
		for _, path := range feeds(p) {
			_, body := get(t, base+path)
			if got := strings.Contains(body, "A closing line for the whole text."); got != full {
				t.Errorf("full text %v: %s shows the post's last line: %v", full, path, got)
			}
		}
	}
}
