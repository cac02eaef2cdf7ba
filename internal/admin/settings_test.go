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
