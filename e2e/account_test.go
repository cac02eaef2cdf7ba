package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestDashboardAndPassword: an editor signs in and lands on the dashboard,
// changes their password on their account page, signs out, is refused
// with the old password and signs in with the new one.
func TestDashboardAndPassword(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			base := server(t, engine)
			ctx := editorSession(t, base, engine+"-account-failure.png")
			run(t, ctx, "land on the dashboard", chromedp.WaitVisible(chromedp.CSS(`#dash-drafts`)))
			if title := get(t, ctx, "read the heading", chromedp.Text(chromedp.CSS(`main h1`))); title != "Dashboard" {
				t.Errorf("signing in lands on %q, want the dashboard", title)
			}
			screenshot(t, ctx, engine+"-dashboard.png")

			const newPassword = "a newer, longer password"
			run(t, ctx, "open the account page",
				chromedp.Click(chromedp.CSS(`form.who a[href="/admin/account"]`)),
				chromedp.WaitVisible(chromedp.CSS(`#current_password`)),
				chromedp.SendKeys(chromedp.CSS(`#current_password`), password),
				chromedp.SendKeys(chromedp.CSS(`#new_password`), newPassword),
				chromedp.SendKeys(chromedp.CSS(`#confirm_password`), newPassword),
				chromedp.Click(chromedp.CSS(`#save-password`)),
				chromedp.WaitVisible(chromedp.CSS(`.flash`)),
			)
			if flash := get(t, ctx, "read the note", chromedp.Text(chromedp.CSS(`.flash`))); !strings.Contains(flash, "Your password was changed") {
				t.Fatalf("after changing the password: %q", flash)
			}
			signOut(t, ctx)

			run(t, ctx, "sign in with the old password",
				chromedp.SendKeys(chromedp.CSS(`form.login input[name=email]`), "ed@example.org"),
				chromedp.SendKeys(chromedp.CSS(`input[name=password]`), password),
				chromedp.Submit(chromedp.CSS(`input[name=password]`)),
				chromedp.WaitVisible(chromedp.CSS(`#form-error`)),
			)
			if msg := get(t, ctx, "read the refusal", chromedp.Text(chromedp.CSS(`#form-error`))); !strings.Contains(msg, "wrong") {
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
