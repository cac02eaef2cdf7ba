package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/auth"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestSignIn signs in, checks the cookie is HttpOnly and SameSite, sees
// the post list, signs out and is sent back to the sign-in page.
func TestSignIn(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.browser()
		res, _ := c.Get(e.srv.URL + "/admin/posts")
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/admin/login?next=") {
			t.Fatalf("unsigned visit: %d to %q, want the sign-in page", res.StatusCode, res.Header.Get("Location"))
		}
		res, _ = c.PostForm(e.srv.URL+"/admin/login", url.Values{"email": {"Editor@Example.org"}, "password": {testPassword}, "next": {"/admin/pages"}})
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/pages" {
			t.Fatalf("sign in: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		var cookie *http.Cookie
		for _, ck := range res.Cookies() {
			if ck.Name == auth.CookieName {
				cookie = ck
			}
		}
		if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" {
			t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax", cookie)
		}
		res, _ = c.Get(e.srv.URL + "/admin/posts")
		body := readAll(t, res)
		if res.StatusCode != 200 || !strings.Contains(body, "Editor · editor") {
			t.Fatalf("post list: %d", res.StatusCode)
		}
		// The session works for the API from the same site too.
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/me", nil)
		res, _ = c.Do(req)
		if me := readAll(t, res); res.StatusCode != 200 || !strings.Contains(me, `"role": "editor"`) {
			t.Errorf("/api/v1/me with the session: %d %s", res.StatusCode, me)
		}
		res, _ = c.PostForm(e.srv.URL+"/admin/logout", nil)
		res.Body.Close()
		res, _ = c.Get(e.srv.URL + "/admin/posts")
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("after sign-out: %d, want a redirect to sign in", res.StatusCode)
		}
		// Open redirects are refused.
		res, _ = e.browser().PostForm(e.srv.URL+"/admin/login", url.Values{"email": {"editor@example.org"}, "password": {testPassword}, "next": {"//evil.example/"}})
		res.Body.Close()
		if res.Header.Get("Location") != "/admin/" {
			t.Errorf("next=//evil.example/ redirected to %q", res.Header.Get("Location"))
		}
	})
}

// TestSignInThrottle fails to sign in until slowed, then refused, and
// checks the clear messages and that even the right password waits.
func TestSignInThrottle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		now := db.Now()
		db.Now = func() time.Time { return now }
		try := func(pw string) (int, string) {
			res, err := e.browser().PostForm(e.srv.URL+"/admin/login", url.Values{"email": {"author@example.org"}, "password": {pw}})
			if err != nil {
				t.Fatal(err)
			}
			return res.StatusCode, readAll(t, res)
		}
		for i := 1; i <= auth.SlowAfter; i++ {
			if status, body := try("wrong"); status != 401 || !strings.Contains(body, "The email or the password is wrong.") {
				t.Fatalf("failure %d: %d", i, status)
			}
		}
		status, body := try(testPassword)
		if status != 429 || !strings.Contains(body, "wait 1 seconds before trying again") {
			t.Fatalf("right password right after %d failures: %d, want 429 with a wait", auth.SlowAfter, status)
		}
		for i := auth.SlowAfter + 1; i <= auth.LockAfter; i++ {
			now = now.Add(2 * time.Minute)
			if status, _ := try("wrong"); status != 401 {
				t.Fatalf("failure %d after waiting: %d", i, status)
			}
		}
		now = now.Add(2 * time.Minute)
		status, body = try(testPassword)
		if status != 429 || !strings.Contains(body, "signing in is refused until") {
			t.Fatalf("after %d failures: %d, want a lock", auth.LockAfter, status)
		}
		now = now.Add(auth.LockFor)
		if status, _ := try(testPassword); status != 200 && status != 303 {
			t.Fatalf("after the lock: %d, want signed in", status)
		}
		// Another account from the same address is unaffected.
		e.signIn("editor")
	})
}

// TestCrossSiteFormsRefused sends forms as another site would: refused,
// nothing created.
func TestCrossSiteFormsRefused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.signIn("editor")
		for _, h := range []map[string]string{{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}} {
			req, _ := http.NewRequest("POST", e.srv.URL+"/admin/posts/new", strings.NewReader("kind=post"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range h {
				req.Header.Set(k, v)
			}
			res, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, res)
			if res.StatusCode != 403 || !strings.Contains(body, "sent from another site") {
				t.Errorf("%v: %d, want 403", h, res.StatusCode)
			}
			req, _ = http.NewRequest("POST", e.srv.URL+"/api/v1/posts", strings.NewReader(`{"title":"x"}`))
			for k, v := range h {
				req.Header.Set(k, v)
			}
			res, _ = c.Do(req)
			res.Body.Close()
			if res.StatusCode != 403 {
				t.Errorf("API %v: %d, want 403", h, res.StatusCode)
			}
		}
		if n, _ := db.CountPosts(ctx, content.KindPost); n != 0 {
			t.Errorf("%d posts created by cross-site requests", n)
		}
		// The same form from the site itself works.
		req, _ := http.NewRequest("POST", e.srv.URL+"/admin/posts/new", strings.NewReader("kind=post"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		res, _ := c.Do(req)
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("same-origin form: %d", res.StatusCode)
		}
	})
}

// TestEditorForm saves through the editor's form, is refused with the
// typed text kept, and checks role limits on pages.
func TestEditorForm(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.signIn("contributor")
		res, _ := c.PostForm(e.srv.URL+"/admin/posts/new", url.Values{"kind": {"post"}})
		res.Body.Close()
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/posts/") {
			t.Fatalf("new post: %d %q", res.StatusCode, loc)
		}
		form := url.Values{"title": {"Harbour strike"}, "body": {"Intro.\n\n<!--more-->\n\nMore."}, "version": {"1"},
			"source_name": {"Reuters"}, "source_url": {"https://example.com/strike"}, "source_date": {"2026-01-14"},
			"tags": {"labour, ports"}, "action": {"submit"}}
		res, _ = c.PostForm(e.srv.URL+loc, form)
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("submit for review: %d", res.StatusCode)
		}
		var id int64
		fmt.Sscanf(loc, "/admin/posts/%d", &id)
		p, _ := db.FindPostByID(ctx, id)
		if p.Status != content.StatusPending || p.Slug != "harbour-strike" || p.Source == nil || p.Source.Name != "Reuters" || len(p.Tags) != 2 {
			t.Fatalf("stored %+v", p)
		}
		// A contributor cannot publish: refused, the typed text shown again.
		form.Set("action", "publish")
		form.Set("version", "2")
		form.Set("body", "My unsaved words")
		res, _ = c.PostForm(e.srv.URL+loc, form)
		body := readAll(t, res)
		if res.StatusCode != 403 || !strings.Contains(body, "may not publish") || !strings.Contains(body, "My unsaved words") {
			t.Errorf("contributor publishing: %d", res.StatusCode)
		}
		// A stale version is a conflict that keeps the typed text.
		form.Set("action", "save")
		form.Set("version", "1")
		res, _ = c.PostForm(e.srv.URL+loc, form)
		body = readAll(t, res)
		if res.StatusCode != 409 || !strings.Contains(body, "someone else saved this post") || !strings.Contains(body, "My unsaved words") {
			t.Errorf("stale save: %d", res.StatusCode)
		}
		if p2, _ := db.FindPostByID(ctx, id); p2.Body != p.Body {
			t.Errorf("a refused save changed the body to %q", p2.Body)
		}
		for _, path := range []string{"/admin/pages", fmt.Sprintf("/admin/posts/%d", e.postBy("author2", content.StatusDraft).ID)} {
			res, _ = c.Get(e.srv.URL + path)
			res.Body.Close()
			if res.StatusCode != 403 {
				t.Errorf("contributor GET %s: %d, want 403", path, res.StatusCode)
			}
		}
		// The editor publishes the submission from the list's bulk action.
		ed := e.signIn("editor")
		res, _ = ed.PostForm(e.srv.URL+"/admin/posts/bulk", url.Values{"action": {"publish"}, "id": {fmt.Sprint(id)}, "back": {"/admin/posts?status=pending"}})
		res.Body.Close()
		if p, _ := db.FindPostByID(ctx, id); p.Status != content.StatusPublished {
			t.Errorf("after the editor's bulk publish: %s", p.Status)
		}
		res, _ = ed.Get(e.srv.URL + "/admin/posts?status=published&q=harbour")
		if body := readAll(t, res); !strings.Contains(body, "Harbour strike") || !strings.Contains(body, "via Reuters") {
			t.Errorf("published list does not show the post")
		}
	})
}

// TestRevisionsPage compares two revisions and restores one from the page.
func TestRevisionsPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		body := "Line one\nLine two"
		p := e.post("editor", editorial.Input{Body: &body})
		s := &editorial.Service{DB: db}
		b2 := "Line one\nLine 2, corrected"
		tags := []string{"harbours"}
		if _, err := s.Update(ctx, e.users["editor"], p.ID, editorial.Input{Body: &b2, Tags: &tags}); err != nil {
			t.Fatal(err)
		}
		c := e.signIn("editor")
		res, _ := c.Get(e.srv.URL + fmt.Sprintf("/admin/posts/%d/revisions?from=1&to=2", p.ID))
		page := readAll(t, res)
		if !strings.Contains(page, `<span class="d del">- Line two</span>`) || !strings.Contains(page, `<span class="d add">&#43; Line 2, corrected</span>`) {
			t.Fatalf("diff not shown:\n%s", page)
		}
		// A change of tags is a change the editor sees.
		if !strings.Contains(page, `<span class="d del">- Tags: </span>`) || !strings.Contains(page, `<span class="d add">&#43; Tags: harbours</span>`) {
			t.Errorf("the diff does not show the tags changed:\n%s", page)
		}
		res, _ = c.PostForm(e.srv.URL+fmt.Sprintf("/admin/posts/%d/revisions/1/restore", p.ID), url.Values{"version": {"2"}})
		res.Body.Close()
		if got, _ := db.FindPostByID(ctx, p.ID); got.Body != body {
			t.Errorf("after restoring revision 1: %q", got.Body)
		}
	})
}

// TestBulkActionsTellNothingOfOthersPosts has a contributor apply each bulk
// action to a post they may not see and to an id with no post: the two
// refusals read alike, name no title, and the post is left as it was.
func TestBulkActionsTellNothingOfOthersPosts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		title := "Secret merger of the two dailies"
		pub := content.StatusPublished
		secret := e.post("editor", editorial.Input{Title: &title, Status: &pub})
		missing := secret.ID + 1000
		c := e.signIn("contributor")
		for _, action := range []string{"delete", "trash", "restore", "draft", "publish", "pending"} {
			res, err := c.PostForm(e.srv.URL+"/admin/posts/bulk", url.Values{"action": {action}, "id": {fmt.Sprint(secret.ID), fmt.Sprint(missing)}})
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			loc, _ := url.Parse(res.Header.Get("Location"))
			flash := loc.Query().Get("flash")
			if strings.Contains(flash, "merger") {
				t.Errorf("bulk %s by a contributor names the editor's post: %q", action, flash)
			}
			forSecret := fmt.Sprintf("#%d: ", secret.ID)
			_, rest, _ := strings.Cut(flash, forSecret)
			aboutSecret, _, _ := strings.Cut(rest, ";")
			_, aboutMissing, _ := strings.Cut(flash, fmt.Sprintf("#%d: ", missing))
			if aboutSecret == "" || aboutSecret != aboutMissing {
				t.Errorf("bulk %s by a contributor tells an existing post from a missing one: %q", action, flash)
			}
			if p, _ := db.FindPostByID(ctx, secret.ID); p.Status != content.StatusPublished || p.Title != title {
				t.Errorf("bulk %s by a contributor changed the editor's post: %s %q", action, p.Status, p.Title)
			}
		}
	})
}
