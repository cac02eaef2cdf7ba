package site_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// postPasswordForm sends the password form as a browser on the site's own page
// does, with the cookies given.
func postPasswordForm(t *testing.T, srv, origin string, form url.Values, cookies ...*http.Cookie) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv+"/post-password", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	if origin == srv {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	} else {
		req.Header.Set("Sec-Fetch-Site", "cross-site")
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func getWith(t *testing.T, u string, cookies ...*http.Cookie) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, b.String()
}

// TestProtectedPost checks a password-protected post imported from
// WordPress: its page shows the title and a password form, the right
// password opens it (a cookie), a wrong one says so, and neither the front
// page, the feeds nor search show its text.
func TestProtectedPost(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		importFile(t, db, "../importer/wxr/testdata/classic.wxr")
		p, err := db.FindPostBySlug(ctx, content.KindPost, "port-fees")
		if err != nil {
			t.Fatal(err)
		}
		srv := serve(t, db, site.DefaultTheme())
		const secret = "Secret."

		status, page := getWith(t, srv.URL+p.Path())
		if status != http.StatusOK || !strings.Contains(page, "Members only: port fees") || strings.Contains(page, secret) ||
			!strings.Contains(page, `action="/post-password"`) || !strings.Contains(page, `type="password"`) {
			t.Fatalf("locked page: %d, title shown and text hidden behind a form? %s", status, page)
		}
		for _, u := range []string{"/", "/feed/", "/feed/atom/", "/feed/json/", "/search?q=secret"} {
			if _, body := getWith(t, srv.URL+u); strings.Contains(body, secret) {
				t.Errorf("%s shows the protected post's text", u)
			}
		}
		if _, body := getWith(t, srv.URL+"/feed/"); !strings.Contains(body, "Members only: port fees") || !strings.Contains(body, "protected by a password") {
			t.Errorf("the feed should name the post and say it is protected")
		}

		id := url.Values{"post": {itoa(p.ID)}}
		// From another site: refused.
		form := url.Values{"post": id["post"], "password": {"hunter2"}}
		if resp := postPasswordForm(t, srv.URL, "https://evil.example", form); resp.StatusCode != http.StatusForbidden || len(resp.Cookies()) != 0 {
			t.Errorf("cross-origin form: %d with cookies %v, want 403 and none", resp.StatusCode, resp.Cookies())
		}
		// A wrong password: back to the post, which says so.
		resp := postPasswordForm(t, srv.URL, srv.URL, url.Values{"post": id["post"], "password": {"hunter3"}})
		if resp.StatusCode != http.StatusSeeOther || len(resp.Cookies()) != 0 {
			t.Fatalf("wrong password: %d, cookies %v", resp.StatusCode, resp.Cookies())
		}
		if _, page := getWith(t, srv.URL+resp.Header.Get("Location")); !strings.Contains(page, "not the post’s password") || strings.Contains(page, secret) {
			t.Errorf("after a wrong password the page should say so and stay locked")
		}
		// The right one: a cookie that opens the post.
		resp = postPasswordForm(t, srv.URL, srv.URL, form)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != p.Path() || len(resp.Cookies()) != 1 {
			t.Fatalf("right password: %d to %q, cookies %v", resp.StatusCode, resp.Header.Get("Location"), resp.Cookies())
		}
		cookie := resp.Cookies()[0]
		if !cookie.HttpOnly || strings.Contains(cookie.Value, "hunter2") {
			t.Errorf("cookie %+v: want HttpOnly, without the password in it", cookie)
		}
		if status, page := getWith(t, srv.URL+p.Path(), cookie); status != http.StatusOK || !strings.Contains(page, secret) {
			t.Errorf("with the cookie: %d, text shown: %v", status, strings.Contains(page, secret))
		}
		// A changed password closes the post to the old cookie.
		p.Password = "new one"
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.UpdatePost(ctx, p) }); err != nil {
			t.Fatal(err)
		}
		if _, page := getWith(t, srv.URL+p.Path(), cookie); strings.Contains(page, secret) {
			t.Errorf("the old password's cookie still opens the post")
		}
	})
}

// TestProtectedPostThrottlesGuesses checks that guessing a post's
// password is bounded: after ten wrong ones from an address, the form is
// refused for a while, even with the right one.
func TestProtectedPostThrottlesGuesses(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		importFile(t, db, "../importer/wxr/testdata/classic.wxr")
		p, err := db.FindPostBySlug(ctx, content.KindPost, "port-fees")
		if err != nil {
			t.Fatal(err)
		}
		srv := serve(t, db, site.DefaultTheme())
		for i := range 10 {
			resp := postPasswordForm(t, srv.URL, srv.URL, url.Values{"post": {itoa(p.ID)}, "password": {"guess" + itoa(int64(i))}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("guess %d: %d, want 303", i+1, resp.StatusCode)
			}
		}
		resp := postPasswordForm(t, srv.URL, srv.URL, url.Values{"post": {itoa(p.ID)}, "password": {"hunter2"}})
		if resp.StatusCode != http.StatusTooManyRequests || len(resp.Cookies()) != 0 {
			t.Errorf("after ten wrong guesses: %d, cookies %v; want 429 and none", resp.StatusCode, resp.Cookies())
		}
		// A form naming nothing is a clear 400, not a 500.
		if resp := postPasswordForm(t, srv.URL, srv.URL, url.Values{"post": {"abc"}}); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("a form naming no post: %d, want 400", resp.StatusCode)
		}
	})
}
