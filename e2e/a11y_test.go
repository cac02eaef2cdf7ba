package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/broadsheet/broadsheet/internal/browsertest"
	"github.com/broadsheet/broadsheet/internal/sourcedesk/desktest"
)

// viewport is a screen the pages are checked on.
type viewport struct {
	name          string
	width, height int64
	mobile        bool
}

var (
	desktop = viewport{"desktop", 1366, 900, false}
	phone   = viewport{"phone", 390, 844, true}
)

func (v viewport) emulate() chromedp.Action[chromedp.Void] {
	if v.mobile {
		return chromedp.EmulateViewport(v.width, v.height, chromedp.EmulateMobile, chromedp.EmulateScale(2))
	}
	return chromedp.EmulateViewport(v.width, v.height)
}

// colorScheme makes the page's prefers-color-scheme media query answer
// scheme ("light" or "dark").
func colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	})
}

// scriptsOff turns the page's JavaScript off (or back on) as a reader's
// browser setting would.
func scriptsOff(off bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off})
		return err
	})
}

// checkPage runs axe-core over the page open in ctx and fails the test
// with every violation found, then saves its screenshot. Colour-contrast
// failures that pending matches are logged rather than failed (pending
// may be nil).
func checkPage(t *testing.T, ctx context.Context, axe *browsertest.Axe, name string, pending *regexp.Regexp) {
	t.Helper()
	// Web fonts and images settle before the check and the screenshot.
	run(t, ctx, "wait for "+name, chromedp.Poll[chromedp.Void](`document.readyState === "complete" && document.fonts.status === "loaded"`, chromedp.WithPollingTimeout(30*time.Second)))
	vs, err := axe.Check(ctx)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var failed []browsertest.Violation
	var known []string
	for _, v := range vs {
		if v.Rule == "color-contrast" && pending != nil {
			nodes := v.Nodes[:0:0]
			for _, n := range v.Nodes {
				if pending.MatchString(n.Target) {
					known = append(known, n.Target)
				} else {
					nodes = append(nodes, n)
				}
			}
			if v.Nodes = nodes; len(nodes) == 0 {
				continue
			}
		}
		failed = append(failed, v)
	}
	if len(known) > 0 {
		t.Logf("%s: colour contrast left to the theme's restyling: %s", name, strings.Join(known, ", "))
	}
	if len(failed) > 0 {
		t.Errorf("%s: %d accessibility rules broken:\n%s", name, len(failed), browsertest.Report(failed))
	}
	screenshot(t, ctx, name+".png")
}

// imageSizes lists the page's images, each "ok " or "unsized " (without
// width and height, so the page moves as it arrives) and its markup.
const imageSizes = `[...document.images].map(i => (i.hasAttribute("width") && i.hasAttribute("height") ? "ok " : "unsized ") + i.outerHTML.slice(0, 160))`

// sameButtons lists the buttons of the page whose accessible name and
// description (aria-label or text, and aria-describedby's text) another
// button has too.
const sameButtons = `(() => {
	const text = e => (e.getAttribute("aria-label") || e.textContent).trim().replace(/\s+/g, " ");
	const described = e => (e.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean)
		.map(id => { const d = document.getElementById(id); return d ? d.textContent.trim() : "?" }).join(" ");
	const seen = new Map();
	for (const b of document.querySelectorAll("main button, main input[type=submit]")) {
		const k = (text(b) || b.value) + (described(b) ? " (" + described(b) + ")" : "");
		seen.set(k, (seen.get(k) || 0) + 1);
	}
	return [...seen].filter(([k, n]) => n > 1).map(([k, n]) => n + " × " + JSON.stringify(k));
})()`

// publishWithImage writes and publishes a post with an uploaded image
// through the editor, and returns the post's public address.
func publishWithImage(t *testing.T, ctx context.Context, base string) string {
	t.Helper()
	photo := filepath.Join(t.TempDir(), "harbour.png")
	writePNG(t, photo, 1200, 700)
	run(t, ctx, "write a post",
		chromedp.Navigate(base+"/admin/posts"),
		chromedp.WaitVisible(chromedp.CSS(`#new-entry`)),
		chromedp.Click(chromedp.CSS(`#new-entry`)),
		chromedp.WaitVisible(chromedp.CSS(`#title`)),
		chromedp.SendKeys(chromedp.CSS(`#title`), "Harbour lights at dusk"),
		chromedp.Click(chromedp.CSS(`#mode-source`)),
		chromedp.WaitVisible(chromedp.CSS(`#body`)),
		chromedp.SendKeys(chromedp.CSS(`#body`), "The harbour at dusk, as the fishing boats come in.\n\n"),
		chromedp.Click(chromedp.ID("insert-media")),
		chromedp.WaitVisible(chromedp.ID("media-picker")),
		chromedp.SetUploadFiles(chromedp.ID("picker-file"), []string{photo}),
		chromedp.SendKeys(chromedp.ID("picker-alt"), "Boats moored in the harbour at dusk"),
		chromedp.Click(chromedp.ID("picker-insert")),
	)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if s := textOf(t, ctx, "image state", `#image-state`); strings.Contains(s, "Inserted") {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the image was not inserted: %q", s)
		}
		time.Sleep(200 * time.Millisecond)
	}
	run(t, ctx, "publish",
		chromedp.Click(chromedp.ID("publish")),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	href := get(t, ctx, "the post's address", chromedp.Evaluate[string](
		`(() => { const a = [...document.querySelectorAll("a")].find(a => a.textContent.trim() === "view"); return a ? a.getAttribute("href") : "" })()`))
	if href == "" {
		t.Fatal("the published post has no view link in the editor")
	}
	if !strings.HasPrefix(href, "http") {
		href = base + href
	}
	return href
}

// skipToContent checks, on the page open in ctx, that the first Tab
// brings a visible "Skip to content" link and that, after Enter on it,
// the next Tab lands in the page's main content, past the navigation.
func skipToContent(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	run(t, ctx, "tab on "+name, chromedp.KeyEvent(kb.Tab))
	first := get(t, ctx, "the first focused on "+name, chromedp.Evaluate[string](`(() => {
		const e = document.activeElement, r = e.getBoundingClientRect();
		const seen = r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight;
		return e.textContent.trim() + (seen ? "" : " (off screen)");
	})()`))
	if first != "Skip to content" {
		t.Errorf("%s: the first Tab reaches %q, want a visible \"Skip to content\"", name, first)
		return
	}
	// After skipping, the focus is on the main content, or failing that
	// the next Tab lands in it.
	outside := `(() => { const m = document.querySelector("main"), e = document.activeElement; return m !== null && m.contains(e) ? "" : e.outerHTML.slice(0, 120) })()`
	run(t, ctx, "skip on "+name, chromedp.KeyEvent(kb.Enter))
	if get(t, ctx, "focus after skipping on "+name, chromedp.Evaluate[string](outside)) == "" {
		return
	}
	run(t, ctx, "tab after skipping on "+name, chromedp.KeyEvent(kb.Tab))
	if at := get(t, ctx, "focus after skipping on "+name, chromedp.Evaluate[string](outside)); at != "" {
		t.Errorf("%s: after Skip to content, Tab reaches %s, outside the main content", name, at)
	}
}

// findRepublished returns the address of a republished article (a post
// with its source's attribution) among those on the front page.
func findRepublished(t *testing.T, ctx context.Context, base string) string {
	t.Helper()
	run(t, ctx, "open the front page", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`main`)))
	links := get(t, ctx, "the front page's posts", chromedp.Evaluate[[]string](
		`[...new Set([...document.querySelectorAll("main a.more-link")].map(a => a.href.split("#")[0]))]`))
	for _, href := range links {
		run(t, ctx, "open "+href, chromedp.Navigate(href), chromedp.WaitVisible(chromedp.CSS(`main`)))
		if get(t, ctx, "attribution of "+href, chromedp.Evaluate[bool](`document.querySelector("main .attribution") !== null`)) {
			return href
		}
	}
	t.Fatalf("no republished article among the front page's %d posts", len(links))
	return ""
}

// TestAccessibility checks the public site's pages and the admin's with
// axe-core (WCAG 2 A and AA and axe's best practices): the site on a
// desktop and a phone, light and dark, the admin on a desktop. It also
// reads the site with JavaScript off and checks that every image says its
// size, so the page does not jump as images arrive. Screenshots of every
// page checked are saved in e2e/artifacts/.
func TestAccessibility(t *testing.T) {
	axe := browsertest.LoadAxe(t, filepath.Join("node_modules", "axe-core", "axe.min.js"))
	// The demo publication, and an outlet on loopback (which the desk
	// refuses unless told otherwise) to fill the source desk's inbox.
	out := desktest.Outlet(t)
	base := serverWith(t, "sqlite", []string{"BROADSHEET_FETCH_ALLOW_PRIVATE=1"}, "--demo", "--poll-every", "0")
	ctx := browsertest.Start(t, 8*time.Minute, chromedp.WindowSize(1366, 900))
	signIn(t, ctx, base, "ada@example.org")
	withImage := publishWithImage(t, ctx, base)
	postID := get(t, ctx, "the post's id", chromedp.Evaluate[string](`location.pathname.split("/").filter(Boolean).pop()`))

	republished := findRepublished(t, ctx, base)
	event, eventID := publishEvent(t, ctx, base)
	book, bookID := publishBook(t, ctx, base)
	site := []struct{ name, url, want string }{
		{"front", base + "/", "Harbour lights at dusk"},
		{"page2", base + "/page/2/", ""},
		{"post", withImage, "fishing boats"},
		{"republished", republished, "Originally"},
		{"category", base + "/category/economy/", ""},
		{"author", base + "/author/ada-admin/", "Harbour lights at dusk"},
		{"page", base + "/about/", "The Meridian Review"},
		{"search", base + "/search?q=port", "results for"},
		{"search-empty", base + "/search?q=zzyzxq", ""},
		{"notfound", base + "/no-such-page/", ""},
		{"events", base + "/events/", "Seminar on the ports of the Gulf"},
		{"event", event, "Salle Dussane"},
		{"books", base + "/books/", "The Long Road"},
		{"book", book, "Bookshop"},
	}
	t.Run("site", func(t *testing.T) {
		for _, vp := range []viewport{desktop, phone} {
			for _, scheme := range []string{"light", "dark"} {
				run(t, ctx, "emulate "+vp.name+" "+scheme, vp.emulate(), colorScheme(scheme))
				for _, p := range site {
					name := fmt.Sprintf("site-%s-%s-%s", p.name, vp.name, scheme)
					run(t, ctx, "open "+name, chromedp.Navigate(p.url), chromedp.WaitVisible(chromedp.CSS(`main`)))
					if p.want != "" {
						if text := textOf(t, ctx, "read "+name, `main`); !strings.Contains(text, p.want) {
							t.Errorf("%s does not show %q:\n%s", name, p.want, text)
						}
					}
					// Every page of the theme passes, dark mode included.
					checkPage(t, ctx, axe, name, nil)
				}
			}
		}
	})

	t.Run("skip to content", func(t *testing.T) {
		run(t, ctx, "desktop", desktop.emulate(), colorScheme("light"))
		for _, p := range site {
			run(t, ctx, "open "+p.name, chromedp.Navigate(p.url), chromedp.WaitVisible(chromedp.CSS(`main`)))
			skipToContent(t, ctx, "site-"+p.name)
		}
		for _, path := range []string{"/admin/posts", "/admin/posts/" + postID, "/admin/inbox", "/admin/settings"} {
			run(t, ctx, "open "+path, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS(`main`)))
			skipToContent(t, ctx, path)
		}
	})

	t.Run("images have sizes", func(t *testing.T) {
		run(t, ctx, "desktop", desktop.emulate(), colorScheme("light"))
		seen := 0
		for _, p := range site {
			run(t, ctx, "open "+p.name, chromedp.Navigate(p.url), chromedp.WaitVisible(chromedp.CSS(`main`)))
			imgs := get(t, ctx, "images of "+p.name, chromedp.Evaluate[[]string](imageSizes))
			for _, img := range imgs {
				seen++
				if !strings.HasPrefix(img, "ok ") {
					t.Errorf("%s: an image without width and height: %s", p.name, strings.TrimPrefix(img, "unsized "))
				}
			}
		}
		if seen == 0 {
			t.Error("no image on any page checked: the published post's image is missing")
		}
	})

	t.Run("readable without JavaScript", func(t *testing.T) {
		t.Cleanup(func() { chromedp.Do(ctx, scriptsOff(false)) })
		run(t, ctx, "turn JavaScript off", scriptsOff(true))
		for _, p := range site {
			if p.want == "" {
				continue
			}
			run(t, ctx, "open "+p.name, chromedp.Navigate(p.url), chromedp.WaitVisible(chromedp.CSS(`main`)))
			if !get(t, ctx, "scripting off", chromedp.Evaluate[bool](`matchMedia("(scripting: none)").matches`)) {
				t.Fatalf("%s: the page still runs JavaScript", p.name)
			}
			// Read through the DevTools protocol, which the page's
			// JavaScript being off does not stop; the text read leaves
			// out what CSS hides.
			text := textOf(t, ctx, "read "+p.name, `main`)
			if !strings.Contains(text, p.want) {
				t.Errorf("%s without JavaScript does not show %q:\n%s", p.name, p.want, text)
			}
			hidden := get(t, ctx, "hidden content of "+p.name, chromedp.Evaluate[int](
				`[...document.querySelectorAll("main h1, main h2, main p")].filter(e => e.textContent.trim() && !e.checkVisibility()).length`))
			if hidden > 0 {
				t.Errorf("%s without JavaScript hides %d headings or paragraphs", p.name, hidden)
			}
			screenshot(t, ctx, "site-"+p.name+"-nojs.png")
		}
	})

	t.Run("admin", func(t *testing.T) {
		run(t, ctx, "desktop light", desktop.emulate(), colorScheme("light"))
		// A source with a feed polled, so the desk's pages show their rows
		// and the inbox its items.
		run(t, ctx, "add a source",
			chromedp.Navigate(base+"/admin/sources"),
			chromedp.WaitVisible(chromedp.CSS("#name")),
			chromedp.SendKeys(chromedp.CSS("#name"), "Agency Wire"),
			chromedp.SendKeys(chromedp.CSS("#homepage"), out.URL+"/agency/"),
		)
		clickAndLoad(t, ctx, ".desk-form button[type=submit]")
		run(t, ctx, "the source is listed", chromedp.WaitVisible(chromedp.CSS(`tr[id^="source-"]`)))
		clickAndLoad(t, ctx, `tr[id^="source-"] form[action$="/poll"] button`)
		// Two API tokens, so their list has rows to tell apart.
		for _, name := range []string{"Newsletter", "Backup script"} {
			run(t, ctx, "create the token "+name,
				chromedp.Navigate(base+"/admin/tokens"),
				chromedp.WaitVisible(chromedp.CSS(`form[action="/admin/tokens"] input[name=name]`)),
				chromedp.SendKeys(chromedp.CSS(`form[action="/admin/tokens"] input[name=name]`), name),
			)
			clickAndLoad(t, ctx, `form[action="/admin/tokens"] button[type=submit]`)
		}
		admin := []struct{ name, path string }{
			{"posts", "/admin/posts"},
			{"edit", "/admin/posts/" + postID},
			{"revisions", "/admin/posts/" + postID + "/revisions"},
			{"pages", "/admin/pages"},
			{"events", "/admin/events"},
			{"edit-event", "/admin/posts/" + eventID},
			{"books", "/admin/books"},
			{"edit-book", "/admin/posts/" + bookID},
			{"media", "/admin/media"},
			{"inbox", "/admin/inbox"},
			{"sources", "/admin/sources"},
			{"settings", "/admin/settings"},
			{"users", "/admin/users"},
			{"tokens", "/admin/tokens"},
		}
		// Every page on a laptop in light and dark mode, and on a phone in
		// dark mode; the admin follows the system's colour scheme.
		for _, look := range []struct {
			vp     viewport
			scheme string
		}{{desktop, "light"}, {desktop, "dark"}, {phone, "dark"}} {
			run(t, ctx, "emulate "+look.vp.name+" "+look.scheme, look.vp.emulate(), colorScheme(look.scheme))
			for _, p := range admin {
				name := fmt.Sprintf("admin-%s-%s-%s", p.name, look.vp.name, look.scheme)
				run(t, ctx, "open "+name, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS(`main`)))
				checkPage(t, ctx, axe, name, nil)
				if look.scheme == "dark" {
					if bg := get(t, ctx, "background of "+name, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`)); bg == "rgb(246, 246, 244)" || bg == "rgb(255, 255, 255)" {
						t.Errorf("%s: the page stays light in dark mode (body background %s)", name, bg)
					}
				}
				if look.scheme != "light" || look.vp.name != "desktop" {
					continue
				}
				// A list's buttons (Change, Republish, Revoke...) repeat on
				// every row: each must say which row it acts on, or a screen
				// reader hears the same button many times over.
				if same := get(t, ctx, "buttons of "+name, chromedp.Evaluate[[]string](sameButtons)); len(same) > 0 {
					t.Errorf("%s: buttons that cannot be told apart without sight: %s", name, strings.Join(same, "; "))
				}
				for _, img := range get(t, ctx, "images of "+name, chromedp.Evaluate[[]string](imageSizes)) {
					if !strings.HasPrefix(img, "ok ") {
						t.Errorf("%s: an image without width and height: %s", name, strings.TrimPrefix(img, "unsized "))
					}
				}
			}
		}
		run(t, ctx, "desktop light", desktop.emulate(), colorScheme("light"))
		// A republished article's draft, as the desk opens it in the editor.
		run(t, ctx, "open the inbox", chromedp.Navigate(base+"/admin/inbox"), chromedp.WaitVisible(chromedp.CSS("article.desk-item")))
		clickAndLoad(t, ctx, "article.desk-item .desk-republish")
		run(t, ctx, "the draft opens", chromedp.WaitVisible(chromedp.ID("intro-note")))
		checkPage(t, ctx, axe, "admin-republished-desktop-light", nil)
		// A form sent back with a mistake: the field is marked and named.
		run(t, ctx, "add a user whose address is taken",
			chromedp.Navigate(base+"/admin/users"),
			chromedp.WaitVisible(chromedp.CSS(`main form[action="/admin/users"]`)),
			chromedp.SendKeys(chromedp.CSS(`main form[action="/admin/users"] input[name=name]`), "Ed Again"),
			chromedp.SendKeys(chromedp.CSS(`main form[action="/admin/users"] input[name=email]`), "ed@example.org"),
			chromedp.SendKeys(chromedp.CSS(`main form[action="/admin/users"] input[name=password]`), password),
		)
		clickAndLoad(t, ctx, `main form[action="/admin/users"] button[type=submit]`)
		checkPage(t, ctx, axe, "admin-users-error-desktop-light", nil)
		// Sign out from a page without an email field, so that the sign-in
		// form waited for is the login page's.
		run(t, ctx, "open the post list", chromedp.Navigate(base+"/admin/posts"), chromedp.WaitVisible(chromedp.CSS(`#new-entry`)))
		signOut(t, ctx)
		run(t, ctx, "the login page", chromedp.WaitVisible(chromedp.CSS(`form.login`)))
		checkPage(t, ctx, axe, "admin-login-desktop-light", nil)
		run(t, ctx, "sign in wrongly",
			chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "ada@example.org"),
			chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "not the password"),
		)
		clickAndLoad(t, ctx, `form.login button[type=submit]`)
		checkPage(t, ctx, axe, "admin-login-error-desktop-light", nil)
	})
	fmt.Fprintln(os.Stderr, "screenshots in", artifacts(t))
}
