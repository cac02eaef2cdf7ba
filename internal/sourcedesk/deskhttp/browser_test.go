package deskhttp_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/fetch"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/sourcedesk"
	"github.com/broadsheet/broadsheet/internal/sourcedesk/deskhttp"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
	"github.com/broadsheet/broadsheet/internal/web"
)

// browser starts headless Chromium for the test, or skips it when there is
// none (and fails instead when every suite must run).
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv(storetest.RequireAllEnv) != "" {
			t.Fatalf("chromium is not installed, but %s requires the browser suites to run", storetest.RequireAllEnv)
		}
		t.Skip("chromium is not installed: browser test skipped")
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()))
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// TestBrowserSourceToPublishedPost walks the desk in a browser: add a
// source from its homepage, poll it, find the item in the inbox, republish
// it, write the introduction and publish (on a stand-in for the admin's post
// editor, which is not part of the desk), and read the post on the public
// site with its attribution and lead image.
func TestBrowserSourceToPublishedPost(t *testing.T) {
	bctx := browser(t)
	ctx := context.Background()
	db := storetest.Open(t, "sqlite")
	out := outlet(t)
	images := sourcedesk.DiskImages{Dir: t.TempDir(), URLPrefix: "/media/"}
	desk := &sourcedesk.Desk{DB: db, Fetch: fetch.New(fetch.Options{AllowPrivate: true, Timeout: 10 * time.Second}), Images: images}
	cfg := deskhttp.Config{Desk: desk,
		Authorise: func(*http.Request) (*content.User, error) { return nil, nil },
		PostLink:  func(p *content.Post) string { return fmt.Sprintf("/editor/%d", p.ID) },
		Log:       slog.New(slog.NewTextHandler(io.Discard, nil))}
	pages, err := deskhttp.NewPages(cfg, "/admin")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := site.New(site.Config{DB: db, Theme: site.DefaultTheme()})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	pub.Routes(mux)
	pages.Mount(mux)
	mux.Handle("GET /media/sourcedesk/", images.Handler())
	mux.HandleFunc("GET /editor/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!DOCTYPE html><title>Edit</title><form method="post"><label for="intro">Introduction</label>
<textarea id="intro" name="intro"></textarea><button id="publish">Publish</button></form>`)
	})
	mux.HandleFunc("POST /editor/{id}", func(w http.ResponseWriter, r *http.Request) {
		var id int64
		fmt.Sscan(r.PathValue("id"), &id)
		p, err := db.FindPostByID(r.Context(), id)
		if err != nil {
			http.Error(w, err.Error(), 404)
			return
		}
		p.Body = strings.Replace(p.Body, `<p class="editorial-introduction"></p>`, "<p>"+r.PostFormValue("intro")+"</p>", 1)
		p.Status, p.PublishedAt = content.StatusPublished, db.Now().UTC()
		if err := markup.RenderPost(p); err == nil {
			err = db.Update(r.Context(), func(tx *store.Tx) error { return tx.UpdatePost(r.Context(), p) })
		}
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		http.Redirect(w, r, p.Path(), http.StatusSeeOther)
	})
	srv := httptest.NewServer(web.Chain(mux, web.SecurityHeaders))
	defer srv.Close()

	title := "Leaders meet at the summit in Addis Ababa"
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(srv.URL + "/admin/sources"),
		chromedp.SendKeys(chromedp.CSS("#name"), "Agency Wire"),
		chromedp.SendKeys(chromedp.CSS("#homepage"), out.URL+"/agency/"),
		chromedp.SendKeys(chromedp.CSS("#notes"), "Reprint licence, January 2026"),
		chromedp.Click(chromedp.CSS(".desk-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`tr[id^="source-"]`)),
	}
	if err := chromedp.Do(bctx, steps...); err != nil {
		t.Fatalf("adding the source: %v", err)
	}
	clickAndLoad(t, bctx, `tr[id^="source-"] form[action$="/poll"] button`)
	status, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(".desk-status")))
	if err != nil || strings.TrimSpace(status) != "OK" {
		t.Errorf("source status after polling: %q, %v", status, err)
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(srv.URL+"/admin/inbox"), chromedp.WaitVisible(chromedp.CSS("article.desk-item"))); err != nil {
		t.Fatal(err)
	}
	titles, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('article.desk-item h2')].map(h => h.textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(titles, "|") != title+"|Why the corridor matters now|Grain exports reach a record|Brief: shipping rates" {
		t.Errorf("inbox shows %q", titles)
	}
	itemID, err := chromedp.Run(bctx, chromedp.Evaluate[string](
		`[...document.querySelectorAll('article.desk-item')].find(a => a.querySelector('h2').textContent.includes('Leaders meet')).id`))
	if err != nil {
		t.Fatal(err)
	}
	intro := "Our editors' view: this summit matters for the whole continent."
	err = chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS("#"+itemID+" .desk-republish")),
		chromedp.WaitVisible(chromedp.CSS("#intro")),
		chromedp.SendKeys(chromedp.CSS("#intro"), intro),
		chromedp.Click(chromedp.CSS("#publish")),
		chromedp.WaitVisible(chromedp.CSS("aside.attribution")),
	)
	if err != nil {
		t.Fatalf("republishing and publishing: %v", err)
	}
	type postView struct {
		Title, Attribution, Link, Canonical string
		Paragraphs                          []string
		ImageLoaded                         bool
		ImageSrc                            string
	}
	got, err := chromedp.Run(bctx, chromedp.Evaluate[postView](`(() => {
		const img = document.querySelector('.entry-content img');
		return {
			Title: document.querySelector('h1.entry-title').textContent.trim(),
			Attribution: document.querySelector('aside.attribution').textContent.trim().replace(/\s+/g, ' '),
			Link: document.querySelector('aside.attribution a').href,
			Canonical: document.querySelector('link[rel=canonical]').href,
			Paragraphs: [...document.querySelectorAll('.entry-content p')].map(p => p.textContent.trim()).filter(t => t),
			ImageLoaded: !!img && img.complete && img.naturalWidth > 0,
			ImageSrc: img ? img.getAttribute('src') : '',
		};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	original := out.URL + "/agency/2026/01/14/summit.html?utm_source=rss&utm_medium=feed"
	if got.Title != title || !strings.HasPrefix(got.Attribution, "Originally published by Agency Wire, written by Lin Wei, on") ||
		got.Link != original || got.Canonical != original {
		t.Errorf("post page: %+v", got)
	}
	if len(got.Paragraphs) < 4 || got.Paragraphs[0] != intro ||
		got.Paragraphs[1] != "The following article was originally published by Agency Wire." ||
		!strings.HasPrefix(got.Paragraphs[2], "ADDIS ABABA, Jan. 14") {
		t.Errorf("post paragraphs: %q", got.Paragraphs)
	}
	for _, p := range got.Paragraphs {
		for _, c := range []string{"Advertisement", "Related articles", "Great article", "Sign up"} {
			if strings.Contains(p, c) {
				t.Errorf("clutter %q on the public post", c)
			}
		}
	}
	if !got.ImageLoaded || !strings.HasPrefix(got.ImageSrc, "/media/sourcedesk/") {
		t.Errorf("lead image: loaded %v from %q", got.ImageLoaded, got.ImageSrc)
	}

	// The inbox shows the item as republished, linking to its post.
	err = chromedp.Do(bctx, chromedp.Navigate(srv.URL+"/admin/inbox?state=republished"), chromedp.WaitVisible(chromedp.CSS(".desk-post")))
	if err != nil {
		t.Fatal(err)
	}
	link, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector('.desk-post').textContent.replace(/\s+/g, ' ').trim()`))
	if err != nil || !strings.HasPrefix(link, "Republished as "+title+" (published)") {
		t.Errorf("republished item: %q, %v", link, err)
	}
	if items, _, _ := db.FindItems(ctx, store.ItemFilter{States: []content.ItemState{content.ItemRepublished}}); len(items) != 1 {
		t.Errorf("%d republished items, want 1", len(items))
	}
}

// clickAndLoad clicks a form's button and waits for the page it leads to.
func clickAndLoad(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	loaded := chromedp.Events(ctx, page.LoadEventFired)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
	for _, err := range loaded {
		if err != nil {
			t.Fatalf("after clicking %s: %v", sel, err)
		}
		break
	}
}
