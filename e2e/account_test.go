package e2e

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestDashboardAndPassword: an editor signs in and lands on the dashboard,
// moderates a reader's comment (sent through the post's form, counted on
// the dashboard, approved in the list, then shown to readers the page
// cache serves), changes their password on their account page, signs
// out, is refused with the old password and signs in with the new one.
func TestDashboardAndPassword(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			// A WordPress site with open comments: three approved, one pending.
			wxrFile, err := filepath.Abs(filepath.Join("..", "internal", "importer", "wxr", "testdata", "comments.wxr"))
			if err != nil {
				t.Fatal(err)
			}
			base := serverAfter(t, engine, [][]string{{"import", wxrFile}}, nil)
			ctx := editorSession(t, base, engine+"-account-failure.png")
			run(t, ctx, "land on the dashboard", chromedp.WaitVisible(chromedp.CSS(`#dash-drafts`)))
			if title := textOf(t, ctx, "read the heading", `main h1`); title != "Dashboard" {
				t.Errorf("signing in lands on %q, want the dashboard", title)
			}
			screenshot(t, ctx, engine+"-dashboard.png")
			moderateComment(t, ctx, base, engine)

			const newPassword = "a newer, longer password"
			run(t, ctx, "open the account page",
				chromedp.Click(chromedp.CSS(`form.who a[href="/admin/account"]`)),
				chromedp.WaitVisible(chromedp.CSS(`#current_password`)),
				chromedp.SendKeys(chromedp.CSS(`#current_password`), password),
				chromedp.SendKeys(chromedp.CSS(`#new_password`), newPassword),
				chromedp.SendKeys(chromedp.CSS(`#confirm_password`), newPassword),
			)
			clickAndLoad(t, ctx, `#save-password`)
			if flash := textOf(t, ctx, "read the note", `.flash`); !strings.Contains(flash, "Your password was changed") {
				t.Fatalf("after changing the password: %q", flash)
			}
			signOut(t, ctx)

			run(t, ctx, "sign in with the old password",
				chromedp.SendKeys(chromedp.CSS(`form.login input[name=email]`), "ed@example.org"),
				chromedp.SendKeys(chromedp.CSS(`input[name=password]`), password),
				chromedp.Submit(chromedp.CSS(`input[name=password]`)),
				chromedp.WaitVisible(chromedp.CSS(`#form-error`)),
			)
			if msg := textOf(t, ctx, "read the refusal", `#form-error`); !strings.Contains(msg, "wrong") {
				t.Errorf("the old password: %q", msg)
			}
			run(t, ctx, "sign in with the new password",
				chromedp.Navigate(base+"/admin/login"),
				chromedp.WaitVisible(chromedp.CSS(`form.login input[name=email]`)),
				chromedp.SendKeys(chromedp.CSS(`form.login input[name=email]`), "ed@example.org"),
				chromedp.SendKeys(chromedp.CSS(`input[name=password]`), newPassword),
				chromedp.Submit(chromedp.CSS(`input[name=password]`)),
				chromedp.WaitVisible(chromedp.CSS(`#dash-drafts`)),
			)
		})
	}
}

// readerGet fetches a page as a reader, without the editor's cookie: the
// page cache answers it.
func readerGet(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, res.StatusCode)
	}
	return string(b)
}

// moderateComment sends a comment through a post's form, finds it counted
// on the dashboard, approves it in the moderation list and checks that
// readers then see it, and takes screenshots of the post with its
// comments on a desktop (light) and a phone (dark).
func moderateComment(t *testing.T, ctx context.Context, base, engine string) {
	t.Helper()
	post := base + "/2025/10/01/ferry/"
	if page := readerGet(t, post); !strings.Contains(page, "3 comments") {
		t.Fatalf("the imported post does not show its 3 approved comments")
	}
	run(t, ctx, "write a comment",
		chromedp.Navigate(post),
		chromedp.WaitVisible(chromedp.CSS(`#comment-text`)),
		chromedp.SendKeys(chromedp.CSS(`#comment-text`), "Is there a night ferry on Fridays?"),
		chromedp.SendKeys(chromedp.CSS(`#comment-author`), "Bola Ade"),
		chromedp.SendKeys(chromedp.CSS(`#comment-email`), "bola@example.org"),
		chromedp.Click(chromedp.CSS(`.comment-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`main [role=status]`)),
	)
	if text := textOf(t, ctx, "read the thanks", `main`); !strings.Contains(text, "Thank you for your comment") {
		t.Fatalf("after sending a comment: %q", text)
	}
	if page := readerGet(t, post); strings.Contains(page, "night ferry") {
		t.Fatal("a comment waiting for moderation is shown")
	}
	run(t, ctx, "open the dashboard", chromedp.Navigate(base+"/admin/"), chromedp.WaitVisible(chromedp.CSS(`#dash-comments`)))
	if n := textOf(t, ctx, "read the count", `#dash-comments .count`); n != "2" {
		t.Errorf("the dashboard counts %q comments waiting, want 2", n)
	}
	run(t, ctx, "open the waiting comments",
		chromedp.Click(chromedp.CSS(`#dash-comments h2 a`)),
		chromedp.WaitVisible(chromedp.CSS(`ol.comments-moderation`)),
	)
	screenshot(t, ctx, engine+"-comments-moderation.png")
	clicked := get(t, ctx, "approve Bola's comment", chromedp.Evaluate[bool](`(() => {
		const li = [...document.querySelectorAll("ol.comments-moderation > li")].find(li => li.textContent.includes("Bola Ade"));
		const b = li && [...li.querySelectorAll("button")].find(b => b.textContent.trim() === "Approve");
		if (!b) return false;
		b.click();
		return true;
	})()`))
	if !clicked {
		t.Fatal("no Approve button beside the comment")
	}
	if flash := textOf(t, ctx, "read the note", `.flash`); !strings.Contains(flash, "Bola Ade is now approved") {
		t.Errorf("after approving: %q", flash)
	}
	if page := readerGet(t, post); !strings.Contains(page, "night ferry") || !strings.Contains(page, "4 comments") {
		t.Error("readers do not see the approved comment")
	}
	for _, v := range []struct {
		vp     viewport
		scheme string
	}{{desktop, "light"}, {phone, "dark"}} {
		run(t, ctx, "open the post on a "+v.vp.name, v.vp.emulate(), colorScheme(v.scheme),
			chromedp.Navigate(post), chromedp.WaitVisible(chromedp.CSS(`#comments`)))
		screenshot(t, ctx, engine+"-comments-"+v.vp.name+"-"+v.scheme+".png")
	}
	run(t, ctx, "back to the desktop", desktop.emulate(), colorScheme("light"), chromedp.Navigate(base+"/admin/"),
		chromedp.WaitVisible(chromedp.CSS(`#dash-drafts`)))
}
