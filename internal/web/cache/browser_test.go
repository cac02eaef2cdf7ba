package cache_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/browsertest"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// browser starts Debian's Chromium for the test.
func browser(t *testing.T) context.Context { return browsertest.Start(t, 2*time.Minute) }

func header(r *network.Response, name string) string {
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			return fmt.Sprint(v)
		}
	}
	return ""
}

// TestBrowserReadsCachedPages: a reader's browser gets the front page from
// the cache, brotli-compressed, styled by the fingerprinted stylesheet; sees
// a new story as soon as it is published; and an editor's browser, with
// its session cookie, never gets the cached copy.
func TestBrowserReadsCachedPages(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t, storetest.Open(t, "sqlite"), 32<<20)
	visit := func(what string) *network.Response {
		t.Helper()
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(f.srv.URL+"/"))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return resp
	}
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	visit("first visit")
	resp := visit("second visit")
	if got := header(resp, "X-Broadsheet-Cache"); got != "hit" && resp.Status != 304 {
		t.Errorf("second visit: status %d, cache %q; want a hit or a 304", resp.Status, got)
	}
	if resp.Status == 200 && header(resp, "Content-Encoding") != "br" {
		t.Errorf("Chromium asked for brotli but got Content-Encoding %q", header(resp, "Content-Encoding"))
	}
	if href := eval(`document.querySelector('link[rel=stylesheet]').href`); !regexp.MustCompile(`/static/site\.[0-9a-f]{10}\.css$`).MatchString(href) {
		t.Errorf("the stylesheet is linked as %q, not by its fingerprint", href)
	}
	if bg := eval(`getComputedStyle(document.body).backgroundColor`); bg != "rgb(253, 252, 249)" {
		t.Errorf("the fingerprinted stylesheet did not apply: body background %q", bg)
	}
	if text := eval(`document.querySelector('h2.entry-title').innerText`); text != "Story 6" {
		t.Errorf("the newest story on the cached front page is %q", text)
	}

	f.create(t, "Breaking News", "europe", 1, f.day.AddDate(0, 0, 8), content.StatusPublished)
	visit("after a publish")
	if text := eval(`document.querySelector('h2.entry-title').innerText`); text != "Breaking News" {
		t.Errorf("after publishing, the reader's front page still leads with %q", text)
	}

	eval(`document.cookie = "broadsheet_session=editor; path=/"; document.cookie`)
	resp = visit("as an editor")
	if got := header(resp, "X-Broadsheet-Cache"); got != "" || resp.Status != 200 {
		t.Errorf("an editor's browser got status %d, cache %q; want a fresh page past the cache", resp.Status, got)
	}
}
