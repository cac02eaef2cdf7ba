package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// sampleWXR is the sample site's export beside the repository.
func sampleWXR(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..")
	for _, dir := range []string{filepath.Join(root, "..", "shared", "sample"), filepath.Join(root, "..", "..", "shared", "sample")} {
		if p := filepath.Join(dir, "front-page.wxr"); fileExists(p) {
			return p
		}
	}
	t.Skip("the sample site (../shared/sample beside the repository) is not here")
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// apiEntry is what the round trip compares of a post.
type apiEntry struct {
	ID     int64  `json:"id"`
	Kind   string `json:"kind"`
	Title  string `json:"title"`
	Body   string `json:"body"`
	Format string `json:"format"`
}

// apiGet fetches path of the Admin API with the browser's session.
func apiGet[T any](t *testing.T, ctx context.Context, path string) T {
	t.Helper()
	raw := get(t, ctx, "GET "+path, chromedp.Evaluate[string](
		fmt.Sprintf(`fetch(%q).then(r => r.ok ? r.text() : Promise.reject(new Error(r.status + " " + r.url)))`, path),
		chromedp.EvalAwaitPromise))
	var out T
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return out
}

// TestEditorRoundTrip opens every post and page of the demo site and of
// the sample import in the editor, saves it without touching it, and
// checks that its body and format are byte for byte what they were.
func TestEditorRoundTrip(t *testing.T) {
	engine := "sqlite"
	for _, site := range []struct {
		name  string
		setup [][]string
		flags []string
	}{
		{"demo", nil, []string{"--demo"}},
		{"sample", [][]string{{"import", sampleWXR(t)}}, nil},
	} {
		t.Run(site.name, func(t *testing.T) {
			base := serverAfter(t, engine, site.setup, nil, site.flags...)
			ctx := browser(t)
			t.Cleanup(func() {
				if t.Failed() {
					screenshot(t, ctx, "roundtrip-"+site.name+"-failure.png")
				}
			})
			watchCSP(t, ctx)
			signIn(t, ctx, base, "ed@example.org")
			var entries []apiEntry
			for _, kind := range []string{"post", "page"} {
				for page := 1; ; page++ {
					list := apiGet[struct {
						Posts []apiEntry `json:"posts"`
						Pages int        `json:"pages"`
					}](t, ctx, fmt.Sprintf("/api/v1/posts?kind=%s&page=%d", kind, page))
					entries = append(entries, list.Posts...)
					if page >= list.Pages {
						break
					}
				}
			}
			if len(entries) < 5 {
				t.Fatalf("only %d entries to open", len(entries))
			}
			rich, source := 0, 0
			for _, en := range entries {
				before := apiGet[apiEntry](t, ctx, fmt.Sprintf("/api/v1/posts/%d", en.ID))
				run(t, ctx, "open "+before.Title,
					chromedp.Navigate(fmt.Sprintf("%s/admin/posts/%d", base, en.ID)),
					chromedp.WaitVisible(chromedp.CSS(`#editor-modes`)),
				)
				for _, v := range cspViolations(t, ctx) {
					t.Errorf("opening %q broke the admin's Content-Security-Policy: %s", before.Title, v)
				}
				if get(t, ctx, "which editor", chromedp.Evaluate[string](`document.getElementById("mode-rich").getAttribute("aria-pressed")`)) == "true" {
					rich++
				} else {
					source++
				}
				clickAndLoad(t, ctx, `#save`)
				if flash := textOf(t, ctx, "read the note", `.flash`); !strings.HasPrefix(flash, "Saved.") {
					t.Fatalf("saving %q untouched: %q", before.Title, flash)
				}
				after := apiGet[apiEntry](t, ctx, fmt.Sprintf("/api/v1/posts/%d", en.ID))
				if after.Body != before.Body || after.Format != before.Format {
					t.Errorf("%s %q (%s) changed by an untouched save:\nbefore %q\nafter  %q", before.Kind, before.Title, before.Format, before.Body, after.Body)
				}
			}
			t.Logf("%d entries saved back unchanged (%d opened in the rich editor, %d in their source)", len(entries), rich, source)
			if rich == 0 {
				t.Error("no entry opened in the rich editor")
			}
		})
	}
}

// enter presses Enter as a person does: one key down whose default the
// page may prevent (the rich editor does, to make its own paragraph),
// where a separate character event would add a second line break.
var enter = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	for _, typ := range []input.DispatchKeyEventType{kb.KeyDown, kb.KeyUp} {
		k := input.DispatchKeyEventParams{Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
		if typ == kb.KeyDown {
			k.Text, k.UnmodifiedText = "\r", "\r"
		}
		if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, k); err != nil {
			return err
		}
	}
	return nil
})

// watchCSP makes every page the browser opens from now on record the
// Content-Security-Policy's refusals in window.cspViolations (the
// recorder is added by the browser, so the policy does not apply to it).
func watchCSP(t *testing.T, ctx context.Context) {
	t.Helper()
	run(t, ctx, "watch the CSP", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
			window.cspViolations = [];
			document.addEventListener("securitypolicyviolation", (e) =>
				window.cspViolations.push(e.violatedDirective + " at " + e.sourceFile + ":" + e.lineNumber + " (" + e.blockedURI + ")"));`})
		return err
	}))
}

// cspViolations returns what the policy refused on the current page.
func cspViolations(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return get(t, ctx, "read the CSP's refusals", chromedp.Evaluate[[]string](`window.cspViolations || ["the recorder is missing"]`))
}

// TestRichEditor writes a post with a heading, a list, a link and an
// image only through the rich editor's buttons and the media picker, and
// reads them on the published page.
func TestRichEditor(t *testing.T) {
	base := server(t, "sqlite")
	ctx := browser(t)
	t.Cleanup(func() {
		if t.Failed() {
			screenshot(t, ctx, "rich-editor-failure.png")
		}
	})
	watchCSP(t, ctx)
	signIn(t, ctx, base, "ed@example.org")
	photo := filepath.Join(t.TempDir(), "market.png")
	writePNG(t, photo, 1200, 800)

	editor := chromedp.CSS(`#rich-editor .ql-editor`)
	clickAndLoad(t, ctx, "#new-entry")
	run(t, ctx, "a new post opens in the rich editor",
		chromedp.WaitVisible(editor),
		chromedp.SendKeys(chromedp.CSS(`#title`), "Market day in Kano"),
		chromedp.Click(editor),
		chromedp.SendKeys(editor, "What sold"),
		chromedp.Click(chromedp.CSS(`.ql-header .ql-picker-label`)),
		chromedp.Click(chromedp.CSS(`.ql-header .ql-picker-item[data-value="2"]`)),
		enter,
		chromedp.SendKeys(editor, "Prices rose before the rains."),
		enter,
		chromedp.Click(chromedp.CSS(`button.ql-list[value="bullet"]`)),
		chromedp.SendKeys(editor, "Millet"), enter,
		chromedp.SendKeys(editor, "Sorghum"), enter, enter,
		chromedp.SendKeys(editor, "Source"),
		chromedp.KeyEvent(strings.Repeat(kb.ArrowLeft, len("Source")), chromedp.KeyModifiers(kb.ModifierShift)),
		chromedp.Click(chromedp.CSS(`button.ql-link`)),
		chromedp.WaitVisible(chromedp.CSS(`.ql-tooltip.ql-editing input[type=text]`)),
		chromedp.SendKeys(chromedp.CSS(`.ql-tooltip.ql-editing input[type=text]`), "https://example.org/kano-market"),
		enter,
		chromedp.Click(chromedp.CSS(`#rich-editor .ql-editor p:last-child`)),
		chromedp.KeyEvent(kb.End),
		enter,
		chromedp.Click(chromedp.CSS(`button.ql-image`)),
		chromedp.WaitVisible(chromedp.CSS(`#media-picker`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#picker-file`), []string{photo}),
		chromedp.Click(chromedp.CSS(`#picker-insert`)),
	)
	if s := textOf(t, ctx, "the picker's note", `#picker-state`); !strings.Contains(s, "alt text") {
		t.Errorf("inserting an image without alt text: %q, want it refused", s)
	}
	run(t, ctx, "describe and insert the image",
		chromedp.SendKeys(chromedp.CSS(`#picker-alt`), "Sacks of millet at the market"),
		chromedp.SendKeys(chromedp.CSS(`#picker-caption`), "Kano, the morning before the rains"),
		chromedp.Click(chromedp.CSS(`#picker-insert`)),
		chromedp.WaitVisible(chromedp.CSS(`#rich-editor figure img[srcset]`)),
	)
	if body := get(t, ctx, "the body field", chromedp.Evaluate[string](`document.getElementById("body").value`)); !strings.Contains(body, "<h2>What sold</h2>") {
		t.Errorf("the body field after writing: %q", body)
	}
	screenshot(t, ctx, "rich-editor.png")
	for _, v := range cspViolations(t, ctx) {
		t.Errorf("the editor broke the admin's Content-Security-Policy: %s", v)
	}
	clickAndLoad(t, ctx, `#publish`)
	if flash := textOf(t, ctx, "read the note", `.flash`); !strings.HasPrefix(flash, "Published.") {
		t.Fatalf("publishing: %q", flash)
	}
	// Choose the uploaded image again, from the library this time, under
	// the list; and make it the featured image from the thumbnails.
	run(t, ctx, "choose from the library",
		chromedp.Click(chromedp.CSS(`#rich-editor .ql-editor li:last-child`)),
		chromedp.KeyEvent(kb.End),
		chromedp.Click(chromedp.CSS(`#insert-media`)),
		chromedp.WaitVisible(chromedp.CSS(`#picker-library .thumb`)),
		chromedp.Click(chromedp.CSS(`#picker-library .thumb`)),
	)
	if alt := get(t, ctx, "the alt text offered", chromedp.Value(chromedp.CSS(`#picker-alt`))); alt != "Sacks of millet at the market" {
		t.Errorf("choosing from the library offers the alt text %q, want the library's", alt)
	}
	run(t, ctx, "insert it and feature it",
		chromedp.Click(chromedp.CSS(`#picker-insert`)),
		chromedp.WaitVisible(chromedp.CSS(`#rich-editor figure:nth-of-type(2)`)),
		chromedp.Click(chromedp.CSS(`#featured-grid .thumb:not(.none)`)),
	)
	clickAndLoad(t, ctx, "#save")
	href := get(t, ctx, "the post's address", chromedp.Evaluate[string](`document.querySelector(".head a[target=_blank]").href`))
	run(t, ctx, "open the published post", chromedp.Navigate(href), chromedp.WaitVisible(chromedp.CSS(`main`)))
	if n := get(t, ctx, "count the figures", chromedp.Evaluate[int](`document.querySelectorAll(".entry-content figure img[srcset]").length`)); n != 2 {
		t.Errorf("the post shows %d images in its text, want 2", n)
	}
	if alt := get(t, ctx, "the featured image", chromedp.Evaluate[string](
		`(() => { const i = document.querySelector(".featured-image img"); return i ? i.alt : "" })()`)); alt != "Sacks of millet at the market" {
		t.Errorf("the featured image: %q", alt)
	}
	type published struct {
		Heading, Link, LinkText, Alt, Caption string
		Items                                 []string
		Srcset, Loaded                        bool
	}
	got := get(t, ctx, "read the post", chromedp.Evaluate[published](`(() => {
		const main = document.querySelector("main");
		const h = [...main.querySelectorAll("h2")].find(h => h.textContent.includes("What sold"));
		const a = [...main.querySelectorAll("a")].find(a => a.textContent === "Source");
		const img = main.querySelector(".entry-content figure img");
		const cap = main.querySelector(".entry-content figure figcaption");
		return {
			Heading: h ? h.textContent : "",
			Items: [...main.querySelectorAll("ul li")].map(li => li.textContent).filter(s => s === "Millet" || s === "Sorghum"),
			Link: a ? a.getAttribute("href") : "", LinkText: a ? a.textContent : "",
			Alt: img ? img.alt : "", Srcset: !!(img && img.srcset), Loaded: !!(img && img.complete && img.naturalWidth > 0),
			Caption: cap ? cap.textContent : "",
		};
	})()`))
	want := published{Heading: "What sold", Items: []string{"Millet", "Sorghum"}, Link: "https://example.org/kano-market", LinkText: "Source",
		Alt: "Sacks of millet at the market", Caption: "Kano, the morning before the rains", Srcset: true, Loaded: true}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the published post:\n got %+v\nwant %+v", got, want)
	}
}

// TestRepublishedForm: a republished draft opens with its introduction
// in a field of its own and the attribution line made from the source
// fields; the article is edited in the same rich editor; the published
// page has the introduction, the attribution with the original author
// and the article, and the editor as the post's author.
func TestRepublishedForm(t *testing.T) {
	base := server(t, "sqlite")
	ctx := editorSession(t, base, "republished-form-failure.png")
	draft := "<!-- Editorial introduction: write it here, above the attribution line. -->\n" +
		`<p class="editorial-introduction"></p>` + "\n" +
		`<p class="attribution-line">The following article was originally published by Agency Wire.</p>` + "\n" +
		"<p>Leaders met in Addis Ababa on Tuesday.</p>\n<!--more-->\n<p>They agreed on a customs union.</p>\n"
	in, _ := json.Marshal(map[string]any{"title": "Leaders meet", "body": draft, "format": "html",
		"source": map[string]string{"name": "Agency Wire", "url": "https://agency.example/summit"}})
	id := get(t, ctx, "create the republished draft", chromedp.Evaluate[int64](fmt.Sprintf(
		`fetch("/api/v1/posts", {method: "POST", headers: {"Content-Type": "application/json"}, body: %q}).then(r => r.json()).then(p => p.id)`,
		string(in)), chromedp.EvalAwaitPromise))
	run(t, ctx, "open the draft",
		chromedp.Navigate(fmt.Sprintf("%s/admin/posts/%d", base, id)),
		chromedp.WaitVisible(chromedp.CSS(`#introduction`)),
		chromedp.WaitVisible(chromedp.CSS(`#rich-editor .ql-editor`)),
	)
	shown := get(t, ctx, "what the editor shows", chromedp.Evaluate[string](
		`document.getElementById("introduction").value + "|" + document.getElementById("attribution").textContent.trim() + "|" + document.querySelector("#rich-editor .ql-editor").innerHTML`))
	if strings.Contains(shown, "editorial-introduction") || strings.Contains(shown, "attribution-line") ||
		!strings.Contains(shown, "|The following article was originally published by Agency Wire.|") {
		t.Errorf("the editor shows %q", shown)
	}
	if n := textOf(t, ctx, "the introduction's note", `#intro-note`); !strings.Contains(n, "write the editorial introduction in its field") {
		t.Errorf("the note says %q", n)
	}
	run(t, ctx, "write the introduction and change the article",
		chromedp.SendKeys(chromedp.CSS(`#introduction`), "Why it matters: one market for a billion people."),
		chromedp.Click(chromedp.CSS(`#rich-editor .ql-editor p:last-child`)),
		chromedp.KeyEvent(kb.End),
		chromedp.SendKeys(chromedp.CSS(`#rich-editor .ql-editor`), " Talks resume in March."),
		chromedp.SendKeys(chromedp.CSS(`#source_author`), "Lin Wei"),
	)
	screenshot(t, ctx, "republished-form.png")
	clickAndLoad(t, ctx, `#publish`)
	if flash := textOf(t, ctx, "read the note", `.flash`); flash != "Published." {
		t.Errorf("publishing: %q", flash)
	}
	after := apiGet[struct {
		Body    string `json:"body"`
		Authors []struct {
			Name string `json:"name"`
		} `json:"authors"`
	}](t, ctx, fmt.Sprintf("/api/v1/posts/%d", id))
	want := `<p class="editorial-introduction">Why it matters: one market for a billion people.</p>` + "\n" +
		`<p class="attribution-line">The following article was originally published by <a href="https://agency.example/summit">Agency Wire</a>. By Lin Wei.</p>` + "\n"
	if !strings.HasPrefix(after.Body, want) || !strings.Contains(after.Body, "customs union. Talks resume in March.</p>") || !strings.Contains(after.Body, "<!--more-->") {
		t.Errorf("the saved body:\n%s", after.Body)
	}
	if len(after.Authors) != 1 || after.Authors[0].Name != "Ed Ward" {
		t.Errorf("authors %+v, want the editor who republished", after.Authors)
	}
	href := get(t, ctx, "the post's address", chromedp.Evaluate[string](`document.querySelector(".head a[target=_blank]").href`))
	text := waitText(t, ctx, href, "main", "Why it matters")
	// The site draws the attribution from the source fields: the original
	// author is the byline, the editor signs the introduction.
	for _, s := range []string{"Why it matters: one market for a billion people.", "By Lin Wei", "Agency Wire", "Ed Ward", "Talks resume in March."} {
		if !strings.Contains(text, s) {
			t.Errorf("the published page lacks %q:\n%s", s, text)
		}
	}
}
