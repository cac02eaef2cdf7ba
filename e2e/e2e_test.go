// Package e2e drives the whole of Broadsheet in a real headless Chromium:
// it boots the program as 'broadsheet serve' on a free port and works the
// admin as an editor and a contributor would, and checks the site's and
// the admin's pages for accessibility with axe-core (a11y_test.go).
// Screenshots are written to e2e/artifacts/ (kept by CI).
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/app"
	"github.com/broadsheet/broadsheet/internal/browsertest"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

const password = "a long enough password"

// server boots broadsheet on 127.0.0.1:0 over a fresh database with an
// editor, a contributor and an administrator, and returns its address.
func server(t *testing.T, engine string) string {
	t.Helper()
	return serverWith(t, engine, nil)
}

// serverWith is server with BROADSHEET_* settings (NAME=value) and extra
// serve flags given to serve.
func serverWith(t *testing.T, engine string, environ []string, serveFlags ...string) string {
	t.Helper()
	return serverAfter(t, engine, nil, environ, serveFlags...)
}

// serverAfter is serverWith running the command lines in setup (such as
// an import) over the database before serve starts.
func serverAfter(t *testing.T, engine string, setup [][]string, environ []string, serveFlags ...string) string {
	t.Helper()
	dsn := storetest.DSN(t, engine)
	data := t.TempDir()
	env := []string{"BROADSHEET_PASSWORD=" + password}
	for _, u := range [][3]string{{"ed@example.org", "Ed Ward", "editor"}, {"cora@example.org", "Cora Lee", "contributor"},
		{"ada@example.org", "Ada Admin", "admin"}} {
		if code := app.Run(context.Background(), []string{"--db", dsn, "--data", data, "user", "add",
			"--email", u[0], "--name", u[1], "--role", u[2]}, env, io.Discard, os.Stderr); code != 0 {
			t.Fatalf("user add %s: exit %d", u[0], code)
		}
	}
	for _, args := range setup {
		var stderr strings.Builder
		if code := app.Run(context.Background(), append([]string{"--db", dsn, "--data", data}, args...), env, io.Discard, &stderr); code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, stderr.String())
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int)
	go func() {
		args := append([]string{"--db", dsn, "--data", data, "serve", "--addr", "127.0.0.1:0"}, serveFlags...)
		done <- app.Run(ctx, args, environ, pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() { cancel(); <-done })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		re := regexp.MustCompile(`serving on (http://[^/ ]+)/`)
		sent := false
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil && !sent {
				addr <- m[1]
				sent = true
			}
		}
		if !sent {
			close(addr)
		}
	}()
	a, ok := <-addr
	if !ok {
		t.Fatal("the server did not start")
	}
	return a
}

// browser starts Debian's Chromium, headless, with a laptop's window.
func browser(t *testing.T) context.Context {
	return browsertest.Start(t, 3*time.Minute, chromedp.WindowSize(1280, 1000))
}

func artifacts(t *testing.T) string {
	dir := filepath.Join("artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(artifacts(t), name), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// get runs one action that returns a value.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// clickAndLoad clicks a form's button and waits for the page it leads to
// (after the redirect), so that what is read next is the new page.
func clickAndLoad(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	loaded := chromedp.Events(ctx, page.LoadEventFired)
	run(t, ctx, "click "+sel, chromedp.Click(chromedp.CSS(sel)))
	for _, err := range loaded {
		if err != nil {
			t.Fatalf("after clicking %s: %v", sel, err)
		}
		break
	}
}

// textOf returns the text an element shows, once it is there. It reads
// it by script, not by a node found first: after a form is sent, a node
// found while the page was still being replaced may be gone when read.
func textOf(t *testing.T, ctx context.Context, what, sel string) string {
	t.Helper()
	run(t, ctx, what, chromedp.WaitReady(chromedp.CSS(sel)))
	return get(t, ctx, what, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).innerText`, sel)))
}

func signIn(t *testing.T, ctx context.Context, base, email string) {
	t.Helper()
	run(t, ctx, "sign in as "+email,
		chromedp.Navigate(base+"/admin/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), password),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
		chromedp.WaitVisible(chromedp.CSS(`#new-entry`)),
	)
}

// editorSession opens a browser signed in to base as the editor, which
// saves a screenshot named shot in the artifacts when the test fails.
func editorSession(t *testing.T, base, shot string) context.Context {
	t.Helper()
	ctx := browser(t)
	t.Cleanup(func() {
		if t.Failed() {
			screenshot(t, ctx, shot)
		}
	})
	signIn(t, ctx, base, "ed@example.org")
	return ctx
}

func signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	run(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form.who button`)), chromedp.WaitVisible(chromedp.CSS(`form.login input[name=email]`)))
}

// waitText polls (with a generous bound) until the page at url contains want.
func waitText(t *testing.T, ctx context.Context, url, sel, want string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		run(t, ctx, "open "+url, chromedp.Navigate(url))
		text := textOf(t, ctx, "read "+url, sel)
		if strings.Contains(text, want) {
			return text
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never showed %q; last:\n%s", url, want, text)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func writePNG(t *testing.T, path string, w, h int) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(200 - y/4), uint8(150 + x/10), 60, 255})
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

func TestEditorialWorkflow(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			base := server(t, engine)
			ctx := editorSession(t, base, engine+"-failure.png")

			// Write a post with a source and a break, and preview it.
			run(t, ctx, "write a post",
				chromedp.Click(chromedp.CSS(`#new-entry`)),
				chromedp.WaitVisible(chromedp.CSS(`#title`)),
				chromedp.SendKeys(chromedp.CSS(`#title`), "Grain prices in the Sahel"),
				// Written in Markdown: the source, not the rich editor.
				chromedp.Click(chromedp.CSS(`#mode-source`)),
				chromedp.WaitVisible(chromedp.CSS(`#body`)),
				chromedp.SendKeys(chromedp.CSS(`#body`), "Our **introduction** to the piece."),
				chromedp.Click(chromedp.CSS(`#insert-more`)),
				chromedp.SendKeys(chromedp.CSS(`#body`), "The republished article, in full."),
				chromedp.SendKeys(chromedp.CSS(`#source_name`), "Le Monde Afrique"),
				chromedp.SendKeys(chromedp.CSS(`#source_url`), "https://example.com/sahel-grain"),
				chromedp.SendKeys(chromedp.CSS(`#source_author`), "Awa Diop"),
				chromedp.SendKeys(chromedp.CSS(`#tags`), "food, prices"),
			)
			var teaser, full string
			deadline := time.Now().Add(30 * time.Second)
			for !strings.Contains(full, "republished article") {
				full = textOf(t, ctx, "read the preview", `#preview`)
				teaser = textOf(t, ctx, "read the teaser preview", `#teaser-preview`)
				if time.Now().After(deadline) {
					t.Fatalf("the preview never showed the body: %q", full)
				}
				time.Sleep(200 * time.Millisecond)
			}
			if !strings.Contains(teaser, "Our introduction to the piece.") || strings.Contains(teaser, "republished") {
				t.Errorf("teaser preview %q: want only the text before the break", teaser)
			}
			// Upload an image with its alt text and place it in the body.
			photo := filepath.Join(t.TempDir(), "harvest.png")
			writePNG(t, photo, 1200, 700)
			run(t, ctx, "upload an image",
				chromedp.Click(chromedp.ID("insert-media")),
				chromedp.WaitVisible(chromedp.ID("media-picker")),
				chromedp.SetUploadFiles(chromedp.ID("picker-file"), []string{photo}),
				chromedp.SendKeys(chromedp.ID("picker-alt"), "Millet drying in the sun"),
				chromedp.Click(chromedp.ID("picker-insert")),
			)
			deadline = time.Now().Add(30 * time.Second)
			for {
				if s := textOf(t, ctx, "image state", `#image-state`); strings.Contains(s, "Inserted") {
					break
				} else if time.Now().After(deadline) {
					t.Fatalf("the image was not inserted: %q", s)
				}
				time.Sleep(200 * time.Millisecond)
			}
			deadline = time.Now().Add(30 * time.Second)
			for get(t, ctx, "preview image", chromedp.Evaluate[int](`document.querySelectorAll("#preview img[srcset]").length`)) != 1 {
				if time.Now().After(deadline) {
					t.Fatal("the preview never showed the image with its srcset")
				}
				time.Sleep(200 * time.Millisecond)
			}
			strong := get(t, ctx, "count bold", chromedp.Evaluate[int](`document.querySelectorAll("#preview strong").length`))
			if strong != 1 {
				t.Errorf("the preview did not render Markdown (%d <strong>)", strong)
			}
			// Autosave keeps the draft while typing.
			var state string
			deadline = time.Now().Add(30 * time.Second)
			for !strings.Contains(state, "Saved automatically") {
				state = textOf(t, ctx, "autosave state", `#autosave-state`)
				if time.Now().After(deadline) {
					t.Fatalf("autosave never happened: %q", state)
				}
				time.Sleep(300 * time.Millisecond)
			}
			screenshot(t, ctx, engine+"-editor.png")

			// Schedule it a few seconds ahead, in the site's time zone (UTC).
			// Chromium writes a time input's whole minute as HH:MM, which
			// SetValue would read back as a different value: keep off :00.
			when := time.Now().UTC().Add(4 * time.Second)
			if when.Second() == 0 {
				when = when.Add(time.Second)
			}
			at := when.Format("2006-01-02T15:04:05")
			run(t, ctx, "schedule",
				chromedp.SetValue(chromedp.ID("publish_at"), at),
			)
			clickAndLoad(t, ctx, `#schedule`)
			flash := textOf(t, ctx, "read the note", `.flash`)
			if !strings.Contains(flash, "Scheduled for") {
				t.Fatalf("after scheduling: %q", flash)
			}
			front := waitText(t, ctx, base+"/", "main", "Grain prices in the Sahel")
			if !strings.Contains(front, "Continue reading") || strings.Contains(front, "republished article") {
				t.Errorf("front page teaser:\n%s", front)
			}
			href := get(t, ctx, "read the link", chromedp.Evaluate[string](`document.querySelector("a.more-link").getAttribute("href")`))
			if !strings.HasSuffix(href, "/grain-prices-in-the-sahel/#more") {
				t.Errorf("Continue reading links to %q, want the slug derived from the title", href)
			}
			run(t, ctx, "open the post", chromedp.Click(chromedp.CSS(`a.more-link`)), chromedp.WaitVisible(chromedp.ID("more")))
			article := textOf(t, ctx, "read the post", `main`)
			if !strings.Contains(article, "The republished article, in full.") {
				t.Errorf("post page:\n%s", article)
			}
			loaded := get(t, ctx, "image loaded", chromedp.Evaluate[string](
				`(() => { const i = document.querySelector("main img[srcset]"); return i ? i.alt + "|" + (i.complete && i.naturalWidth > 0) : "none" })()`))
			if loaded != "Millet drying in the sun|true" {
				t.Errorf("the post's image: %q, want it shown with its alt text", loaded)
			}

			// Edit it, then restore the older revision.
			run(t, ctx, "open the list", chromedp.Navigate(base+"/admin/posts?status=published"), chromedp.WaitVisible(chromedp.CSS(`table.list`)))
			screenshot(t, ctx, engine+"-post-list.png")
			// Leaving with unsaved changes warns (a published post is not
			// autosaved, so its changes stay unsaved until Save).
			leaving := `(() => { const e = new Event("beforeunload", {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented })()`
			run(t, ctx, "edit",
				chromedp.Click(chromedp.CSS(`td.title a`)),
				chromedp.WaitVisible(chromedp.CSS(`#body`)),
			)
			if get(t, ctx, "leave unchanged", chromedp.Evaluate[bool](leaving)) {
				t.Error("leaving an unchanged post warns")
			}
			get(t, ctx, "clear the body", chromedp.Evaluate[bool](`(document.getElementById("body").value = "", true)`))
			run(t, ctx, "type", chromedp.SendKeys(chromedp.ID("body"), "A rewritten body that we will regret."))
			if !get(t, ctx, "leave with changes", chromedp.Evaluate[bool](leaving)) {
				t.Error("leaving with unsaved changes does not warn")
			}
			clickAndLoad(t, ctx, `#save`)
			run(t, ctx, "compare",
				chromedp.WaitVisible(chromedp.CSS(`.flash`)),
				chromedp.Click(chromedp.CSS(`#compare`)),
				chromedp.WaitVisible(chromedp.CSS(`pre.diff`)),
			)
			diff := textOf(t, ctx, "read the diff", `pre.diff`)
			if !strings.Contains(diff, "+ A rewritten body") || !strings.Contains(diff, "- Our **introduction**") {
				t.Errorf("diff:\n%s", diff)
			}
			restoreID := get(t, ctx, "find the revision before",
				chromedp.Evaluate[string](`(() => { const b = [...document.querySelectorAll("button[id^=restore-]")]; return b.length ? b[0].id : "" })()`))
			// The restore posts a form and lands on the editor: wait for that
			// page, and read its body by script, not by a node the load may
			// have replaced.
			clickAndLoad(t, ctx, "#"+restoreID)
			run(t, ctx, "restored", chromedp.WaitVisible(chromedp.ID("body")))
			restored := get(t, ctx, "read the body", chromedp.Evaluate[string](`document.getElementById("body").value`))
			if !strings.Contains(restored, "Our **introduction**") {
				t.Errorf("after restoring: %q", restored)
			}
			signOut(t, ctx)

			// A contributor submits; the editor publishes.
			signIn(t, ctx, base, "cora@example.org")
			clickAndLoad(t, ctx, "#new-entry")
			run(t, ctx, "contributor writes",
				chromedp.WaitVisible(chromedp.CSS(`#title`)),
				chromedp.SendKeys(chromedp.CSS(`#title`), "Letter from Bamako"),
				chromedp.WaitVisible(chromedp.CSS(`#rich-editor .ql-editor`)),
				chromedp.SendKeys(chromedp.CSS(`#rich-editor .ql-editor`), "Notes from the market."),
				chromedp.Click(chromedp.CSS(`#submit-review`)),
				chromedp.WaitVisible(chromedp.CSS(`.flash`)),
			)
			buttons := get(t, ctx, "no publish button", chromedp.Evaluate[int](`document.querySelectorAll("#publish, #schedule").length`))
			if buttons != 0 {
				t.Errorf("a contributor sees %d publish buttons", buttons)
			}
			signOut(t, ctx)
			signIn(t, ctx, base, "ed@example.org")
			run(t, ctx, "editor reviews",
				chromedp.Navigate(base+"/admin/posts?status=pending"),
				chromedp.WaitVisible(chromedp.CSS(`td.title a`)),
			)
			clickAndLoad(t, ctx, "td.title a")
			run(t, ctx, "editor publishes", chromedp.WaitVisible(chromedp.CSS(`#publish`)))
			clickAndLoad(t, ctx, "#publish")
			run(t, ctx, "published", chromedp.WaitVisible(chromedp.CSS(`.flash`)))
			waitText(t, ctx, base+"/", "main", "Letter from Bamako")

			// On a phone: the list and the editor fit the screen.
			run(t, ctx, "phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
				chromedp.Navigate(base+"/admin/posts"), chromedp.WaitVisible(chromedp.CSS(`table.list`)))
			screenshot(t, ctx, engine+"-phone-post-list.png")
			run(t, ctx, "phone editor", chromedp.Click(chromedp.CSS(`td.title a`)), chromedp.WaitVisible(chromedp.ID("editor-modes")))
			if w := get(t, ctx, "page width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 400 {
				t.Errorf("the editor is %d px wide on a 390 px phone: it scrolls sideways", w)
			}
			screenshot(t, ctx, engine+"-phone-editor.png")
			fmt.Fprintln(os.Stderr, "screenshots in", artifacts(t))
		})
	}
}
