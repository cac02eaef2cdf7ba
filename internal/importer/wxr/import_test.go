package wxr_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/importer/wxr"
	"github.com/broadsheet/broadsheet/internal/markup/markuptest"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

var ctx = context.Background()

// importFile imports testdata/name with the testdata uploads folder into
// db, keeping files in lib.
func importFile(t *testing.T, db *store.DB, name string, lib *media.Dir, dryRun bool) (*wxr.Report, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opt := wxr.Options{DryRun: dryRun}
	if lib != nil {
		opt.Uploads, opt.Media = filepath.Join("testdata", "uploads"), lib
	}
	return wxr.Import(ctx, db, f, opt)
}

func mustImport(t *testing.T, db *store.DB, name string, lib *media.Dir) *wxr.Report {
	t.Helper()
	rep, err := importFile(t, db, name, lib, false)
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return rep
}

// exists reports whether the library holds a file under key.
func exists(lib *media.Dir, key string) bool {
	rc, err := lib.Open(ctx, key)
	if err != nil {
		return false
	}
	rc.Close()
	return true
}

func find(t *testing.T, db *store.DB, kind content.Kind, slug string) *content.Post {
	t.Helper()
	p, err := db.FindPostBySlug(ctx, kind, slug)
	if err != nil {
		t.Fatalf("%s %q: %v", kind, slug, err)
	}
	return p
}

// hasLine reports whether one of the report's entries for the titled item
// contains every fragment.
func hasLine(list []wxr.Skip, title string, fragments ...string) bool {
outer:
	for _, s := range list {
		if s.Title != title {
			continue
		}
		for _, f := range fragments {
			if !strings.Contains(s.Reason, f) {
				continue outer
			}
		}
		return true
	}
	return false
}

func TestImportRealWorldShapes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		lib := &media.Dir{Root: t.TempDir()}
		rep := mustImport(t, db, "classic.wxr", lib)

		if got, want := rep.Posts, (wxr.Counts{Created: 8}); got != want {
			t.Errorf("posts: got %+v, want %+v", got, want)
		}
		// A password-protected post comes in protected: its password kept,
		// its teaser saying so instead of showing its text.
		if fees := find(t, db, content.KindPost, "port-fees"); fees.Password != "hunter2" || !strings.Contains(fees.TeaserHTML, "protected by a password") {
			t.Errorf("protected post: password %q, teaser %q", fees.Password, fees.TeaserHTML)
		}
		if got, want := rep.Pages, (wxr.Counts{Created: 2}); got != want {
			t.Errorf("pages: got %+v, want %+v", got, want)
		}
		if got, want := rep.Attachments, (wxr.Counts{Created: 2, Skipped: 1}); got != want {
			t.Errorf("attachments: got %+v, want %+v", got, want)
		}

		// Classic content: paragraphs, a captioned image from the library,
		// links to later posts and pages rewritten, scripts gone.
		lagos := find(t, db, content.KindPost, "lagos-port-reopens")
		for _, want := range []string{
			"<p>The port of Lagos reopened on Monday.<br>\nShips queued since Friday.</p>",
			`<figure class="wp-caption aligncenter">`, `src="/media/2024/05/port.jpg"`,
			"<figcaption>Cranes at dawn in Apapa</figcaption>",
			`href="/2024/05/07/%E6%B8%AF%E5%8F%A3/"`, `href="/2024/05/07/%E6%B8%AF%E5%8F%A3/#figures"`, `href="/team/"`,
			"<h2>What comes next</h2>", content.MoreMarker,
		} {
			if !strings.Contains(lagos.Body, want) {
				t.Errorf("classic body lacks %q:\n%s", want, lagos.Body)
			}
		}
		for _, bad := range []string{"<script", "srcset", "[caption", "old.example.org"} {
			if strings.Contains(lagos.Body, bad) {
				t.Errorf("classic body still holds %q:\n%s", bad, lagos.Body)
			}
		}
		if !lagos.Sticky || lagos.SEOTitle != "Lagos reopens – Harbour Times" ||
			lagos.SEODescription != "Apapa's cranes move again after three days." {
			t.Errorf("sticky/SEO: got %v %q %q", lagos.Sticky, lagos.SEOTitle, lagos.SEODescription)
		}
		thumb, err := db.FindFeatured(ctx, lagos.ID)
		if err != nil || thumb == nil || thumb.Key != "2024/05/port.jpg" || thumb.Alt != "Cranes at dawn" || thumb.Caption != "Cranes at dawn in Apapa" {
			t.Errorf("featured image: got %+v, %v", thumb, err)
		}
		if got := lagos.Authors; len(got) != 1 || got[0].Slug != "jane-doe" || got[0].Name != "Jane Doe" {
			t.Errorf("author: got %+v", got)
		}
		if len(lagos.Categories) != 1 || lagos.Categories[0].Slug != "nigeria" || len(lagos.Tags) != 1 {
			t.Errorf("terms: got %+v %+v", lagos.Categories, lagos.Tags)
		}

		// Block content with shortcodes, a non-ASCII slug and CDATA holding "]]>".
		report := find(t, db, content.KindPost, "港口")
		for _, want := range []string{
			"<code>a[i]]]&gt;0</code>", `<figure class="gallery"><img src="/media/2024/05/port.jpg"`,
			`<img src="https://old.example.org/wp-content/uploads/2024/05/berths.png"`,
			`<figure class="video-embed"><iframe src="https://www.youtube-nocookie.com/embed/abc"`, `<audio controls="" src="/media/2024/05/talk.mp3">`,
			`<video controls="" src="https://cdn.example.net/clip.mp4" poster="https://cdn.example.net/clip.jpg"`,
			"[contact-form-7", `href="/2024/05/06/lagos-port-reopens/"`, `href="https://old.example.org/2019/01/01/gone/"`,
		} {
			if !strings.Contains(report.Body, want) {
				t.Errorf("block body lacks %q:\n%s", want, report.Body)
			}
		}
		if strings.Contains(report.Body, "<!-- wp:") {
			t.Errorf("block comments left in:\n%s", report.Body)
		}
		if report.Excerpt != "Tonnage, berth by berth." || report.SEODescription != "Harbour report: the numbers – tonnage figures for Harbour Times" {
			t.Errorf("excerpt/SEO: %q %q", report.Excerpt, report.SEODescription)
		}
		if len(report.Tags) != 1 || report.Tags[0].Slug != "中国" {
			t.Errorf("non-ASCII tag: %+v", report.Tags)
		}

		// Every status, the trash marker dropped from the slug.
		for slug, want := range map[string]content.Status{
			"draft-dredging-plans": content.StatusDraft, "new-terminal": content.StatusScheduled,
			"pilots-strike": content.StatusPending, "board-minutes": content.StatusPrivate, "a-retraction": content.StatusTrash,
		} {
			if got := find(t, db, content.KindPost, slug).Status; got != want {
				t.Errorf("%s: status %s, want %s", slug, got, want)
			}
		}
		// The page tree, the child read before its parent.
		about, team := find(t, db, content.KindPage, "about"), find(t, db, content.KindPage, "team")
		if team.ParentID != about.ID || team.MenuOrder != 2 || about.MenuOrder != 1 {
			t.Errorf("page tree: team parent %d (about is %d), orders %d %d", team.ParentID, about.ID, team.MenuOrder, about.MenuOrder)
		}
		// Nested categories with their descriptions.
		africa, err := db.FindTermBySlug(ctx, content.TaxCategory, "africa")
		if err != nil || africa.Description != "Reporting from the continent" {
			t.Fatalf("africa: %+v %v", africa, err)
		}
		world, _ := db.FindTermBySlug(ctx, content.TaxCategory, "world")
		nigeria, _ := db.FindTermBySlug(ctx, content.TaxCategory, "nigeria")
		if africa.ParentID != world.ID || nigeria.ParentID != africa.ID {
			t.Errorf("category tree: africa→%d (world %d), nigeria→%d (africa %d)", africa.ParentID, world.ID, nigeria.ParentID, africa.ID)
		}
		// The file was copied into the library.
		if !exists(lib, "2024/05/port.jpg") || !exists(lib, "2024/05/talk.mp3") || exists(lib, "2024/05/berths.png") {
			t.Errorf("library files: port %v talk %v berths %v", exists(lib, "2024/05/port.jpg"), exists(lib, "2024/05/talk.mp3"), exists(lib, "2024/05/berths.png"))
		}

		// The report names each thing left behind or changed.
		for _, c := range []struct {
			list   []wxr.Skip
			title  string
			phrase []string
		}{
			{rep.Skipped, "Berth map", []string{"2024/05/berths.png", "missing"}},
			{rep.Skipped, "Home", []string{"leads to nothing", "navigation"}},
			{rep.Skipped, "Anchor chain", []string{"product"}},
			{rep.Skipped, "West", []string{"custom taxonomy", "region"}},
			{rep.Changed, "Lagos port reopens after the storm", []string{"paragraphs"}},
			{rep.Changed, "Harbour report: the numbers", []string{"[contact-form-7]", "kept as text"}},
			{rep.Changed, "Harbour report: the numbers", []string{"https://old.example.org/2019/01/01/gone/", "leads to nothing"}},
		} {
			if !hasLine(c.list, c.title, c.phrase...) {
				t.Errorf("report lacks a line on %q with %q", c.title, c.phrase)
			}
		}
		if rep.Comments.Created != 2 || rep.Meta["views_count"] != 1 || len(rep.Meta) != 1 {
			t.Errorf("comments %d, meta %v", rep.Comments, rep.Meta)
		}
	})
}

// TestOldAddressesRedirect asks the public site for every kind of old
// WordPress address and expects a 301 to the new place.
func TestOldAddressesRedirect(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		mustImport(t, db, "classic.wxr", &media.Dir{Root: t.TempDir()})
		s, err := site.New(site.Config{DB: db, Theme: site.DefaultTheme(), Now: db.Now})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(s.Handler())
		defer srv.Close()
		client := srv.Client()
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		for old, want := range map[string]string{
			"/?p=10":                               "/2024/05/06/lagos-port-reopens/",
			"/index.php?p=10":                      "/2024/05/06/lagos-port-reopens/",
			"/?p=10&utm_source=feed":               "/2024/05/06/lagos-port-reopens/",
			"/?page_id=20":                         "/about/",
			"/about/%E5%9B%A2%E9%98%9F/":           "/team/",
			"/2024/05/06/lagos-port-closed/":       "/2024/05/06/lagos-port-reopens/",
			"/?attachment_id=50":                   "/media/2024/05/port.jpg",
			"/2024/05/06/lagos-port-reopens/port/": "/media/2024/05/port.jpg",
			"/?attachment_id=51":                   "https://old.example.org/wp-content/uploads/2024/05/berths.png",
			"/category/world/africa/":              "/category/africa/",
			"/category/world/africa/nigeria/feed/": "/category/nigeria/feed/",
			"/?cat=3":                              "/category/nigeria/",
			"/?tag=shipping":                       "/tag/shipping/",
			"/author/jane.doe/":                    "/author/jane-doe/",
			"/?author=7":                           "/author/jane-doe/",
			"/?feed=rss2":                          "/feed/",
			"/about/%e5%9b%a2%e9%98%9f/":           "/team/",
		} {
			res, err := client.Get(srv.URL + old)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != want {
				t.Errorf("GET %s: %d → %q, want 301 → %q", old, res.StatusCode, res.Header.Get("Location"), want)
			}
		}
		// A draft's old address leads nowhere: it is not public.
		res, err := client.Get(srv.URL + "/?p=12")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET /?p=12 (a draft): %d, want the front page", res.StatusCode)
		}
		// The SEO title is the page's <title>.
		res, err = client.Get(srv.URL + "/2024/05/06/lagos-port-reopens/")
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, res)
		if !strings.Contains(body, `<figure class="featured-image"><img src="/media/2024/05/port.jpg" fetchpriority="high" decoding="async" alt="Cranes at dawn"><figcaption>Cranes at dawn in Apapa</figcaption></figure>`) ||
			!strings.Contains(body, `<meta property="og:image" content="`+srv.URL+`/media/2024/05/port.jpg">`) {
			t.Errorf("post page lacks its featured image")
		}
		if !strings.Contains(body, "<title>Lagos reopens – Harbour Times</title>") ||
			!strings.Contains(body, `content="Apapa&#39;s cranes move again after three days."`) {
			t.Errorf("post page lacks the SEO title or description")
		}
	})
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}

// snapshot is what a test compares before and after an operation that
// must change nothing.
type snapshot struct {
	posts, pages, media, aliases int
	updated                      []time.Time
}

func snap(t *testing.T, db *store.DB) snapshot {
	t.Helper()
	var s snapshot
	var err error
	if s.posts, err = db.CountPosts(ctx, content.KindPost); err != nil {
		t.Fatal(err)
	}
	if s.pages, err = db.CountPosts(ctx, content.KindPage); err != nil {
		t.Fatal(err)
	}
	ms, err := db.FindMediaPage(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	s.media = len(ms)
	as, err := db.FindAliases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.aliases = len(as)
	posts, err := db.FindPostsPage(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range posts {
		s.updated = append(s.updated, p.UpdatedAt)
	}
	return s
}

func sameSnap(a, b snapshot) bool {
	if a.posts != b.posts || a.pages != b.pages || a.media != b.media || a.aliases != b.aliases || len(a.updated) != len(b.updated) {
		return false
	}
	for i := range a.updated {
		if !a.updated[i].Equal(b.updated[i]) {
			return false
		}
	}
	return true
}

func TestReimportIsIdempotent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		lib := &media.Dir{Root: t.TempDir()}
		mustImport(t, db, "classic.wxr", lib)
		before := snap(t, db)
		db.Now = func() time.Time { return time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC) }
		rep := mustImport(t, db, "classic.wxr", lib)
		if rep.Created != 0 || rep.Updated != 0 || rep.Unchanged != 10 || rep.Attachments.Unchanged != 2 || rep.Attachments.Created != 0 {
			t.Errorf("re-import: created %d updated %d unchanged %d, attachments %+v", rep.Created, rep.Updated, rep.Unchanged, rep.Attachments)
		}
		if after := snap(t, db); !sameSnap(before, after) {
			t.Errorf("re-import changed the site: before %+v, after %+v", before, after)
		}
	})
}

func TestDryRunWritesNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		lib := &media.Dir{Root: t.TempDir()}
		before := snap(t, db)
		rep, err := importFile(t, db, "classic.wxr", lib, true)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.DryRun || rep.Posts.Created != 8 || rep.Attachments.Created != 2 || len(rep.Skipped) == 0 {
			t.Errorf("dry run should report what would happen: %+v", rep)
		}
		if after := snap(t, db); !sameSnap(before, after) {
			t.Errorf("dry run changed the database: before %+v, after %+v", before, after)
		}
		if entries, _ := os.ReadDir(lib.Root); len(entries) != 0 {
			t.Errorf("dry run wrote %d entries into the media folder", len(entries))
		}
	})
}

func TestWXR10(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		rep := mustImport(t, db, "wxr-1.0.wxr", nil)
		if rep.Created != 1 {
			t.Fatalf("created %d, want 1; skipped %+v", rep.Created, rep.Skipped)
		}
		p := find(t, db, content.KindPost, "first-light")
		if p.Body != "<p>Fog lifted at seven.<br>\nThe gulls came back.</p>\n<p>Low tide at noon.</p>" {
			t.Errorf("body: %q", p.Body)
		}
		if len(p.Categories) != 1 || p.Categories[0].Slug != "uncategorized" || len(p.Tags) != 1 || p.Tags[0].Slug != "tides" {
			t.Errorf("terms: %+v %+v", p.Categories, p.Tags)
		}
		if len(p.Authors) != 1 || p.Authors[0].Slug != "admin" {
			t.Errorf("authors: %+v", p.Authors)
		}
		// The old site lived under /blog: its addresses lose the prefix.
		a, err := db.FindAlias(ctx, "/2010/02/first-light/")
		if err != nil || a.PostID != p.ID {
			t.Errorf("alias of the old permalink: %+v %v", a, err)
		}
	})
}

// TestBadInputChangesNothing imports a good file, then each broken one,
// and expects a clear error naming the place, with the site as it was.
func TestBadInputChangesNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		lib := &media.Dir{Root: t.TempDir()}
		mustImport(t, db, "wxr-1.0.wxr", nil)
		before := snap(t, db)
		for name, want := range map[string]string{
			"truncated.wxr":       "truncated",
			"invalid.wxr":         "line 154: invalid XML",
			"unknown-version.wxr": `WXR version "3.0" is not one Broadsheet reads`,
		} {
			_, err := importFile(t, db, name, lib, false)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: got error %v, want one saying %q", name, err, want)
			}
			if after := snap(t, db); !sameSnap(before, after) {
				t.Errorf("%s: the failed import changed the site", name)
			}
			if entries, _ := os.ReadDir(lib.Root); len(entries) != 0 {
				t.Errorf("%s: the failed import left files in the library", name)
			}
		}
		_, err := wxr.Import(ctx, db, strings.NewReader(`<?xml version="1.0"?><html><body>hello</body></html>`), wxr.Options{})
		if err == nil || !strings.Contains(err.Error(), "not a WordPress export") {
			t.Errorf("HTML file: got %v", err)
		}
	})
}

func TestDuplicatePostIDs(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		rep := mustImport(t, db, "duplicate-ids.wxr", &media.Dir{Root: t.TempDir()})
		if !hasLine(rep.Skipped, "About", "duplicate post id 13", "line 134") {
			t.Errorf("no report line for the duplicate id: %+v", rep.Skipped)
		}
		if _, err := db.FindPostBySlug(ctx, content.KindPage, "about"); !content.IsNotFound(err) {
			t.Errorf("the duplicate was imported: %v", err)
		}
		if p := find(t, db, content.KindPost, "new-terminal"); p.Status != content.StatusScheduled {
			t.Errorf("the first holder of the id: %+v", p)
		}
	})
}

// TestHugeBody streams a 50 MB body: the entry is skipped with a report
// line, the rest imported.
func TestHugeBody(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		big := strings.Repeat("<p>Forty-nine bytes of a very long story, again.</p>\n", 50<<20/50)
		doc := `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Big</title><link>https://big.example.org</link><wp:wxr_version>1.2</wp:wxr_version>
<item><title>Huge</title><guid>https://big.example.org/?p=1</guid><content:encoded><![CDATA[` + big + `]]></content:encoded>
<wp:post_id>1</wp:post_id><wp:post_date_gmt>2024-01-01 00:00:00</wp:post_date_gmt><wp:post_name>huge</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
<item><title>Small</title><guid>https://big.example.org/?p=2</guid><content:encoded><![CDATA[Short.]]></content:encoded>
<wp:post_id>2</wp:post_id><wp:post_date_gmt>2024-01-02 00:00:00</wp:post_date_gmt><wp:post_name>small</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
</channel></rss>`
		rep, err := wxr.Import(ctx, db, strings.NewReader(doc), wxr.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Created != 1 || !hasLine(rep.Skipped, "Huge", "MB, more than the 8 MB") {
			t.Errorf("created %d, skipped %+v", rep.Created, rep.Skipped)
		}
		find(t, db, content.KindPost, "small")
	})
}

// TestReimportMatchesByPostID imports the site again after it moved to
// https (every guid changed): entries are matched by their WordPress id.
func TestReimportMatchesByPostID(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		lib := &media.Dir{Root: t.TempDir()}
		mustImport(t, db, "classic.wxr", lib)
		before := snap(t, db)
		data, err := os.ReadFile(filepath.Join("testdata", "classic.wxr"))
		if err != nil {
			t.Fatal(err)
		}
		moved := strings.ReplaceAll(string(data), `<guid isPermaLink="false">https://old.example.org/?`, `<guid isPermaLink="false">https://www.example.org/?`)
		rep, err := wxr.Import(ctx, db, strings.NewReader(moved), wxr.Options{Uploads: filepath.Join("testdata", "uploads"), Media: lib})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Created != 0 || rep.Updated != 10 {
			t.Errorf("created %d, updated %d; want 0 and 10 (the new guids recorded)", rep.Created, rep.Updated)
		}
		if after := snap(t, db); after.posts != before.posts || after.pages != before.pages {
			t.Errorf("entries: before %+v, after %+v", before, after)
		}
		if p := find(t, db, content.KindPost, "lagos-port-reopens"); p.ImportKey != "https://www.example.org/?p=10" {
			t.Errorf("import key: %q", p.ImportKey)
		}
	})
}

func TestWXR11(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		data, err := os.ReadFile(filepath.Join("testdata", "classic.wxr"))
		if err != nil {
			t.Fatal(err)
		}
		doc := strings.ReplaceAll(strings.Replace(string(data), "<wp:wxr_version>1.2<", "<wp:wxr_version>1.1<", 1), "export/1.2/", "export/1.1/")
		rep, err := wxr.Import(ctx, db, strings.NewReader(doc), wxr.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Posts.Created != 8 || rep.Pages.Created != 2 {
			t.Errorf("WXR 1.1: posts %+v, pages %+v", rep.Posts, rep.Pages)
		}
	})
}

// TestSampleSite imports the publication's sample export, twice, when the
// shared sample folder is beside the repository.
func TestSampleSite(t *testing.T) {
	name := filepath.Join("..", "..", "..", "..", "shared", "sample", "front-page.wxr")
	if _, err := os.Stat(name); err != nil {
		t.Skipf("sample export not found beside the repository (%s)", name)
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		for i, want := range []wxr.Counts{{Created: 20}, {Unchanged: 20}} {
			f, err := os.Open(name)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := wxr.Import(ctx, db, f, wxr.Options{})
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			if rep.Posts != want {
				t.Errorf("import %d: posts %+v, want %+v", i+1, rep.Posts, want)
			}
		}
	})
}

// TestHostileAttachmentPaths: an export naming files outside the uploads
// folder gets report lines, and nothing is read or written outside.
func TestHostileAttachmentPaths(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		item := func(id int, file string) string {
			return `<item><title>f` + strconv.Itoa(id) + `</title><guid>https://h.example.org/?attachment_id=` + strconv.Itoa(id) + `</guid>
<wp:post_id>` + strconv.Itoa(id) + `</wp:post_id><wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type>
<wp:attachment_url>https://h.example.org/x.jpg</wp:attachment_url>
<wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key><wp:meta_value>` + file + `</wp:meta_value></wp:postmeta></item>`
		}
		doc := `<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version>` +
			item(1, "../../etc/passwd") + item(2, "/etc/passwd") + item(3, "2024/../../../secret.txt") + `</channel></rss>`
		lib := &media.Dir{Root: t.TempDir()}
		rep, err := wxr.Import(ctx, db, strings.NewReader(doc), wxr.Options{Uploads: filepath.Join("testdata", "uploads"), Media: lib})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Attachments.Created != 0 || rep.Attachments.Skipped != 3 {
			t.Errorf("attachments: %+v, skipped %+v", rep.Attachments, rep.Skipped)
		}
		if entries, _ := os.ReadDir(lib.Root); len(entries) != 0 {
			t.Errorf("files written: %v", entries)
		}
	})
}

// TestImportMatchesAttachmentsItWrote: into an empty library, an
// attachment naming the file an earlier one named, under another guid, is
// the item the import wrote for the earlier one, not a second item: one
// file, one item, the later ones counted as updating it.
func TestImportMatchesAttachmentsItWrote(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		uploads := t.TempDir()
		if err := os.MkdirAll(filepath.Join(uploads, "2024", "05"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(uploads, "2024", "05", "report.pdf"), []byte("%PDF-1.4\n%%EOF\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		var doc strings.Builder
		doc.WriteString(`<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"><channel><wp:wxr_version>1.2</wp:wxr_version>`)
		for _, a := range []struct {
			id      int
			guid    string
			caption string
		}{{1, "a", "The report"}, {2, "b", "The report"}, {3, "c", "The report, again"}} {
			fmt.Fprintf(&doc, `<item><title>report</title><guid>https://h.example.org/files/%s</guid><wp:post_id>%d</wp:post_id>
<excerpt:encoded>%s</excerpt:encoded><wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type>
<wp:attachment_url>https://h.example.org/wp-content/uploads/2024/05/report.pdf</wp:attachment_url></item>`, a.guid, a.id, a.caption)
		}
		doc.WriteString(`</channel></rss>`)
		lib := &media.Dir{Root: t.TempDir()}
		rep, err := wxr.Import(ctx, db, strings.NewReader(doc.String()), wxr.Options{Uploads: uploads, Media: lib})
		if err != nil {
			t.Fatal(err)
		}
		if want := (wxr.Counts{Created: 1, Updated: 2}); rep.Attachments != want {
			t.Errorf("attachments %+v, want %+v; skipped: %+v", rep.Attachments, want, rep.Skipped)
		}
		items, total, err := db.FindMediaList(ctx, "", 0, 10)
		if err != nil || total != 1 {
			t.Fatalf("library: %d items, %v; want 1", total, err)
		}
		if items[0].Caption != "The report, again" {
			t.Errorf("caption %q, want the last listing's", items[0].Caption)
		}
	})
}

// TestImportStopsWhenAFileCannotBeCopied: a file the media library cannot
// take (its folder cannot be made) stops the import with an error naming
// the file, since the entries written meanwhile may already link to it:
// nothing is stored and no copy is left behind.
func TestImportStopsWhenAFileCannotBeCopied(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		uploads := t.TempDir()
		if err := os.MkdirAll(filepath.Join(uploads, "2024", "05"), 0o755); err != nil {
			t.Fatal(err)
		}
		var doc strings.Builder
		doc.WriteString(`<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><wp:wxr_version>1.2</wp:wxr_version>`)
		for i, name := range []string{"2024/05/report.pdf", "2024/05/annex.pdf", "2025/06/map.pdf"} {
			if err := os.MkdirAll(filepath.Join(uploads, filepath.Dir(name)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(uploads, filepath.FromSlash(name)), []byte("%PDF-1.4\n%%EOF\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&doc, `<item><title>%s</title><guid>https://h.example.org/?attachment_id=%d</guid><wp:post_id>%d</wp:post_id>
<wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type><wp:attachment_url>https://h.example.org/wp-content/uploads/%s</wp:attachment_url></item>`,
				name, i+1, i+1, name)
		}
		doc.WriteString(`<item><title>Report</title><guid>https://h.example.org/?p=9</guid><wp:post_id>9</wp:post_id><wp:post_name>report</wp:post_name>
<content:encoded><![CDATA[<p><a href="https://h.example.org/wp-content/uploads/2024/05/report.pdf">The report</a>.</p>]]></content:encoded>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type><wp:post_date_gmt>2024-05-06 10:00:00</wp:post_date_gmt></item></channel></rss>`)
		root := t.TempDir()
		// The library's 2024 folder cannot be made: a file has its name.
		if err := os.WriteFile(filepath.Join(root, "2024"), []byte("in the way"), 0o644); err != nil {
			t.Fatal(err)
		}
		lib := &media.Dir{Root: root}
		_, err := wxr.Import(ctx, db, strings.NewReader(doc.String()), wxr.Options{Uploads: uploads, Media: lib})
		if err == nil || !strings.Contains(err.Error(), "cannot be copied into the library") || !strings.Contains(err.Error(), "2024/05/") {
			t.Fatalf("import = %v, want an error naming a file that cannot be copied", err)
		}
		if n, err := db.CountPosts(ctx, content.KindPost); err != nil || n != 0 {
			t.Errorf("posts stored by the failed import: %d, %v", n, err)
		}
		if _, total, err := db.FindMediaList(ctx, "", 0, 10); err != nil || total != 0 {
			t.Errorf("library items stored by the failed import: %d, %v", total, err)
		}
		if exists(lib, "2025/06/map.pdf") {
			t.Errorf("a copy of the failed import is left in the library")
		}
	})
}

// TestUploadsFolderLinksAndSpecialFiles: in the uploads folder, a symbolic
// link (to a secret outside, to a file inside, or on the way, a linked
// folder), a named pipe and a folder are refused, each with a report line
// naming the file and why; only the real file reaches the library, and
// nothing of the secret does.
func TestUploadsFolderLinksAndSpecialFiles(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		uploads, outside := t.TempDir(), t.TempDir()
		secret := filepath.Join(outside, "secret.txt")
		if err := os.WriteFile(secret, []byte("the database password"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(uploads, "2024", "05"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(uploads, "2024", "05", "real.pdf"), []byte("%PDF-1.4\n%%EOF\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		for name, target := range map[string]string{"2024/05/out.pdf": secret, "2024/05/in.pdf": "real.pdf", "2023": outside} {
			if err := os.Symlink(target, filepath.Join(uploads, filepath.FromSlash(name))); err != nil {
				t.Fatal(err)
			}
		}
		if err := syscall.Mkfifo(filepath.Join(uploads, "2024", "05", "pipe.mp3"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(filepath.Join(uploads, "2024", "05", "dir.png"), 0o755); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{ // title → what the report says
			"2024/05/out.pdf":  `file "2024/05/out.pdf" is a symbolic link`,
			"2024/05/in.pdf":   `file "2024/05/in.pdf" is a symbolic link`,
			"2023/secret.txt":  `file "2023/secret.txt" is reached through a symbolic link (2023)`,
			"2024/05/pipe.mp3": `file "2024/05/pipe.mp3" is a named pipe`,
			"2024/05/dir.png":  `file "2024/05/dir.png" is a folder`,
		}
		var doc strings.Builder
		doc.WriteString(`<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version>`)
		for i, file := range append([]string{"2024/05/real.pdf"}, slices.Sorted(maps.Keys(want))...) {
			fmt.Fprintf(&doc, `<item><title>%s</title><guid>https://h.example.org/?attachment_id=%d</guid><wp:post_id>%d</wp:post_id>
<wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type><wp:attachment_url>https://h.example.org/wp-content/uploads/%s</wp:attachment_url></item>`,
				file, i+1, i+1, file)
		}
		doc.WriteString(`</channel></rss>`)
		lib := &media.Dir{Root: t.TempDir()}
		rep, err := wxr.Import(ctx, db, strings.NewReader(doc.String()), wxr.Options{Uploads: uploads, Media: lib})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Attachments.Created != 1 || rep.Attachments.Skipped != len(want) {
			t.Errorf("attachments %+v, want 1 created and %d skipped; skipped: %+v", rep.Attachments, len(want), rep.Skipped)
		}
		for title, says := range want {
			if !hasLine(rep.Skipped, title, says, "not imported") {
				t.Errorf("no report line for %s saying %q: %+v", title, says, rep.Skipped)
			}
		}
		if !exists(lib, "2024/05/real.pdf") {
			t.Errorf("the real file is not in the library")
		}
		filepath.WalkDir(lib.Root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if d.Type()&fs.ModeSymlink != 0 {
				t.Errorf("the library holds a link: %s", p)
			}
			if b, _ := os.ReadFile(p); strings.Contains(string(b), "the database password") {
				t.Errorf("the secret was copied into the library as %s", p)
			}
			return nil
		})
	})
}

// TestImportedBodiesCarryOnlyWebURLs imports bodies whose media, written
// as HTML and as WordPress shortcodes, hold script URLs, with a link to an
// entry imported after them (rewritten once the import is done): what is
// stored, and served, keeps no URL of another scheme.
func TestImportedBodiesCarryOnlyWebURLs(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		body := `<p><a href="https://old.example/2024/01/03/later/">Later</a></p>
<video controls poster="javascript:alert(1)"><source src="JaVaScRiPt:alert(2)" type="video/mp4"></video>
<img src="/a.png" srcset="/a.png 1x, &#106;avascript:alert(3) 2x">
[video src="https://old.example/v.mp4" poster="javascript:alert(4)"]
[audio src="javascript:alert(5)"]
<!--more--><p><video poster=" java&#9;script:alert(6)"></video></p>`
		doc := `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Old</title><link>https://old.example</link><wp:base_site_url>https://old.example</wp:base_site_url><wp:wxr_version>1.2</wp:wxr_version>
<item><title>Media</title><guid>https://old.example/?p=1</guid><content:encoded><![CDATA[` + body + `]]></content:encoded>
<wp:post_id>1</wp:post_id><wp:post_date_gmt>2024-01-02 00:00:00</wp:post_date_gmt><wp:post_name>media</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
<item><title>Later</title><guid>https://old.example/?p=2</guid><content:encoded><![CDATA[<p>Later.</p>]]></content:encoded>
<excerpt:encoded><![CDATA[<img src=x onerror=alert(7)>]]></excerpt:encoded>
<wp:post_id>2</wp:post_id><wp:post_date_gmt>2024-01-03 00:00:00</wp:post_date_gmt><wp:post_name>later</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
</channel></rss>`
		if _, err := wxr.Import(ctx, db, strings.NewReader(doc), wxr.Options{}); err != nil {
			t.Fatal(err)
		}
		p := find(t, db, content.KindPost, "media")
		if !strings.Contains(p.BodyHTML, `href="/2024/01/03/later/"`) {
			t.Errorf("the link to the later entry was not rewritten: %s", p.BodyHTML)
		}
		for name, html := range map[string]string{"body": p.Body, "rendered body": p.BodyHTML, "teaser": p.TeaserHTML,
			"later's teaser": find(t, db, content.KindPost, "later").TeaserHTML} {
			if bad := markuptest.Unsafe(html); len(bad) > 0 {
				t.Errorf("%s %q:\n\t%s", name, html, strings.Join(bad, "\n\t"))
			}
		}
	})
}

// TestFeaturedImagesImported: a post's featured image (_thumbnail_id)
// comes with it, and a featured file that is not an image is reported and
// left out, on the first import (files of this run) and on the next
// (files of an earlier one) alike.
func TestFeaturedImagesImported(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		uploads := t.TempDir()
		if err := os.MkdirAll(filepath.Join(uploads, "2024", "05"), 0o755); err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{"2024/05/report.pdf": []byte("%PDF-1.4\n%%EOF\n"), "2024/05/crane.png": pngOf(t, 8, 6)}
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(uploads, filepath.FromSlash(name)), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var doc strings.Builder
		doc.WriteString(`<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version>`)
		for i, file := range []string{"2024/05/report.pdf", "2024/05/crane.png"} {
			fmt.Fprintf(&doc, `<item><title>%s</title><guid>https://h.example.org/?attachment_id=%d</guid><wp:post_id>%d</wp:post_id>
<wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type><wp:attachment_url>https://h.example.org/wp-content/uploads/%s</wp:attachment_url></item>`,
				file, i+1, i+1, file)
		}
		for i, slug := range []string{"annual-report", "port-cranes"} {
			fmt.Fprintf(&doc, `<item><title>%s</title><guid>https://h.example.org/?p=%d</guid><wp:post_id>%d</wp:post_id>
<wp:post_date_gmt>2024-05-0%d 09:00:00</wp:post_date_gmt><wp:post_name>%s</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>%d</wp:meta_value></wp:postmeta></item>`,
				slug, 10+i, 10+i, i+1, slug, i+1)
		}
		doc.WriteString(`</channel></rss>`)
		lib := &media.Dir{Root: t.TempDir()}
		for round := 1; round <= 2; round++ {
			rep, err := wxr.Import(ctx, db, strings.NewReader(doc.String()), wxr.Options{Uploads: uploads, Media: lib})
			if err != nil {
				t.Fatalf("import %d: %v", round, err)
			}
			if !hasLine(rep.Changed, "annual-report", "featured file 2024/05/report.pdf is not an image") {
				t.Errorf("import %d: no report line for the PDF featured by annual-report: %+v", round, rep.Changed)
			}
			for slug, want := range map[string]string{"annual-report": "", "port-cranes": "2024/05/crane.png"} {
				p := find(t, db, content.KindPost, slug)
				f, err := db.FindFeatured(ctx, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				got := ""
				if f != nil {
					got = f.Key
				}
				if got != want {
					t.Errorf("import %d: %s's featured image is %q, want %q", round, slug, got, want)
				}
			}
		}
	})
}

// pngOf returns a w×h PNG image.
func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
