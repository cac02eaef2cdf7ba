package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestRenameCategory is the typo fixed: an editor creates a category,
// files a post under it with the editor's checkboxes, publishes, then
// renames the category in the admin. The old address answers 301 to the
// new one, where readers find the post under the new name.
func TestRenameCategory(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			base := server(t, engine)
			ctx := editorSession(t, base, engine+"-terms-failure.png")

			run(t, ctx, "create the category",
				chromedp.Navigate(base+"/admin/categories"),
				chromedp.WaitVisible(chromedp.CSS(`#new-name`)),
				chromedp.SendKeys(chromedp.CSS(`#new-name`), "Economics"),
			)
			clickAndLoad(t, ctx, `#term-new button[type=submit]`)
			if flash := textOf(t, ctx, "read the note", `.flash`); !strings.Contains(flash, "/category/economics/") {
				t.Fatalf("after creating: %q", flash)
			}

			run(t, ctx, "write a post in the category",
				chromedp.Navigate(base+"/admin/posts"),
				chromedp.WaitVisible(chromedp.CSS(`#new-entry`)),
				chromedp.Click(chromedp.CSS(`#new-entry`)),
				chromedp.WaitVisible(chromedp.CSS(`#title`)),
				chromedp.SendKeys(chromedp.CSS(`#title`), "Cocoa futures fall"),
				chromedp.Click(chromedp.CSS(`#mode-source`)),
				chromedp.WaitVisible(chromedp.CSS(`#body`)),
				chromedp.SendKeys(chromedp.CSS(`#body`), "Prices fell for a third week."),
				chromedp.SendKeys(chromedp.CSS(`.term-filter`), "econ"),
				chromedp.Click(chromedp.CSS(`input[name=categories][value="Economics"]`)),
			)
			screenshot(t, ctx, engine+"-term-picker.png")
			clickAndLoad(t, ctx, `#publish`)
			checked := get(t, ctx, "the box stays ticked", chromedp.Evaluate[bool](`document.querySelector('input[name=categories][value="Economics"]').checked`))
			if !checked {
				t.Fatal("after publishing, Economics is not ticked")
			}
			waitText(t, ctx, base+"/category/economics/", "body", "Cocoa futures fall")

			run(t, ctx, "open the category",
				chromedp.Navigate(base+"/admin/categories"),
				chromedp.WaitVisible(chromedp.CSS(`table.terms`)),
			)
			clickAndLoad(t, ctx, `table.terms td a[href^="/admin/categories/"]`)
			run(t, ctx, "rename it",
				chromedp.WaitVisible(chromedp.CSS(`#term-name`)),
				chromedp.SetValue(chromedp.CSS(`#term-name`), "Economy"),
			)
			clickAndLoad(t, ctx, `#term-save`)
			if flash := textOf(t, ctx, "read the note", `.flash`); !strings.Contains(flash, "/category/economy/") {
				t.Fatalf("after renaming: %q", flash)
			}
			screenshot(t, ctx, engine+"-term-renamed.png")

			// The old address answers 301 to the new one.
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			for old, want := range map[string]string{
				"/category/economics/":      "/category/economy/",
				"/category/economics/feed/": "/category/economy/feed/",
			} {
				res, err := client.Get(base + old)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != want {
					t.Errorf("GET %s = %d to %q; want 301 to %s", old, res.StatusCode, res.Header.Get("Location"), want)
				}
			}
			// A reader following the old address lands on the new page.
			run(t, ctx, "follow the old address",
				chromedp.Navigate(base+"/category/economics/"),
				chromedp.WaitVisible(chromedp.CSS(`h1`)),
			)
			if u := get(t, ctx, "where it landed", chromedp.Location()); u != base+"/category/economy/" {
				t.Errorf("the old address led to %s", u)
			}
			page := textOf(t, ctx, "read the archive", `body`)
			if !strings.Contains(page, "Economy") || !strings.Contains(page, "Cocoa futures fall") {
				t.Errorf("the renamed archive:\n%s", page)
			}
		})
	}
}
