package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestSettingsAndMenu: an admin sets the time zone, posts per page and the
// menu; the site shows the menu; editors are refused; a bad time zone is
// refused with the form kept; scheduling uses the site's time zone.
func TestSettingsAndMenu(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ed := e.signIn("editor")
		res, _ := ed.Get(e.srv.URL + "/admin/settings")
		res.Body.Close()
		if res.StatusCode != 403 {
			t.Errorf("editor opening settings: %d, want 403", res.StatusCode)
		}
		res, _ = ed.PostForm(e.srv.URL+"/admin/settings", url.Values{"title": {"Hijacked"}, "posts_per_page": {"5"}})
		res.Body.Close()
		if s, _ := db.LoadSettings(ctx); res.StatusCode != 403 || s.Title == "Hijacked" {
			t.Errorf("editor saving settings: %d, title now %q", res.StatusCode, s.Title)
		}
		adm := e.signIn("admin")
		form := url.Values{"title": {"The Lagos Ledger"}, "description": {"News"}, "language": {"en"}, "time_zone": {"Mars/Olympus"},
			"posts_per_page": {"5"}, "menu": {"About | /about/\nBooks | /books/"}}
		res, _ = adm.PostForm(e.srv.URL+"/admin/settings", form)
		body := readAll(t, res)
		if res.StatusCode != 422 || !strings.Contains(body, `&#34;Mars/Olympus&#34; is not a time zone name`) || !strings.Contains(body, "Books | /books/") {
			t.Fatalf("bad time zone: %d", res.StatusCode)
		}
		form.Set("time_zone", "Africa/Lagos")
		res, _ = adm.PostForm(e.srv.URL+"/admin/settings", form)
		res.Body.Close()
		s, _ := db.LoadSettings(ctx)
		if res.StatusCode != http.StatusSeeOther || s.TimeZone != "Africa/Lagos" || s.PostsPerPage != 5 || len(s.Menu) != 2 {
			t.Fatalf("save: %d %+v", res.StatusCode, s)
		}
		res, _ = http.Get(e.srv.URL + "/")
		front := readAll(t, res)
		if !strings.Contains(front, `<a href="/about/">About</a>`) || !strings.Contains(front, "The Lagos Ledger") {
			t.Errorf("the front page does not show the menu and title")
		}
		// "10:00" typed in the editor is 10:00 in Lagos, 09:00 UTC.
		p := e.postBy("editor", content.StatusDraft)
		res, _ = ed.PostForm(e.srv.URL+fmt.Sprintf("/admin/posts/%d", p.ID), url.Values{"title": {"Dawn edition"}, "body": {"x"},
			"version": {fmt.Sprint(p.Version)}, "publish_at": {"2026-01-16T10:00"}, "action": {"schedule"}})
		res.Body.Close()
		got, _ := db.FindPostByID(ctx, p.ID)
		if want := time.Date(2026, 1, 16, 9, 0, 0, 0, time.UTC); got.Status != content.StatusScheduled || !got.PublishedAt.Equal(want) {
			t.Errorf("scheduled %s at %s, want scheduled at %s", got.Status, got.PublishedAt, want)
		}
	})
}

// TestPages: an editor writes a page; once published it lives at /slug/.
func TestPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		status, out := e.call("editor", "POST", "/api/v1/posts", map[string]any{"kind": "page", "title": "About us",
			"body": "We are a *small* newsroom.", "status": "published"})
		if status != 201 || !strings.HasSuffix(out["url"].(string), "/about-us/") {
			t.Fatalf("create page: %d %v", status, out)
		}
		res, _ := http.Get(e.srv.URL + "/about-us/")
		if body := readAll(t, res); res.StatusCode != 200 || !strings.Contains(body, "We are a <em>small</em> newsroom.") {
			t.Errorf("GET /about-us/: %d", res.StatusCode)
		}
		c := e.signIn("editor")
		res, _ = c.Get(e.srv.URL + "/admin/pages")
		if body := readAll(t, res); !strings.Contains(body, "About us") || !strings.Contains(body, "New page") {
			t.Errorf("the pages list does not show the page")
		}
	})
}

// TestUsersAndTokensPages: an admin adds a user and changes a role; an
// editor may not; anyone creates and revokes their own token.
func TestUsersAndTokensPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ed := e.signIn("editor")
		res, _ := ed.PostForm(e.srv.URL+"/admin/users", url.Values{"name": {"Mole"}, "email": {"mole@example.org"}, "role": {"admin"}, "password": {"a long enough password"}})
		res.Body.Close()
		if res.StatusCode != 403 {
			t.Errorf("editor adding a user: %d, want 403", res.StatusCode)
		}
		adm := e.signIn("admin")
		res, _ = adm.PostForm(e.srv.URL+"/admin/users", url.Values{"name": {"Nia Obi"}, "email": {"nia@example.org"}, "role": {"author"}, "password": {"short"}})
		if body := readAll(t, res); res.StatusCode != 422 || !strings.Contains(body, "at least 10 characters") || !strings.Contains(body, "nia@example.org") {
			t.Errorf("short password: %d", res.StatusCode)
		}
		res, _ = adm.PostForm(e.srv.URL+"/admin/users", url.Values{"name": {"Nia Obi"}, "email": {"nia@example.org"}, "role": {"author"}, "password": {"a long enough password"}})
		res.Body.Close()
		u, _, err := db.FindUserByEmail(ctx, "nia@example.org")
		if err != nil || u.Role != content.RoleAuthor {
			t.Fatalf("added user: %v %v", u, err)
		}
		res, _ = adm.PostForm(e.srv.URL+fmt.Sprintf("/admin/users/%d/role", u.ID), url.Values{"role": {"editor"}})
		res.Body.Close()
		if u, _ := db.FindUserByID(ctx, u.ID); u.Role != content.RoleEditor {
			t.Errorf("role after change: %s", u.Role)
		}
		e.signIn("nia") // the new account can sign in
		// Tokens: created on the page, shown once, then revoked.
		res, _ = ed.PostForm(e.srv.URL+"/admin/tokens", url.Values{"name": {"desk script"}})
		body := readAll(t, res)
		i := strings.Index(body, `<code id="new-token">`)
		if res.StatusCode != 200 || i < 0 {
			t.Fatalf("create token: %d", res.StatusCode)
		}
		secret := body[i+len(`<code id="new-token">`):]
		secret = secret[:strings.Index(secret, "<")]
		e.tokens["desk"] = secret
		if status, me := e.call("desk", "GET", "/api/v1/me", nil); status != 200 || me["role"] != "editor" {
			t.Errorf("the new token: %d %v", status, me)
		}
		res, _ = ed.Get(e.srv.URL + "/admin/tokens")
		if page := readAll(t, res); strings.Contains(page, secret) {
			t.Errorf("the token list shows a secret")
		}
		ts, _ := db.FindTokens(ctx, e.users["editor"].ID)
		res, _ = ed.PostForm(e.srv.URL+fmt.Sprintf("/admin/tokens/%d/revoke", ts[0].ID), nil)
		res.Body.Close()
		if status, _ := e.call("desk", "GET", "/api/v1/me", nil); status != 401 {
			t.Errorf("revoked token: %d, want 401", status)
		}
	})
}
