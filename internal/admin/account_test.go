package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestAccountPassword: a user changes their own password only with the
// current one; other sessions end, this one goes on; the new password
// signs in and the old does not. The email changes likewise.
func TestAccountPassword(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c, other := e.signIn("author"), e.signIn("author")
		res, _ := c.Get(e.srv.URL + "/admin/account")
		if page := readAll(t, res); res.StatusCode != 200 || !strings.Contains(page, `name="current_password"`) {
			t.Fatalf("the account page: %d", res.StatusCode)
		}
		post := func(c *http.Client, path string, form url.Values) (*http.Response, string) {
			res, err := c.PostForm(e.srv.URL+path, form)
			if err != nil {
				t.Fatal(err)
			}
			return res, readAll(t, res)
		}
		const newPassword = "correct horse battery"
		res, page := post(c, "/admin/account/password", url.Values{"current_password": {"wrong password!"},
			"new_password": {newPassword}, "confirm_password": {newPassword}})
		if res.StatusCode != 422 || !strings.Contains(page, "your current password is not the one typed") {
			t.Errorf("a wrong current password: %d", res.StatusCode)
		}
		res, page = post(c, "/admin/account/password", url.Values{"current_password": {testPassword},
			"new_password": {"short"}, "confirm_password": {"short"}})
		if res.StatusCode != 422 || !strings.Contains(page, "at least 10 characters") || !strings.Contains(page, `id="new_password" required minlength="10" autocomplete="new-password" aria-invalid="true"`) {
			t.Errorf("a short new password: %d", res.StatusCode)
		}
		res, _ = post(c, "/admin/account/password", url.Values{"current_password": {testPassword},
			"new_password": {newPassword}, "confirm_password": {newPassword + "x"}})
		if res.StatusCode != 422 {
			t.Errorf("a confirmation that differs: %d", res.StatusCode)
		}
		res, _ = post(c, "/admin/account/password", url.Values{"current_password": {testPassword},
			"new_password": {newPassword}, "confirm_password": {newPassword}})
		if res.StatusCode != 303 || res.Header.Get("Location") != "/admin/account?flash=Your+password+was+changed.+Other+devices+signed+in+as+you+were+signed+out." {
			t.Fatalf("change the password: %d → %s", res.StatusCode, res.Header.Get("Location"))
		}
		if res, _ := c.Get(e.srv.URL + "/admin/account"); res.StatusCode != 200 {
			t.Errorf("this session ended with the change: %d", res.StatusCode)
		}
		if res, _ := other.Get(e.srv.URL + "/admin/account"); res.StatusCode != 303 {
			t.Errorf("another session survived the change: %d", res.StatusCode)
		}
		if status, _ := e.call("author", "GET", "/api/v1/me", nil); status != 200 {
			t.Errorf("the API token stopped working: %d", status)
		}
		res, _ = post(e.browser(), "/admin/login", url.Values{"email": {"author@example.org"}, "password": {testPassword}})
		if res.StatusCode != 401 {
			t.Errorf("the old password still signs in: %d", res.StatusCode)
		}
		res, _ = post(e.browser(), "/admin/login", url.Values{"email": {"author@example.org"}, "password": {newPassword}})
		if res.StatusCode != 303 {
			t.Errorf("the new password does not sign in: %d", res.StatusCode)
		}

		// Email: the current password again; another's address refused.
		res, page = post(c, "/admin/account/email", url.Values{"email": {"editor@example.org"}, "current_password": {newPassword}})
		if res.StatusCode != 409 || !strings.Contains(page, "another user has the email") || !strings.Contains(page, `value="editor@example.org"`) {
			t.Errorf("taking another's email: %d", res.StatusCode)
		}
		res, _ = post(c, "/admin/account/email", url.Values{"email": {"writer@example.org"}, "current_password": {testPassword}})
		if res.StatusCode != 422 {
			t.Errorf("an email change with the old password: %d", res.StatusCode)
		}
		// Three failures from this address slow the next attempt; wait it out.
		later := db.Now().Add(time.Minute)
		db.Now = func() time.Time { return later }
		res, _ = post(c, "/admin/account/email", url.Values{"email": {"writer@example.org"}, "current_password": {newPassword}})
		if u, _ := db.FindUserByID(ctx, e.users["author"].ID); res.StatusCode != 303 || u.Email != "writer@example.org" {
			t.Errorf("change the email: %d, now %q", res.StatusCode, u.Email)
		}
		res, _ = post(e.browser(), "/admin/login", url.Values{"email": {"writer@example.org"}, "password": {newPassword}})
		if res.StatusCode != 303 {
			t.Errorf("the new email does not sign in: %d", res.StatusCode)
		}
	})
}

// TestResetLink: an admin makes a one-time link for a user, who sets a
// password with it once; the link then fails, as does any other; the
// user's sessions and tokens end; no one else may make links.
func TestResetLink(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		victim := e.users["author"]
		old := e.signIn("author")
		ed := e.signIn("editor")
		res, _ := ed.PostForm(e.srv.URL+fmt.Sprintf("/admin/users/%d/reset", victim.ID), nil)
		res.Body.Close()
		if res.StatusCode != 403 {
			t.Errorf("an editor making a link: %d", res.StatusCode)
		}
		adm := e.signIn("admin")
		res, _ = adm.Get(e.srv.URL + "/admin/users")
		if page := readAll(t, res); !strings.Contains(page, fmt.Sprintf(`action="/admin/users/%d/reset"`, victim.ID)) {
			t.Errorf("the users page offers no password link")
		}
		res, _ = adm.PostForm(e.srv.URL+fmt.Sprintf("/admin/users/%d/reset", victim.ID), nil)
		page := readAll(t, res)
		i := strings.Index(page, `<code id="reset-link">`)
		if res.StatusCode != 200 || i < 0 {
			t.Fatalf("make a link: %d", res.StatusCode)
		}
		link := page[i+len(`<code id="reset-link">`):]
		link = link[:strings.Index(link, "<")]
		if !strings.HasPrefix(link, e.srv.URL+"/admin/reset/") {
			t.Fatalf("the link %q is not on the site", link)
		}
		anon := e.browser()
		res, _ = anon.Get(link)
		if page := readAll(t, res); res.StatusCode != 200 || !strings.Contains(page, "author@example.org") {
			t.Errorf("open the link: %d", res.StatusCode)
		}
		res, _ = anon.Get(e.srv.URL + "/admin/reset/made-up")
		if page := readAll(t, res); res.StatusCode != 404 || !strings.Contains(page, "This password link is not valid") {
			t.Errorf("a made-up link: %d", res.StatusCode)
		}
		const pw = "a fresh start, please"
		res, _ = anon.PostForm(link, url.Values{"new_password": {"short"}, "confirm_password": {"short"}})
		if page := readAll(t, res); res.StatusCode != 422 || !strings.Contains(page, "at least 10 characters") {
			t.Errorf("a short password by link: %d", res.StatusCode)
		}
		res, _ = anon.PostForm(link, url.Values{"new_password": {pw}, "confirm_password": {pw}})
		res.Body.Close()
		if res.StatusCode != 303 || res.Header.Get("Location") != "/admin/login?done=password" {
			t.Fatalf("set the password by link: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		res, _ = anon.Get(e.srv.URL + "/admin/login?done=password")
		if page := readAll(t, res); !strings.Contains(page, "Your password was set") {
			t.Errorf("the sign-in page does not say the password was set")
		}
		res, _ = anon.PostForm(link, url.Values{"new_password": {"another one, again"}, "confirm_password": {"another one, again"}})
		if page := readAll(t, res); res.StatusCode != 404 || !strings.Contains(page, "used already") {
			t.Errorf("the link used twice: %d", res.StatusCode)
		}
		if res, _ := old.Get(e.srv.URL + "/admin/"); res.StatusCode != 303 {
			t.Errorf("the user's old session survived: %d", res.StatusCode)
		}
		if status, _ := e.call("author", "GET", "/api/v1/me", nil); status != 401 {
			t.Errorf("the user's API token survived: %d", status)
		}
		res, _ = e.browser().PostForm(e.srv.URL+"/admin/login", url.Values{"email": {"author@example.org"}, "password": {pw}})
		res.Body.Close()
		if res.StatusCode != 303 {
			t.Errorf("the password set by link does not sign in: %d", res.StatusCode)
		}
	})
}

// TestAccountPasswordThrottled: guessing the current password on the
// account page is slowed as signing in is, so a session left open does not
// let its finder guess the password and take the account.
func TestAccountPasswordThrottled(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.signIn("author")
		var res *http.Response
		for i := 0; i < 4; i++ {
			res, _ = c.PostForm(e.srv.URL+"/admin/account/email", url.Values{"email": {"thief@example.org"},
				"current_password": {fmt.Sprintf("guess number %d", i)}})
			res.Body.Close()
			if i < 3 && res.StatusCode != 422 {
				t.Fatalf("guess %d: %d, want 422", i, res.StatusCode)
			}
		}
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
			t.Errorf("the fourth guess in a row: %d (Retry-After %q), want 429", res.StatusCode, res.Header.Get("Retry-After"))
		}
		if u, _ := db.FindUserByID(ctx, e.users["author"].ID); u.Email != "author@example.org" {
			t.Errorf("the email changed to %q", u.Email)
		}
	})
}
