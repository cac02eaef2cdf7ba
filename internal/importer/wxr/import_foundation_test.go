package wxr_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/importer/wxr"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
	"github.com/broadsheet/broadsheet/internal/wordpress"
)

func importString(t *testing.T, db *store.DB, src string) (*wxr.Report, error) {
	t.Helper()
	return wxr.Import(ctx, db, strings.NewReader(src), wxr.Options{})
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestImportSmallExport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		rep, err := importString(t, db, readFile(t, "testdata/small.wxr"))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Read != 4 || rep.Created != 3 {
			t.Errorf("read %d, created %d; want 4 read, 3 created", rep.Read, rep.Created)
		}
		var reasons []string
		for _, s := range append(rep.Skipped, rep.Changed...) {
			reasons = append(reasons, s.Title+": "+s.Reason)
		}
		wantReasons := []string{
			"A picture: file pic.jpg not imported: give the uploads folder with --uploads; posts keep linking to the old address",
			`Bogotá’s water compact: term "Rivers" of taxonomy "series" not imported (custom taxonomies are not supported)`,
			`Same slug, other post: the slug "bogota-water" is taken: the post is at /2026/11/04/bogota-water-2/`,
			"Harbour & Hills: time zone set to Europe/Paris, as the old site's dates show",
		}
		if diff := cmp.Diff(wantReasons, reasons); diff != "" {
			t.Errorf("skipped and changed (-want +got):\n%s", diff)
		}

		p, err := db.FindPostBySlug(ctx, content.KindPost, "bogota-water")
		if err != nil {
			t.Fatal(err)
		}
		if p.Title != "Bogotá’s water compact" || !p.PublishedAt.Equal(time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("post = %q at %v", p.Title, p.PublishedAt)
		}
		if strings.Contains(p.Body, "script") || strings.Contains(p.Body, "wp:paragraph") || !strings.Contains(p.Body, "<!--more-->") {
			t.Errorf("stored body not cleaned and sanitised with its break kept: %q", p.Body)
		}
		if p.TeaserHTML != "<p>Intro by the editors.</p>" || !p.HasMore {
			t.Errorf("teaser = %q (more %v)", p.TeaserHTML, p.HasMore)
		}
		wantSrc := &content.Source{Name: "Andes Wire Service", URL: "https://andeswire.example/compact", Author: "Lucía Pérez",
			PublishedAt: time.Date(2026, 11, 1, 8, 30, 0, 0, time.UTC)}
		if diff := cmp.Diff(wantSrc, p.Source); diff != "" {
			t.Errorf("source (-want +got):\n%s", diff)
		}
		if len(p.Authors) != 1 || p.Authors[0].Name != "Tomás Ibáñez" || p.Authors[0].Slug != "tomas" {
			t.Errorf("authors = %+v", p.Authors)
		}
		if len(p.Categories) != 1 || p.Categories[0].Slug != "andes" || len(p.Tags) != 1 || p.Tags[0].Slug != "water" {
			t.Errorf("terms = %+v %+v", p.Categories, p.Tags)
		}
		andes, _ := db.FindTermBySlug(ctx, content.TaxCategory, "andes")
		americas, _ := db.FindTermBySlug(ctx, content.TaxCategory, "americas")
		if andes == nil || americas == nil || andes.ParentID != americas.ID {
			t.Errorf("Andes is not a child of Americas: %+v %+v", andes, americas)
		}
		// The old URL, under the blog's base path, is kept.
		a, err := db.FindAlias(ctx, "/archives/77")
		if err != nil || a.PostID != p.ID {
			t.Errorf("alias of the old URL = %+v, %v", a, err)
		}

		lodz, err := db.FindPostBySlug(ctx, content.KindPost, "łodz")
		if err != nil {
			t.Fatalf("percent-encoded slug not decoded: %v", err)
		}
		if lodz.Body != "<p>Short piece]]&gt;, whole.</p>" {
			t.Errorf("CDATA containing ]]> read as %q", lodz.Body)
		}
		if lodz.Excerpt != "A summary & more." || lodz.TeaserHTML != "<p>A summary &amp; more.</p>" {
			t.Errorf("excerpt = %q, teaser %q", lodz.Excerpt, lodz.TeaserHTML)
		}
		if len(lodz.Authors) != 1 || lodz.Authors[0].Slug != "ghost-writer" {
			t.Errorf("an author named only by dc:creator is not created: %+v", lodz.Authors)
		}
		if _, err := db.FindPostBySlug(ctx, content.KindPost, "bogota-water-2"); err != nil {
			t.Errorf("a second post with a taken slug did not get a free one: %v", err)
		}
		s, _ := db.LoadSettings(ctx)
		if s.Title != "Harbour & Hills" {
			t.Errorf("site title = %q, want the export's", s.Title)
		}
	})
}

func TestReimportChangesNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		src := readFile(t, "testdata/small.wxr")
		if _, err := importString(t, db, src); err != nil {
			t.Fatal(err)
		}
		before, _, _ := db.FindPosts(ctx, store.PostFilter{WithBody: true})
		rep, err := importString(t, db, src)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Created != 0 || rep.Updated != 0 || rep.Unchanged != 3 {
			t.Errorf("re-import: created %d, updated %d, unchanged %d; want 0, 0, 3", rep.Created, rep.Updated, rep.Unchanged)
		}
		after, _, _ := db.FindPosts(ctx, store.PostFilter{WithBody: true})
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("re-import changed stored posts (-before +after):\n%s", diff)
		}
		// An edited title in the export updates the same post.
		edited := strings.Replace(src, "Bogotá’s water compact", "Bogotá’s water compact, revised", 1)
		rep, err = importString(t, db, edited)
		if err != nil || rep.Updated != 1 || rep.Created != 0 {
			t.Fatalf("edited re-import: %+v, %v", rep, err)
		}
		if n, _ := db.CountPosts(ctx, content.KindPost); n != 3 {
			t.Errorf("%d posts after re-imports, want 3", n)
		}
	})
}

func TestSampleImportsTwiceAsTwenty(t *testing.T) {
	path := filepath.Join("..", "..", "..", "..", "shared", "sample", "front-page.wxr")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("the sample site is not beside the repository: %v", err)
	}
	db := storetest.Open(t, "sqlite")
	for i := 0; i < 2; i++ {
		if _, err := importString(t, db, readFile(t, path)); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := db.CountPosts(ctx, content.KindPost); n != 20 {
		t.Errorf("%d posts after importing the sample twice, want 20", n)
	}
}

func TestBadInputLeavesTheSiteAsItWas(t *testing.T) {
	good := readFile(t, "testdata/small.wxr")
	cut := strings.Index(good, "<title>Łódź")
	tests := []struct {
		name, src, wantMsg string
		wantLine           int
	}{
		{"truncated", good[:cut+40], "truncated", 0},
		{"HTML page", "<!DOCTYPE html>\n<html><body>Not an export</body></html>", "root element is <html>", 2},
		{"JSON", `{"posts": []}`, "not a WordPress export", 1},
		{"empty file", "", "no <rss> element", 1},
		{"plain RSS feed", `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a</title></item></channel></rss>`, "no <wp:wxr_version>", 1},
		{"unknown version", strings.Replace(good, "<wp:wxr_version>1.2<", "<wp:wxr_version>9.0<", 1), `WXR version "9.0"`, 0},
		{"mismatched tag", strings.Replace(good, "</wp:post_name>", "</wp:post_nom>", 1), "invalid XML", 0},
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		if _, err := importString(t, db, readFile(t, "testdata/small.wxr")); err != nil {
			t.Fatal(err)
		}
		before, _, _ := db.FindPosts(ctx, store.PostFilter{WithBody: true})
		for _, tt := range tests {
			// Each bad file also carries a new post before the fault, which must not land.
			src := strings.Replace(tt.src, "<guid isPermaLink=\"false\">https://old.example.org/?p=77</guid>",
				"<guid isPermaLink=\"false\">https://old.example.org/?p=7777</guid>", 1)
			_, err := importString(t, db, src)
			var pe *wordpress.ParseError
			if !errors.As(err, &pe) {
				t.Errorf("%s: err = %v, want a *ParseError", tt.name, err)
				continue
			}
			if !strings.Contains(err.Error(), tt.wantMsg) || !strings.Contains(err.Error(), "line ") {
				t.Errorf("%s: error %q does not say %q and a line", tt.name, err, tt.wantMsg)
			}
			if tt.wantLine != 0 && pe.Line != tt.wantLine {
				t.Errorf("%s: line %d, want %d", tt.name, pe.Line, tt.wantLine)
			}
			after, _, _ := db.FindPosts(ctx, store.PostFilter{WithBody: true})
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("%s: a failed import changed the site (-before +after):\n%s", tt.name, diff)
			}
		}
	})
}

// TestImportLongTitlesGetTwoAddresses imports two posts whose long titles
// agree past the longest slug allowed, neither with a slug of its own:
// both are imported, the second at a numbered address within the limit,
// and each imported post starts at version 1 in its history.
func TestImportLongTitlesGetTwoAddresses(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		long := strings.Repeat("Harbour authority reviews the dredging plan ", 6)
		item := func(id, end string) string {
			return `<item><title>` + long + end + `</title><guid isPermaLink="false">https://old.example.org/?p=` + id + `</guid>
<content:encoded><![CDATA[<p>x</p>]]></content:encoded><wp:post_id>` + id + `</wp:post_id>
<wp:post_date_gmt><![CDATA[2026-11-04 09:00:00]]></wp:post_date_gmt><wp:status><![CDATA[publish]]></wp:status>
<wp:post_type><![CDATA[post]]></wp:post_type></item>`
		}
		src := `<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Harbour</title>
<link>https://old.example.org</link><wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://old.example.org</wp:base_site_url>
` + item("90", "in spring") + item("91", "in autumn") + `</channel></rss>`
		rep, err := importString(t, db, src)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Created != 2 {
			t.Fatalf("created %d posts, want 2; skipped %+v", rep.Created, rep.Skipped)
		}
		posts, _, err := db.FindPosts(ctx, store.PostFilter{})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, p := range posts {
			if n := len([]rune(p.Slug)); n > content.MaxSlugLen {
				t.Errorf("slug of %d characters: %q", n, p.Slug)
			}
			seen[p.Slug] = true
			if v, err := db.PostVersion(ctx, p.ID); err != nil || v != 1 {
				t.Errorf("imported %q is at version %d (%v), want 1", p.Title, v, err)
			}
		}
		if len(seen) != 2 {
			t.Errorf("the two posts have slugs %v, want two different ones", seen)
		}
	})
}

// An export whose author is already on the site under another login (the
// editor running the import) credits their posts to that account and
// leaves it as it is, instead of failing on the address they share.
func TestImportCreditsAnExistingAccountByEmail(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		me := &content.User{Slug: "t-ibanez", Name: "Tomás I.", Email: "Tomas@Example.org", Role: content.RoleEditor}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.UpsertUser(ctx, me) }); err != nil {
			t.Fatal(err)
		}
		if _, err := importString(t, db, readFile(t, "testdata/small.wxr")); err != nil {
			t.Fatalf("import beside an account with the author's email: %v", err)
		}
		p, err := db.FindPostBySlug(ctx, content.KindPost, "bogota-water")
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Authors) != 1 || p.Authors[0].ID != me.ID {
			t.Errorf("the post is credited to %+v; want the existing account %d", p.Authors, me.ID)
		}
		u, err := db.FindUserBySlug(ctx, "t-ibanez")
		if err != nil {
			t.Fatal(err)
		}
		if u.Name != "Tomás I." || u.Role != content.RoleEditor {
			t.Errorf("the existing account became %q (%s); want it unchanged", u.Name, u.Role)
		}
		if _, err := db.FindUserBySlug(ctx, "tomas"); err == nil {
			t.Error("a second account was made for the same person")
		}
	})
}
