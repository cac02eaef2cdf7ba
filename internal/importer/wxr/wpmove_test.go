package wxr_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/importer/wxr"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
	"github.com/broadsheet/broadsheet/internal/wordpress/wxrtest"
)

// wpcomUploads writes the files of testdata/wpcom.wxr's attachments as a
// WordPress.com site's download of its media gives them: by year and
// month, with no _wp_attached_file in the export to name them.
func wpcomUploads(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"2024/05/crane.jpg", "2024/05/dock.jpg"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("\xff\xd8\xff\xe0 "+name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func importWPCom(t *testing.T, db *store.DB, uploads string, lib *media.Dir) *wxr.Report {
	t.Helper()
	f, err := os.Open("testdata/wpcom.wxr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := wxr.Import(ctx, db, f, wxr.Options{Uploads: uploads, Media: lib})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestImportWordPressComExport imports a WordPress.com export: its
// attachments name no file but an address on site.files.wordpress.com,
// and its bodies hot-link the images in every form the old host serves.
func TestImportWordPressComExport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		lib := &media.Dir{Root: t.TempDir()}
		uploads := wpcomUploads(t)
		rep := importWPCom(t, db, uploads, lib)
		if rep.Attachments.Created != 2 {
			t.Errorf("attachments created = %d, want 2; skipped: %+v", rep.Attachments.Created, rep.Skipped)
		}
		for _, key := range []string{"2024/05/crane.jpg", "2024/05/dock.jpg"} {
			if !exists(lib, key) {
				t.Errorf("the library lacks %s", key)
			}
		}
		p := find(t, db, content.KindPost, "cranes")
		for _, want := range []string{
			`<img src="/media/2024/05/crane.jpg" alt="Crane">`,
			`<img src="/media/2024/05/dock.jpg" alt="Dock">`,
			`<img src="/media/2024/05/crane.jpg" alt="Small crane">`,
			`<img src="/media/2024/05/dock.jpg" alt="Big dock">`,
			`<a href="/media/2024/05/crane.jpg">Full size</a>`,
		} {
			if !strings.Contains(p.BodyHTML, want) {
				t.Errorf("body lacks %s:\n%s", want, p.BodyHTML)
			}
		}
		if strings.Contains(p.BodyHTML, "wordpress.com") || strings.Contains(p.BodyHTML, "wp.com") {
			t.Errorf("the body still links to the old host:\n%s", p.BodyHTML)
		}

		// Importing the same export again changes nothing.
		again := importWPCom(t, db, uploads, lib)
		if again.Created != 0 || again.Updated != 0 || again.Attachments.Created != 0 || again.Attachments.Updated != 0 {
			t.Errorf("re-import: created %d, updated %d, attachments %+v", again.Created, again.Updated, again.Attachments)
		}
	})
}

// TestImportKeepsWhatTheOldSiteWas checks the parts of a move beyond the
// entries themselves: two entries sharing a guid, when each last changed,
// the site's name and time zone, its menu, galleries and embeds.
func TestImportKeepsWhatTheOldSiteWas(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		lib := &media.Dir{Root: t.TempDir()}
		rep := importWPCom(t, db, wpcomUploads(t), lib)

		// Two posts share a guid: both are imported.
		cranes := find(t, db, content.KindPost, "cranes")
		winter := find(t, db, content.KindPost, "winter-berths")
		if cranes.ID == winter.ID || winter.Title != "Winter berths" {
			t.Errorf("posts sharing a guid: %d %q and %d %q", cranes.ID, cranes.Title, winter.ID, winter.Title)
		}
		// A link written with a doubled slash is the same page's.
		if want := `<a href="` + cranes.Path() + `">the cranes</a>`; !strings.Contains(winter.BodyHTML, want) {
			t.Errorf("body lacks %s:\n%s", want, winter.BodyHTML)
		}
		if !hasLine(rep.Changed, "Winter berths", "guid", "entry of its own") {
			t.Errorf("no report line on the shared guid: %+v", rep.Changed)
		}

		// The day in a dated address is the old site's: the cranes came
		// out at 01:30 in Paris, 23:30 UTC the day before.
		for p, want := range map[*content.Post]string{cranes: "/2024/05/10/cranes/", winter: "/2024/12/01/winter-berths/"} {
			if p.Path() != want {
				t.Errorf("%q is at %s, want %s, its address on the old site", p.Title, p.Path(), want)
			}
		}

		// Modified times are the old site's, not the import's.
		if want := time.Date(2024, 6, 1, 8, 0, 0, 0, time.UTC); !cranes.UpdatedAt.Equal(want) {
			t.Errorf("modified time = %v, want %v (post_modified_gmt)", cranes.UpdatedAt, want)
		}
		if want := time.Date(2024, 12, 2, 9, 0, 0, 0, time.UTC); !winter.UpdatedAt.Equal(want) {
			t.Errorf("modified time = %v, want %v (post_modified, shifted to UTC)", winter.UpdatedAt, want)
		}

		s, err := db.LoadSettings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The channel's title, not its image's; a zone with +2 in May and
		// +1 in December.
		if s.Title != "Harbour Wire" {
			t.Errorf("site title = %q, want the channel's", s.Title)
		}
		if s.TimeZone != "Europe/Paris" {
			t.Errorf("time zone = %q, want one with +02:00 in May and +01:00 in December (Europe/Paris)", s.TimeZone)
		}

		// The largest menu, top-level links in order; nested ones said.
		wantMenu := []content.MenuItem{
			{Label: "About", URL: "/about/"},
			{Label: "Ports", URL: "/category/ports/"},
			{Label: "The cranes story", URL: cranes.Path()},
			{Label: "Elsewhere", URL: "https://elsewhere.example.com/"},
		}
		if diff := cmp.Diff(wantMenu, s.Menu); diff != "" {
			t.Errorf("navigation (-want +got):\n%s", diff)
		}
		if !hasLine(rep.Changed, "Main", "1 nested link") || !hasLine(rep.Skipped, "Footer", "one navigation menu") {
			t.Errorf("no report lines on the nested link and the other menu: %+v %+v", rep.Changed, rep.Skipped)
		}

		// [gallery] without ids: the images attached to the post, which
		// the file lists after it.
		if !strings.Contains(cranes.BodyHTML, `<figure class="gallery"><img src="/media/2024/05/crane.jpg" alt=""><img src="/media/2024/05/dock.jpg" alt=""></figure>`) {
			t.Errorf("gallery not made of the attached images:\n%s", cranes.BodyHTML)
		}
		// A bare address on its own line: the desk's embed, or a link.
		for _, want := range []string{
			`<figure class="video-embed"><iframe src="https://www.youtube-nocookie.com/embed/abc123" title="YouTube player"`,
			`<p><a href="https://example.net/report/"`,
		} {
			if !strings.Contains(cranes.BodyHTML, want) {
				t.Errorf("body lacks %s:\n%s", want, cranes.BodyHTML)
			}
		}

		// A second import changes nothing, the settings included.
		again := importWPCom(t, db, wpcomUploads(t), lib)
		if again.Created != 0 || again.Updated != 0 {
			t.Errorf("re-import: created %d, updated %d", again.Created, again.Updated)
		}
		s2, err := db.LoadSettings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(s, s2); diff != "" {
			t.Errorf("settings changed by a re-import (-first +second):\n%s", diff)
		}
	})
}

// oldImage finds an image still shown from WordPress.com's hosts.
var oldImage = regexp.MustCompile(`src="[^"]*(?:wordpress\.com|wp\.com)/`)

// TestImportGeneratedWordPressComSite imports a generated WordPress.com
// export of a hundred attachments: every file comes in from the uploads
// folder by its address, and no body is left showing images from the old
// hosts.
func TestImportGeneratedWordPressComSite(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		uploads := t.TempDir()
		var buf bytes.Buffer
		spec := wxrtest.Spec{Posts: 60, Attachments: 100, Categories: 5, Tags: 10, Authors: 2, Uploads: uploads, WordPressCom: true}
		if err := wxrtest.Generate(&buf, spec); err != nil {
			t.Fatal(err)
		}
		lib := &media.Dir{Root: t.TempDir()}
		rep, err := wxr.Import(ctx, db, bytes.NewReader(buf.Bytes()), wxr.Options{Uploads: uploads, Media: lib})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Attachments.Created != 100 || rep.Attachments.Skipped != 0 {
			t.Errorf("attachments %+v, want all 100 imported; skipped: %+v", rep.Attachments, rep.Skipped)
		}
		posts, err := db.FindPostsPage(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		images := 0
		for _, p := range posts {
			if oldImage.MatchString(p.BodyHTML) {
				t.Errorf("%s still shows images from the old hosts:\n%s", p.Slug, p.BodyHTML)
			}
			images += strings.Count(p.BodyHTML, `<img src="/media/`)
		}
		if images == 0 {
			t.Errorf("no body shows an image of the library")
		}
	})
}
