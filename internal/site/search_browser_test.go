package site_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/browsertest"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// searchBrowser starts Debian's Chromium for the test.
func searchBrowser(t *testing.T) context.Context { return browsertest.Start(t, 2*time.Minute) }

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
