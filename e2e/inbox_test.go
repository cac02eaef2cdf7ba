package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/sourcedesk/desktest"
)

// TestInboxTriageAndRepublishFromAddress triages the inbox from the
// keyboard (j to move, s to star, x to skip) and republishes an article by
// pasting its address, as an editor on a busy morning would.
func TestInboxTriageAndRepublishFromAddress(t *testing.T) {
	out := desktest.Outlet(t)
	base := serverWith(t, "sqlite", []string{"BROADSHEET_FETCH_ALLOW_PRIVATE=1"}, "--poll-every", "0")
	ctx := browser(t)
	t.Cleanup(func() {
		if t.Failed() {
			screenshot(t, ctx, "inbox-failure.png")
		}
	})
	signIn(t, ctx, base, "ed@example.org")
	run(t, ctx, "add the source",
		chromedp.Navigate(base+"/admin/sources"),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "Agency Wire"),
		chromedp.SendKeys(chromedp.CSS("#homepage"), out.URL+"/agency/"),
	)
	clickAndLoad(t, ctx, ".desk-form button[type=submit]")
	clickAndLoad(t, ctx, `tr[id^="source-"] form[action$="/poll"] button`)

	run(t, ctx, "open the inbox", chromedp.Navigate(base+"/admin/inbox"), chromedp.WaitVisible(chromedp.CSS("article.desk-item")))
	if hint := get(t, ctx, "the keys' hint", chromedp.Evaluate[bool](`!document.querySelector('.desk-keys').hidden`)); !hint {
		t.Error("the inbox does not show its keys")
	}
	state := func(n int) string {
		return get(t, ctx, "read the states", chromedp.Evaluate[string](
			`[...document.querySelectorAll('article.desk-item')].map(a => a.querySelector('h2').textContent.trim() + '=' + a.querySelector('.desk-state').textContent.trim())[`+strconv.Itoa(n)+`] || ''`))
	}
	// j selects the first item; s stars it (the page comes back with it starred).
	run(t, ctx, "select the first item", chromedp.KeyEvent("j"))
	if cur := get(t, ctx, "the current item", chromedp.Evaluate[string](
		`(() => { const c = document.querySelector('.desk-current h2'); return c ? c.textContent.trim() : '' })()`)); cur != "Leaders meet at the summit in Addis Ababa" {
		t.Fatalf("j selected %q, want the newest item", cur)
	}
	run(t, ctx, "star it", chromedp.KeyEvent("s"))
	waitFor(t, "the first item is starred", func() (bool, string) {
		s := state(0)
		return s == "Leaders meet at the summit in Addis Ababa=starred", s
	})
	// After the reload the starred item is current again; j, j, x skips the third.
	run(t, ctx, "skip the third", chromedp.KeyEvent("j"), chromedp.KeyEvent("j"), chromedp.KeyEvent("x"))
	waitFor(t, "the third item leaves the inbox", func() (bool, string) {
		all := get(t, ctx, "titles", chromedp.Evaluate[string](`[...document.querySelectorAll('article.desk-item h2')].map(h => h.textContent.trim()).join('|')`))
		return !strings.Contains(all, "Grain exports reach a record") && strings.Contains(all, "Why the corridor matters now"), all
	})
	screenshot(t, ctx, "desk-inbox-triaged.png")

	// Paste an address: the article becomes a draft in the post editor.
	run(t, ctx, "paste an address", chromedp.SendKeys(chromedp.CSS("#r-url"), out.URL+"/agency/2026/01/14/summit.html"))
	clickAndLoad(t, ctx, ".desk-from-url button")
	loc := get(t, ctx, "where the editor is", chromedp.Location())
	if !regexp.MustCompile(`/admin/posts/\d+(\?|$)`).MatchString(loc) {
		t.Fatalf("republishing from the address led to %s, want the post editor", loc)
	}
	if flash := get(t, ctx, "read the note", chromedp.Text(chromedp.CSS(".flash"))); !strings.HasPrefix(flash, "Republished from Agency Wire as a draft") {
		t.Errorf("the editor opens with the note %q", flash)
	}
}
