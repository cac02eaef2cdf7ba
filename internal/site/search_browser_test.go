package site_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// searchBrowser starts headless Chromium for a test, or skips when there
// is none (failing instead when every suite is required).
func searchBrowser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv(storetest.RequireAllEnv) != "" {
			t.Fatalf("chromium is not installed, but %s requires the browser suites", storetest.RequireAllEnv)
		}
		t.Skip("chromium is not installed: browser test skipped")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	// A limit on the whole browser session, so a broken page fails the
	// test instead of hanging it; not a measure of speed.
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// TestSearchAsYouTypeInBrowser types into the search box of a real browser
// and follows a suggested title, with the site's strict CSP in force (the
// script is a static file, not inline).
func TestSearchAsYouTypeInBrowser(t *testing.T) {
	ctx := searchBrowser(t)
	db := storetest.Open(t, "sqlite")
	srv := searchSite(t, db)
	box, list := chromedp.CSS(`#search-q`), chromedp.CSS(`#search-q-suggestions a`)
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/search"),
		chromedp.WaitVisible(box),
		chromedp.SendKeys(box, "sanct"),
		chromedp.WaitVisible(list),
	)
	if err != nil {
		t.Fatalf("browser: typing: %v", err)
	}
	suggestion, err := chromedp.Run(ctx, chromedp.Text(list))
	if err != nil {
		t.Fatal(err)
	}
	attr, err := chromedp.Run(ctx, chromedp.AttributeValue(list, "href"))
	if err != nil {
		t.Fatal(err)
	}
	href := attr.Value
	if err := chromedp.Do(ctx, chromedp.Click(list), chromedp.WaitVisible(chromedp.CSS(`h1.entry-title`))); err != nil {
		t.Fatalf("browser: following the suggestion: %v", err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`h1.entry-title`)))
	if err != nil {
		t.Fatal(err)
	}
	if suggestion != "Sanctions on Russia" || !strings.HasSuffix(href, "/post-1/") {
		t.Errorf("suggested %q → %q; want Sanctions on Russia", suggestion, href)
	}
	if heading != "Sanctions on Russia" {
		t.Errorf("following the suggestion opened %q", heading)
	}
	// Without the script's help the form still searches: submit it.
	first := chromedp.CSS(`.search-result .entry-title a`)
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/search"),
		chromedp.SendKeys(box, "sanctioned\n"),
		chromedp.WaitVisible(first),
	)
	if err != nil {
		t.Fatalf("browser: submitting the form: %v", err)
	}
	got, err := chromedp.Run(ctx, chromedp.Text(first))
	if err != nil {
		t.Fatal(err)
	}
	if got != "Sanctions on Russia" {
		t.Errorf("submitted search: first result %q", got)
	}
}
