package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/browsertest"
)

// TestCommentsAccessibility checks with axe-core a post with threaded
// comments and its form, on a desktop and a phone, light and dark, then
// the reply form and the form sent back with a mistake, which names the
// field to the reader.
func TestCommentsAccessibility(t *testing.T) {
	axe := browsertest.LoadAxe(t, filepath.Join("node_modules", "axe-core", "axe.min.js"))
	wxrFile, err := filepath.Abs(filepath.Join("..", "internal", "importer", "wxr", "testdata", "comments.wxr"))
	if err != nil {
		t.Fatal(err)
	}
	base := serverAfter(t, "sqlite", [][]string{{"import", wxrFile}}, nil)
	ctx := browsertest.Start(t, 6*time.Minute, chromedp.WindowSize(1366, 900))
	post := base + "/2025/10/01/ferry/"
	for _, vp := range []viewport{desktop, phone} {
		for _, scheme := range []string{"light", "dark"} {
			name := fmt.Sprintf("comments-%s-%s", vp.name, scheme)
			run(t, ctx, "open "+name, vp.emulate(), colorScheme(scheme), chromedp.Navigate(post), chromedp.WaitVisible(chromedp.CSS(`#comments`)))
			checkPage(t, ctx, axe, name, nil)
		}
	}
	run(t, ctx, "open the reply form", chromedp.Click(chromedp.CSS(`.comment-reply a`)), chromedp.WaitVisible(chromedp.CSS(`#comment-text`)))
	if h := textOf(t, ctx, "read the heading", `#comment-form-title`); h != "Reply to Chidi Eze" {
		t.Errorf("the reply form says %q", h)
	}
	checkPage(t, ctx, axe, "comment-reply-phone-dark", nil)
	// The browser would refuse a comment without a name: the server must too.
	get(t, ctx, "let the name be empty", chromedp.Evaluate[bool](`(document.getElementById("comment-author").removeAttribute("required"), true)`))
	run(t, ctx, "send a reply without a name",
		chromedp.SendKeys(chromedp.CSS(`#comment-text`), "Unsigned"),
		chromedp.Click(chromedp.CSS(`.comment-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#comment-error`)))
	if msg := textOf(t, ctx, "read the mistake", `#comment-error`); !strings.Contains(msg, "name") {
		t.Errorf("a comment without a name: %q", msg)
	}
	if v := get(t, ctx, "read the text kept", chromedp.Evaluate[string](`document.getElementById("comment-text").value`)); v != "Unsigned" {
		t.Errorf("the comment's text was not kept: %q", v)
	}
	checkPage(t, ctx, axe, "comment-mistake-phone-dark", nil)
}
