package site_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// designSite is the demo publication with featured images on its three
// newest posts (each image with narrower variants) and one republished
// article written as the source desk writes them: the editor's
// introduction, the attribution line, then the article. It returns the
// newest posts, newest first, and the republished one.
func designSite(t *testing.T, engine string, fragments int64) (db *store.DB, base string, posts []*content.Post, republished *content.Post) {
	t.Helper()
	db = demoDB(t, engine)
	ctx := context.Background()
	posts, _, err := db.FindPosts(ctx, store.Published(db.Now()))
	if err != nil || len(posts) < 4 {
		t.Fatalf("demo posts: %d, %v", len(posts), err)
	}
	for _, p := range posts {
		if p.Source != nil && p.Source.Name != "" && p.Source.Author != "" {
			republished = p
			break
		}
	}
	if republished == nil {
		t.Fatal("the demo has no republished post with an author")
	}
	update(t, db, func(tx *store.Tx) error {
		for i, p := range posts[:3] {
			name := fmt.Sprintf("2026/11/photo-%d", i)
			m := content.Media{Key: name + ".jpg", Filename: "photo.jpg", MIME: "image/jpeg", Width: 1600, Height: 1000,
				Alt:      fmt.Sprintf("Photograph %d", i),
				Variants: []content.Variant{{Width: 480, Key: name + "-480.jpg"}, {Width: 960, Key: name + "-960.jpg"}}}
			if err := tx.CreateMedia(ctx, &m); err != nil {
				return err
			}
			if err := tx.SetFeatured(ctx, p.ID, m.ID); err != nil {
				return err
			}
		}
		p, err := tx.FindPostByID(ctx, republished.ID)
		if err != nil {
			return err
		}
		p.Format = content.FormatHTML
		p.BodyHTML = `<p class="editorial-introduction">Why we chose this piece: it explains the vote better than anyone.</p>
<p class="attribution-line">The following article was originally published by ` + p.Source.Name + `.</p>
<p>The article's first paragraph.</p>
<figure><img src="/media/2026/11/photo-0.jpg" alt="The harbour"><figcaption>The harbour at dawn.</figcaption></figure>
<p><img src="/media/2026/11/elsewhere.jpg" alt="Not in the library"></p>
<span id="more"></span>
<p>The article's second paragraph.</p>`
		p.Body = p.BodyHTML
		if err := tx.UpdatePost(ctx, p); err != nil {
			return err
		}
		republished = p
		return nil
	})
	srv := serveConfig(t, site.Config{DB: db, Theme: site.DefaultTheme(), FragmentCache: fragments})
	return db, srv.URL, posts, republished
}

// bothCaches runs test on a site keeping fragments and on one keeping
// none: the page must look the same either way.
func bothCaches(t *testing.T, test func(t *testing.T, db *store.DB, base string, posts []*content.Post, republished *content.Post)) {
	for _, engine := range storetest.Engines(t) {
		for _, fragments := range []int64{0, 1 << 20} {
			t.Run(fmt.Sprintf("%s/fragments=%d", engine, fragments), func(t *testing.T) {
				db, base, posts, republished := designSite(t, engine, fragments)
				test(t, db, base, posts, republished)
			})
		}
	}
}

func getOK(t *testing.T, url string) *html.Node {
	t.Helper()
	for range 2 { // once rendered, once as kept
		resp, _ := get(t, url)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", url, resp.StatusCode)
		}
	}
	resp, body := get(t, url)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	return parse(t, body)
}

// TestFrontPageLeadStory: the newest post leads the front page, with its
// picture large and loaded at once; the next posts follow as teasers, and
// only the first page has a lead.
func TestFrontPageLeadStory(t *testing.T) {
	bothCaches(t, func(t *testing.T, db *store.DB, base string, posts []*content.Post, _ *content.Post) {
		doc := getOK(t, base+"/")
		all := findAll(doc, and(tag("article"), class("entry-teaser")))
		if len(all) < 2 {
			t.Fatalf("front page shows %d teasers", len(all))
		}
		lead := all[0]
		if !class("entry-lead")(lead) || text(find(lead, class("entry-title"))) != posts[0].Title {
			t.Fatalf("the first teaser %q (class %q) is not the lead story %q", text(find(lead, class("entry-title"))), attr(lead, "class"), posts[0].Title)
		}
		img := find(lead, tag("img"))
		if img == nil || attr(img, "loading") == "lazy" || !strings.Contains(attr(img, "sizes"), "100vw") {
			t.Fatalf("the lead story's picture is missing, lazy or small: %v", img)
		}
		if n := len(findAll(doc, class("entry-lead"))); n != 1 {
			t.Errorf("%d lead stories on the front page, want 1", n)
		}
		if n := len(findAll(getOK(t, base+"/page/2/"), class("entry-lead"))); n != 0 {
			t.Errorf("page 2 has %d lead stories, want none", n)
		}
		if n := len(findAll(getOK(t, base+posts[0].Categories[0].Path()), class("entry-lead"))); n != 0 {
			t.Errorf("an archive has %d lead stories, want none", n)
		}
	})
}

// TestTeaserThumbnails: a teaser shows its post's featured image from
// its variants (srcset and sizes), sized against layout shift, and lazy
// below the fold; a post without one has no image.
func TestTeaserThumbnails(t *testing.T) {
	bothCaches(t, func(t *testing.T, db *store.DB, base string, posts []*content.Post, _ *content.Post) {
		doc := getOK(t, base+"/")
		all := findAll(doc, and(tag("article"), class("entry-teaser")))
		second := all[1]
		if text(find(second, class("entry-title"))) != posts[1].Title {
			t.Fatalf("second teaser is %q, want %q", text(find(second, class("entry-title"))), posts[1].Title)
		}
		img := find(second, tag("img"))
		if img == nil {
			t.Fatal("the second post's teaser has no thumbnail")
		}
		want := map[string]string{"srcset": "/media/2026/11/photo-1-480.jpg 480w, /media/2026/11/photo-1-960.jpg 960w, /media/2026/11/photo-1.jpg 1600w",
			"width": "1600", "height": "1000", "loading": "lazy", "alt": ""}
		for k, v := range want {
			if got := attr(img, k); got != v {
				t.Errorf("thumbnail %s=%q, want %q", k, got, v)
			}
		}
		if attr(img, "sizes") == "" {
			t.Error("thumbnail has srcset but no sizes")
		}
		if img := find(all[3], tag("img")); img != nil {
			t.Errorf("a post without a featured image shows %q", attr(img, "src"))
		}
		for _, img := range findAll(doc, tag("img")) {
			if attr(img, "width") == "" || attr(img, "height") == "" {
				t.Errorf("image %s has no width and height", attr(img, "src"))
			}
		}
	})
}

// TestTeaserNamesTheOutlet: a republished post's teaser credits its
// writer and names the outlet ("via Outlet"), under its section label.
func TestTeaserNamesTheOutlet(t *testing.T) {
	bothCaches(t, func(t *testing.T, db *store.DB, base string, posts []*content.Post, republished *content.Post) {
		path := republished.Categories[0].Path()
		doc := getOK(t, base+path)
		for _, art := range findAll(doc, and(tag("article"), class("entry-teaser"))) {
			if text(find(art, class("entry-title"))) != republished.Title {
				continue
			}
			byline := text(find(art, class("byline")))
			if !strings.Contains(byline, "via "+republished.Source.Name) || !strings.HasPrefix(byline, "By "+republished.Source.Author) {
				t.Errorf("byline %q: want the writer %q and \"via %s\"", byline, republished.Source.Author, republished.Source.Name)
			}
			if k := text(find(art, class("kicker"))); k != republished.Categories[0].Name {
				t.Errorf("section label %q, want %q", k, republished.Categories[0].Name)
			}
			return
		}
		t.Fatalf("%s does not list %q", path, republished.Title)
	})
}

// TestRepublishedPostAttributedOnce: a republished post sets the
// editor's introduction apart, credits the original writer in its byline,
// and says where it was first published once, linking the original.
func TestRepublishedPostAttributedOnce(t *testing.T) {
	bothCaches(t, func(t *testing.T, db *store.DB, base string, _ []*content.Post, p *content.Post) {
		resp, body := get(t, base+p.Path())
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", p.Path(), resp.StatusCode)
		}
		doc := parse(t, body)
		main := find(doc, tag("main"))
		if n := strings.Count(strings.ToLower(text(main)), "originally published by"); n != 1 {
			t.Errorf("the page says %d times where the article was first published, want once:\n%s", n, text(main))
		}
		attribution := findAll(main, class("attribution"))
		if len(attribution) != 1 {
			t.Fatalf("%d attribution blocks, want 1", len(attribution))
		}
		got := strings.Join(strings.Fields(text(attribution[0])), " ")
		want := "Originally published by " + p.Source.Name + ", written by " + p.Source.Author + ", on "
		if !strings.HasPrefix(got, want) || !strings.Contains(got, "— read the original") {
			t.Errorf("attribution %q, want %q… — read the original", got, want)
		}
		if a := find(attribution[0], tag("a")); a == nil || attr(a, "href") != p.Source.URL {
			t.Errorf("the attribution does not link the original %s", p.Source.URL)
		}
		intro := find(main, class("editorial-intro"))
		if intro == nil || !strings.Contains(text(intro), "Why we chose this piece") || strings.Contains(text(intro), "first paragraph") {
			t.Errorf("the editor's introduction is not set apart from the article: %q", text(intro))
		}
		article := find(main, class("republished-article"))
		if article == nil || !strings.Contains(text(article), "The article's first paragraph.") || strings.Contains(text(article), "Why we chose") {
			t.Errorf("the republished article: %q", text(article))
		}
		if byline := text(find(find(main, class("entry-header")), class("byline"))); !strings.HasPrefix(byline, "By "+p.Source.Author) {
			t.Errorf("byline %q, want the original writer %q", byline, p.Source.Author)
		}
		if find(doc, func(n *html.Node) bool { return attr(n, "id") == "more" }) == nil {
			t.Error("the continue link's #more anchor is gone")
		}
	})
}

// TestTeaserStyleCards: with the cards style, the front page and the
// archives show headline, dek and thumbnail, not the whole teaser; the
// setting is kept as chosen and a style of no kind is refused, naming it.
func TestTeaserStyleCards(t *testing.T) {
	bothCaches(t, func(t *testing.T, db *store.DB, base string, posts []*content.Post, _ *content.Post) {
		before := getOK(t, base+"/")
		if n := len(findAll(before, class("entry-card"))); n != 0 {
			t.Fatalf("the default style shows %d cards", n)
		}
		set, err := db.LoadSettings(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		set.TeaserStyle = "tiles"
		err = db.Update(context.Background(), func(tx *store.Tx) error { return tx.SaveSettings(context.Background(), set) })
		if err == nil || !strings.Contains(err.Error(), "teaser style") {
			t.Fatalf("saving teaser style \"tiles\": %v, want an error naming the teaser style", err)
		}
		set.TeaserStyle = content.TeaserCards
		update(t, db, func(tx *store.Tx) error { return tx.SaveSettings(context.Background(), set) })
		for _, path := range []string{"/", "/page/2/", posts[1].Categories[0].Path()} {
			doc := getOK(t, base+path)
			cards := findAll(doc, class("entry-card"))
			if len(cards) == 0 {
				t.Fatalf("%s shows no cards", path)
			}
			for _, c := range cards {
				if find(c, class("entry-content")) != nil || find(c, class("more-link")) != nil {
					t.Errorf("%s: a card shows the whole teaser", path)
				}
				if find(c, class("dek")) == nil || find(find(c, class("entry-title")), tag("a")) == nil {
					t.Errorf("%s: a card without its headline link or dek", path)
				}
			}
		}
		doc := getOK(t, base+"/")
		for _, c := range findAll(doc, class("entry-card")) {
			if text(find(c, class("entry-title"))) == posts[1].Title && find(c, tag("img")) == nil {
				t.Errorf("the card of %q has no thumbnail", posts[1].Title)
			}
		}
	})
}

// TestPageNotFound says so, with status 404, and offers a search box and
// the five latest posts.
func TestPageNotFound(t *testing.T) {
	bothCaches(t, func(t *testing.T, db *store.DB, base string, posts []*content.Post, _ *content.Post) {
		for _, path := range []string{"/no-such-page/", "/2026/01/01/no-such-post/", "/category/no-such-section/"} {
			resp, body := get(t, base+path)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
			}
			doc := parse(t, body)
			main := find(doc, tag("main"))
			if h1 := text(find(main, tag("h1"))); h1 != "Page not found" {
				t.Errorf("%s: <h1> %q", path, h1)
			}
			if !strings.Contains(text(main), "was not found") {
				t.Errorf("%s does not say the page was not found", path)
			}
			form := find(main, and(tag("form"), func(n *html.Node) bool { return attr(n, "action") == "/search" }))
			if form == nil || find(form, and(tag("input"), func(n *html.Node) bool { return attr(n, "name") == "q" })) == nil {
				t.Errorf("%s offers no search box", path)
			}
			links := findAll(find(main, class("latest")), tag("a"))
			if len(links) != 5 {
				t.Fatalf("%s lists %d latest posts, want 5", path, len(links))
			}
			for i, a := range links {
				if attr(a, "href") != posts[i].Path() || text(a) != posts[i].Title {
					t.Errorf("%s: latest post %d is %q at %s, want %q", path, i+1, text(a), attr(a, "href"), posts[i].Title)
				}
			}
		}
	})
}

// TestNavigationMarksTheCurrentSection: a section's archive and its
// posts mark their section's link in the navigation, and no other.
func TestNavigationMarksTheCurrentSection(t *testing.T) {
	bothCaches(t, func(t *testing.T, db *store.DB, base string, posts []*content.Post, _ *content.Post) {
		p := posts[1]
		section := p.Categories[0].Path()
		for path, want := range map[string]string{section: "page", p.Path(): "true", "/": ""} {
			doc := getOK(t, base+path)
			nav := find(find(doc, tag("header")), class("site-nav"))
			var marked []string
			for _, a := range findAll(nav, tag("a")) {
				if v := attr(a, "aria-current"); v != "" {
					marked = append(marked, attr(a, "href")+"="+v)
				}
			}
			switch {
			case want == "" && len(marked) != 0:
				t.Errorf("%s marks %v as current", path, marked)
			case want != "" && (len(marked) != 1 || marked[0] != section+"="+want):
				t.Errorf("%s marks %v, want %s=%s", path, marked, section, want)
			}
		}
	})
}

// TestArchiveShowsItsFeed: a section's archive links its own feed under
// its description.
func TestArchiveShowsItsFeed(t *testing.T) {
	db, base := demoSite(t, "sqlite")
	cats, err := db.FindTerms(context.Background(), content.TaxCategory)
	if err != nil || len(cats) == 0 {
		t.Fatalf("categories: %v", err)
	}
	c := cats[0]
	doc := getOK(t, base+c.Path())
	a := find(find(doc, class("archive-feed")), tag("a"))
	if a == nil || attr(a, "href") != c.Path()+"feed/" {
		t.Errorf("%s links no feed of its own", c.Path())
	}
}

// TestArticleImagesGetTheirVariants: an image of the media library in a
// post's body (as a republished article names it, by its file alone)
// gets its variants, sizes and dimensions; an image the library does not
// know is left as written.
func TestArticleImagesGetTheirVariants(t *testing.T) {
	bothCaches(t, func(t *testing.T, db *store.DB, base string, _ []*content.Post, p *content.Post) {
		doc := getOK(t, base+p.Path())
		article := find(doc, class("republished-article"))
		known := find(article, and(tag("img"), func(n *html.Node) bool { return attr(n, "alt") == "The harbour" }))
		if known == nil {
			t.Fatal("the article's image is gone")
		}
		want := map[string]string{"src": "/media/2026/11/photo-0.jpg",
			"srcset": "/media/2026/11/photo-0-480.jpg 480w, /media/2026/11/photo-0-960.jpg 960w, /media/2026/11/photo-0.jpg 1600w",
			"width":  "1600", "height": "1000", "loading": "lazy"}
		for k, v := range want {
			if got := attr(known, k); got != v {
				t.Errorf("article image %s=%q, want %q", k, got, v)
			}
		}
		if attr(known, "sizes") == "" {
			t.Error("article image has srcset but no sizes")
		}
		other := find(article, and(tag("img"), func(n *html.Node) bool { return attr(n, "alt") == "Not in the library" }))
		if other == nil || attr(other, "srcset") != "" || attr(other, "width") != "" {
			t.Errorf("an image the library does not know was changed: %v", other)
		}
	})
}
