package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// publishEvent writes an event in the admin's editor (its time in Paris,
// its place and registration) and publishes it; it returns the event's
// public address and its id in the admin.
func publishEvent(t *testing.T, ctx context.Context, base string) (href, id string) {
	t.Helper()
	start := time.Now().AddDate(0, 0, 7)
	day := start.Format("2006-01-02")
	run(t, ctx, "write an event",
		chromedp.Navigate(base+"/admin/events"),
		chromedp.WaitVisible(chromedp.CSS(`#new-entry`)),
		chromedp.Click(chromedp.CSS(`#new-entry`)),
		chromedp.WaitVisible(chromedp.CSS(`#event_starts_at`)),
		chromedp.SendKeys(chromedp.CSS(`#title`), "Seminar on the ports of the Gulf"),
		chromedp.Click(chromedp.CSS(`#mode-source`)),
		chromedp.WaitVisible(chromedp.CSS(`#body`)),
		chromedp.SendKeys(chromedp.CSS(`#body`), "Three speakers on trade along the coast, then questions from the floor.\n"),
		chromedp.SetValue(chromedp.CSS(`#event_starts_at`), day+"T18:30"),
		chromedp.SetValue(chromedp.CSS(`#event_ends_at`), day+"T20:00"),
		chromedp.SetValue(chromedp.CSS(`#event_time_zone`), "Europe/Paris"),
		chromedp.SendKeys(chromedp.CSS(`#event_place`), "Salle Dussane"),
		chromedp.SendKeys(chromedp.CSS(`#event_address`), "45 rue d'Ulm, 75005 Paris"),
		chromedp.SendKeys(chromedp.CSS(`#event_registration_url`), "https://example.org/register"),
		chromedp.Click(chromedp.ID("publish")),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	return viewLink(t, ctx, base), get(t, ctx, "the event's id", chromedp.Evaluate[string](`location.pathname.split("/").filter(Boolean).pop()`))
}

// publishBook writes a book in the admin's editor and publishes it; it
// returns the book's public address and its id in the admin.
func publishBook(t *testing.T, ctx context.Context, base string) (href, id string) {
	t.Helper()
	run(t, ctx, "write a book",
		chromedp.Navigate(base+"/admin/books"),
		chromedp.WaitVisible(chromedp.CSS(`#new-entry`)),
		chromedp.Click(chromedp.CSS(`#new-entry`)),
		chromedp.WaitVisible(chromedp.CSS(`#book_isbn`)),
		chromedp.SendKeys(chromedp.CSS(`#title`), "The Long Road"),
		chromedp.Click(chromedp.CSS(`#mode-source`)),
		chromedp.WaitVisible(chromedp.CSS(`#body`)),
		chromedp.SendKeys(chromedp.CSS(`#body`), "Essays from the coast, collected from ten years of reporting.\n"),
		chromedp.SendKeys(chromedp.CSS(`#book_subtitle`), "Essays from the Coast"),
		chromedp.SendKeys(chromedp.CSS(`#book_authors`), "Amara Okafor"),
		chromedp.SendKeys(chromedp.CSS(`#book_isbn`), "978-0-306-40615-7"),
		chromedp.SendKeys(chromedp.CSS(`#book_publisher`), "Meridian Books"),
		chromedp.SetValue(chromedp.CSS(`#book_published_on`), "2026-05-01"),
		chromedp.SendKeys(chromedp.CSS(`#book_pages`), "320"),
		chromedp.SendKeys(chromedp.CSS(`#book_buy_links`), "Bookshop | https://shop.example/long-road"),
		chromedp.Click(chromedp.ID("publish")),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	return viewLink(t, ctx, base), get(t, ctx, "the book's id", chromedp.Evaluate[string](`location.pathname.split("/").filter(Boolean).pop()`))
}

// viewLink is the public address the editor's "view" link names.
func viewLink(t *testing.T, ctx context.Context, base string) string {
	t.Helper()
	if msg := get(t, ctx, "the editor's message", chromedp.Evaluate[string](`(document.querySelector(".error") || {}).textContent || ""`)); msg != "" {
		t.Fatalf("the editor refused the save: %s", msg)
	}
	href := get(t, ctx, "the entry's address", chromedp.Evaluate[string](
		`(() => { const a = [...document.querySelectorAll("a")].find(a => a.textContent.trim() === "view"); return a ? a.getAttribute("href") : "" })()`))
	if href == "" {
		t.Fatal("the published entry has no view link in the editor")
	}
	if !strings.HasPrefix(href, "http") {
		href = base + href
	}
	return href
}
