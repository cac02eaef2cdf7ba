package app_test

import (
	"context"
	"image/png"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/sourcedesk/desktest"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// deskPublishDraft does what the editor does in the admin: writes the
// introduction in place of the placeholder, and publishes.
func deskPublishDraft(t *testing.T, dsn string, postID int64, intro string, at time.Time) *content.Post {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := db.FindPostByID(ctx, postID)
	if err != nil {
		t.Fatal(err)
	}
	p.Body = strings.Replace(p.Body, `<p class="editorial-introduction"></p>`, "<p>"+intro+"</p>", 1)
	p.Status, p.PublishedAt = content.StatusPublished, at
	if err := deskRenderAndSave(ctx, db, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSourceDeskCommands(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			out := desktest.Outlet(t)
			dir := t.TempDir()
			dsn := storetest.DSN(t, engine)
			g := []string{"--data", dir, "--db", dsn}
			cmd := func(wantCode int, args ...string) string {
				t.Helper()
				code, stdout, stderr := run(t, append(append([]string{}, g...), args...)...)
				if code != wantCode {
					t.Fatalf("%v: exit %d, want %d\n%s\n%s", args, code, wantCode, stdout, stderr)
				}
				return stdout + stderr
			}

			// Private addresses are refused unless allowed.
			msg := cmd(1, "source", "add", "--name", "Agency Wire", "--url", out.URL+"/agency/")
			if !strings.Contains(msg, "--url") || !strings.Contains(msg, "refused: 127.0.0.1 is not a public address") || !strings.Contains(msg, "nothing was added") {
				t.Errorf("private address: %s", msg)
			}
			g = append(g, "--fetch-allow-private")
			msg = cmd(0, "source", "add", "--name", "Agency Wire", "--url", out.URL+"/agency/", "--notes", "Reprint licence")
			if !strings.Contains(msg, "with 2 feeds") || !strings.Contains(msg, "/agency/feed.xml") ||
				!strings.Contains(msg, "The following article was originally published by Agency Wire.") {
				t.Errorf("source add: %s", msg)
			}
			cmd(0, "source", "add", "--name", "Broken Outlet", "--url", out.URL+"/broken/", "--feed", out.URL+"/broken/feed.xml")
			if msg = cmd(2, "source", "add", "--name", "X", "--bogus"); !strings.Contains(msg, "bogus") {
				t.Errorf("bad flag: %s", msg)
			}

			msg = cmd(0, "poll")
			for _, want := range []string{"Agency Wire", "4 new", "Broken Outlet", "FAILED (1 in a row", "500 Internal Server Error",
				"Polled 2 due sources: 4 new items, 1 failed"} {
				if !strings.Contains(msg, want) {
					t.Errorf("poll summary lacks %q:\n%s", want, msg)
				}
			}
			if msg = cmd(0, "poll"); !strings.Contains(msg, "Polled 0 due sources") {
				t.Errorf("second poll at once: %s", msg)
			}
			msg = cmd(0, "source", "list")
			if !strings.Contains(msg, "failing (1)") || !strings.Contains(msg, "2 sources.") {
				t.Errorf("source list: %s", msg)
			}
			msg = cmd(0, "inbox", "--search", "summit")
			m := regexp.MustCompile(`(?m)^(\d+)\s+2026-01-14 09:30\s+Agency Wire\s+new\s+Leaders meet at the summit`).FindStringSubmatch(msg)
			if m == nil {
				t.Fatalf("inbox: %s", msg)
			}
			// A draft needs an author: with no editor yet, nothing is made.
			if msg = cmd(2, "republish", m[1]); !strings.Contains(msg, "needs an author") {
				t.Errorf("republish with no editor: %s", msg)
			}
			if code, _, errs := runWith(t, []string{"BROADSHEET_PASSWORD=a long enough password"}, append(append([]string{}, g...),
				"user", "add", "--email", "amara@example.org", "--name", "Amara Okafor", "--role", "editor")...); code != 0 {
				t.Fatalf("user add: %s", errs)
			}
			if msg = cmd(2, "republish", "--author", "nobody@example.org", m[1]); !strings.Contains(msg, "no account has the email nobody@example.org") {
				t.Errorf("republish by an unknown author: %s", msg)
			}
			// The only editor is the author when none is named.
			msg = cmd(0, "republish", m[1])
			pm := regexp.MustCompile(`Draft post (\d+), "Leaders meet at the summit in Addis Ababa" \(slug [^)]+\), by Amara Okafor`).FindStringSubmatch(msg)
			if pm == nil {
				t.Fatalf("republish: %s", msg)
			}
			if msg = cmd(1, "republish", m[1]); !strings.Contains(msg, "already republished") || !strings.Contains(msg, "post "+pm[1]) {
				t.Errorf("republish twice: %s", msg)
			}
			// By its address, the same article names the same post.
			if msg = cmd(1, "republish", "--author", "amara@example.org", out.URL+"/agency/2026/01/14/summit.html"); !strings.Contains(msg, "post "+pm[1]) {
				t.Errorf("republish by address after by item: %s", msg)
			}
			if msg = cmd(0, "inbox", "--state", "republished"); !strings.Contains(msg, "republished (post "+pm[1]+")") {
				t.Errorf("inbox shows the post: %s", msg)
			}

			// The editor writes the introduction and publishes; readers see
			// the attribution, the article, our copy of the image, and search
			// engines the original's address.
			var postID int64
			for _, c := range pm[1] {
				postID = postID*10 + int64(c-'0')
			}
			p := deskPublishDraft(t, dsn, postID, "Our editors' view: the summit matters.", time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC))
			base := startServe(t, g)
			page := deskGet(t, base+p.Path())
			for _, want := range []string{
				"Our editors&#39; view: the summit matters.",
				`Originally published by <strong>Agency Wire</strong>, written by Lin Wei`,
				`<a href="` + out.URL + `/agency/2026/01/14/summit.html?utm_source=rss&amp;utm_medium=feed" rel="external">read the original`,
				`<link rel="canonical" href="` + out.URL + `/agency/2026/01/14/summit.html?utm_source=rss&amp;utm_medium=feed">`,
				"The summit closes on Thursday",
			} {
				if !strings.Contains(page, want) {
					t.Errorf("post page lacks %q", want)
				}
			}
			// One attribution: the block takes the draft's attribution line's place.
			if main := page[strings.Index(page, "<main"):]; strings.Contains(main, "The following article was originally published by Agency Wire.") {
				t.Error("the post page repeats the draft's attribution line beside its attribution")
			}
			// The lead image and the GIF map went into the media library, on
			// behalf of the editor (metadata stripped, so compared by their
			// pictures; the still GIF kept as a PNG), and the lead image
			// features the post.
			for _, im := range []struct{ name, width, height string }{{"summit", "16", "9"}, {"map", "1", "1"}} {
				img := regexp.MustCompile(`<img src="(/media/\d{4}/\d{2}/[^"]+-` + im.name + `\.png)"[^>]* width="` + im.width + `" height="` + im.height + `"`).FindStringSubmatch(page)
				if img == nil {
					t.Fatalf("post page has no %s image from the media library", im.name)
				}
				resp, err := http.Get(base + img[1])
				if err != nil || resp.StatusCode != 200 {
					t.Fatalf("%s image: %v %v", im.name, resp, err)
				}
				got, err := png.DecodeConfig(resp.Body)
				resp.Body.Close()
				if err != nil || strconv.Itoa(got.Width) != im.width || strconv.Itoa(got.Height) != im.height {
					t.Errorf("%s image served: %+v, %v; want a %s×%s PNG", im.name, got, err, im.width, im.height)
				}
			}
			if resp, _ := http.Get(base + "/media/sourcedesk/"); resp.StatusCode != 404 {
				t.Errorf("image folder listing: %d", resp.StatusCode)
			}
			front := deskGet(t, base+"/")
			if !strings.Contains(front, "originally published by Agency Wire.") || !strings.Contains(front, "Continue reading") ||
				strings.Contains(front, "Delegates said") {
				t.Errorf("front page teaser is not intro, attribution and lead paragraphs")
			}
		})
	}
}

func deskGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d\n%s", url, resp.StatusCode, b)
	}
	return string(b)
}

func deskRenderAndSave(ctx context.Context, db *store.DB, p *content.Post) error {
	if err := markup.RenderPost(p); err != nil {
		return err
	}
	return db.Update(ctx, func(tx *store.Tx) error { return tx.UpdatePost(ctx, p) })
}

func TestServePollsDueSources(t *testing.T) {
	out := desktest.Outlet(t)
	dir := t.TempDir()
	g := []string{"--data", dir, "--fetch-allow-private"}
	if code, stdout, stderr := run(t, append(g, "source", "add", "--name", "Agency Wire", "--url", out.URL+"/agency/")...); code != 0 {
		t.Fatalf("source add: %d\n%s%s", code, stdout, stderr)
	}
	startServe(t, g, "--poll-every", "100ms")
	// The poller runs in the background: wait for its work to show in the
	// inbox, as an editor would, rather than for a time.
	var got string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		_, got, _ = run(t, append(g, "inbox")...)
		if strings.Contains(got, "4 of 4 items shown") {
			return
		}
	}
	t.Errorf("serve did not poll the due source; inbox:\n%s", got)
}
