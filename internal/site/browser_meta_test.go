package site_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/browsertest"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
	"github.com/broadsheet/broadsheet/internal/web"
)

// metaBrowser starts Debian's Chromium, headless, and records every
// message of the browser log that speaks of the Content Security Policy.
func metaBrowser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	ctx := browsertest.Start(t, 2*time.Minute)
	var (
		mu         sync.Mutex
		violations []string
	)
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*log.EventEntryAdded); ok && strings.Contains(e.Entry.Text, "Content Security Policy") {
			mu.Lock()
			violations = append(violations, e.Entry.Text)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), violations...)
	}
}

// TestBrowserReadsMetadataWithinCSP opens a republished post in Chromium
// under the site's strict security policy: the JSON-LD, a data block, is
// read by the browser without any policy violation, and the page offers
// its feeds. A control page with an inline script proves that violations
// would be seen.
func TestBrowserReadsMetadataWithinCSP(t *testing.T) {
	fx := newFXSite(t, storetest.Open(t, "sqlite"))
	ctx, violations := metaBrowser(t)

	control := httptest.NewServer(web.SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!DOCTYPE html><title>control</title><script>document.title = "ran"</script>`))
	})))
	defer control.Close()
	if err := chromedp.Do(ctx, chromedp.Navigate(control.URL)); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	if title == "ran" || len(violations()) == 0 {
		t.Fatalf("the control's inline script ran (title %q) or no violation was logged (%q): the check below would prove nothing", title, violations())
	}
	before := len(violations())

	type pageFacts struct {
		Type     string   `json:"type"`
		BasedOn  string   `json:"basedOn"`
		Feeds    []string `json:"feeds"`
		Canon    string   `json:"canonical"`
		OGImage  string   `json:"ogImage"`
		LDBlocks int      `json:"ldBlocks"`
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(fx.srv.URL+fx.posts["republished"].Path())); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[pageFacts](`(() => {
			const blocks = [...document.querySelectorAll('script[type="application/ld+json"]')];
			const ld = JSON.parse(blocks[0].textContent);
			return {
				type: ld["@type"], basedOn: ld.isBasedOn.url, ldBlocks: blocks.length,
				feeds: [...document.querySelectorAll('link[rel="alternate"]')].map(l => l.type + " " + l.getAttribute("href")),
				canonical: document.querySelector('link[rel="canonical"]').href,
				ogImage: document.querySelector('meta[property="og:image"]').content,
			};
		})()`))
	if err != nil {
		t.Fatal(err)
	}
	if got.Type != "NewsArticle" || got.BasedOn != fx.posts["republished"].Source.URL || got.LDBlocks != 1 {
		t.Errorf("the browser read the JSON-LD as %+v", got)
	}
	want := []string{"application/rss+xml /feed/", "application/atom+xml /feed/atom/", "application/feed+json /feed/json/"}
	if strings.Join(got.Feeds, "|") != strings.Join(want, "|") {
		t.Errorf("feeds offered: %q, want %q", got.Feeds, want)
	}
	if got.Canon != fxBase+fx.posts["republished"].Path() || got.OGImage != fxBase+"/media/port.jpg" {
		t.Errorf("canonical %q, og:image %q", got.Canon, got.OGImage)
	}
	if v := violations()[before:]; len(v) != 0 {
		t.Errorf("the post page violates the security policy: %q", v)
	}
}
