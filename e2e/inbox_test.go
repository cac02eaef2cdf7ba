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
	ctx := editorSession(t, base, "inbox-failure.png")
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
	// Read while the page may be coming back: an item the parser has
	// not finished yet reads as its title alone, and the wait goes on.
	state := func(n int) string {
		return get(t, ctx, "read the states", chromedp.Evaluate[string](
			`[...document.querySelectorAll('article.desk-item')].map(a => (a.querySelector('h2')?.textContent.trim() ?? '') + '=' + (a.querySelector('.desk-state')?.textContent.trim() ?? ''))[`+strconv.Itoa(n)+`] || ''`))
	}
	// j selects the first item; s stars it (the page comes back with it starred).
	run(t, ctx, "select the first item", chromedp.KeyEvent("j"))
	if cur := get(t, ctx, "the current item", chromedp.Evaluate[string](
		`(() => { const c = document.querySelector('.desk-current h2'); return c ? c.textContent.trim() : '' })()`)); cur != "Leaders meet at the summit in Addis Ababa" {
		t.Fatalf("j selected %q, want the newest item", cur)
	}
	run(t, ctx, "star it", chromedp.KeyEvent("s"))
	// The page comes back starred; its keys work once its script has run
	// (it shows the keys' hint then).
	waitFor(t, "the first item is starred, the keys ready", func() (bool, string) {
		s := state(0)
		ready := get(t, ctx, "the keys' hint", chromedp.Evaluate[bool](`(() => { const h = document.querySelector('.desk-keys'); return !!h && !h.hidden })()`))
		return s == "Leaders meet at the summit in Addis Ababa=starred" && ready, s
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
	if flash := textOf(t, ctx, "read the note", ".flash"); !strings.HasPrefix(flash, "Republished from Agency Wire as a draft") {
		t.Errorf("the editor opens with the note %q", flash)
	}

	// The introduction has its own field; published, it stands apart
	// above the article, attributed once.
	intro := "Why we carry this: the summit's trade pact reaches our readers' ports."
	run(t, ctx, "write the introduction", chromedp.WaitVisible(chromedp.ID("introduction")), chromedp.SendKeys(chromedp.ID("introduction"), intro))
	clickAndLoad(t, ctx, "#publish")
	if note := textOf(t, ctx, "read the note", ".flash"); note != "Published." {
		t.Fatalf("after publishing, the editor says %q", note)
	}
	view := get(t, ctx, "the post's address", chromedp.Evaluate[string](
		`(() => { const a = [...document.querySelectorAll('a')].find(a => a.textContent.trim() === 'view'); return a ? a.href : '' })()`))
	if view == "" {
		t.Fatal("the editor links to no published post")
	}
	run(t, ctx, "read the post", chromedp.Navigate(view), chromedp.WaitVisible(chromedp.CSS("article")))
	text := textOf(t, ctx, "the post's text", "main")
	i, j, k := strings.Index(text, intro), strings.Index(text, "Originally published by Agency Wire"), strings.Index(text, "ADDIS ABABA")
	if i < 0 || j < i || k < j {
		t.Errorf("the post does not read introduction (%d), attribution (%d), article (%d), in that order:\n%s", i, j, k, text)
	}
	if n := strings.Count(text, "originally published by"); n > 0 {
		t.Errorf("the attribution line is repeated in the article (%d times)", n)
	}
}
