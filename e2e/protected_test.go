package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestProtectedPostInBrowser reads a password-protected post imported from
// WordPress as a reader would, through the page cache: the title and a
// password form, a wrong password said to be wrong, the right one
// opening the post, which stays open on the next visit.
func TestProtectedPostInBrowser(t *testing.T) {
	wxrFile, err := filepath.Abs(filepath.Join("..", "internal", "importer", "wxr", "testdata", "classic.wxr"))
	if err != nil {
		t.Fatal(err)
	}
	base := serverAfter(t, "sqlite", [][]string{{"import", wxrFile}}, nil)
	ctx := browser(t)
	t.Cleanup(func() {
		if t.Failed() {
			screenshot(t, ctx, "protected-post.png")
		}
	})
	const post = "/2024/05/08/port-fees/"
	text := func() string {
		return textOf(t, ctx, "read the post", `main`)
	}
	run(t, ctx, "open the protected post", chromedp.Navigate(base+post), chromedp.WaitVisible(chromedp.CSS(`form.post-password`)))
	if got := text(); !strings.Contains(got, "Members only: port fees") || strings.Contains(got, "Secret.") {
		t.Fatalf("locked post shows:\n%s", got)
	}
	run(t, ctx, "give a wrong password",
		chromedp.SendKeys(chromedp.CSS(`form.post-password input[name=password]`), "hunter3"),
		chromedp.Submit(chromedp.CSS(`form.post-password input[name=password]`)),
		chromedp.WaitVisible(chromedp.CSS(`.post-password-error`)))
	if got := text(); strings.Contains(got, "Secret.") {
		t.Fatalf("a wrong password opened the post:\n%s", got)
	}
	run(t, ctx, "give the right password",
		chromedp.SendKeys(chromedp.CSS(`form.post-password input[name=password]`), "hunter2"),
		chromedp.Submit(chromedp.CSS(`form.post-password input[name=password]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`form.post-password`)))
	if got := text(); !strings.Contains(got, "Secret.") {
		t.Fatalf("the right password did not open the post:\n%s", got)
	}
	run(t, ctx, "come back to the post", chromedp.Navigate(base+post), chromedp.WaitVisible(chromedp.CSS(`main`)))
	if got := text(); !strings.Contains(got, "Secret.") {
		t.Errorf("the post closed again on the next visit:\n%s", got)
	}
}
