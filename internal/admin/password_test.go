package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestPostPasswordInEditorAndAPI sets, shows and removes a post's
// password through the editor's form and the Admin API; the public page
// of a protected post shows its title and a password form, not its text.
func TestPostPasswordInEditorAndAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.signIn("editor")
		res, _ := c.PostForm(e.srv.URL+"/admin/posts/new", url.Values{"kind": {"post"}})
		res.Body.Close()
		loc := res.Header.Get("Location")
		form := url.Values{"title": {"Port fees"}, "body": {"The new fees, berth by berth."}, "version": {"1"},
			"password": {"hunter2"}, "action": {"publish"}}
		res, _ = c.PostForm(e.srv.URL+loc, form)
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish with a password: %d", res.StatusCode)
		}
		var id int64
		fmt.Sscanf(loc, "/admin/posts/%d", &id)
		p, err := db.FindPostByID(ctx, id)
		if err != nil || p.Password != "hunter2" {
			t.Fatalf("stored password %q, %v", p.Password, err)
		}
		res, _ = c.Get(e.srv.URL + loc)
		if page := readAll(t, res); !strings.Contains(page, `name="password"`) || !strings.Contains(page, `value="hunter2"`) {
			t.Errorf("the editor does not show the post's password")
		}
		res, _ = http.Get(e.srv.URL + p.Path())
		if page := readAll(t, res); !strings.Contains(page, "Port fees") || strings.Contains(page, "berth by berth") || !strings.Contains(page, "/post-password") {
			t.Errorf("the public page of a protected post should show its title and a password form only")
		}

		// The API reads and changes it.
		status, out := e.call("editor", "GET", fmt.Sprintf("/api/v1/posts/%d", id), nil)
		if status != http.StatusOK || out["password"] != "hunter2" {
			t.Errorf("API GET: %d, password %v", status, out["password"])
		}
		status, out = e.call("editor", "PATCH", fmt.Sprintf("/api/v1/posts/%d", id), map[string]any{"password": ""})
		if status != http.StatusOK || out["password"] != "" {
			t.Errorf("API PATCH removing the password: %d %v", status, out)
		}
		res, _ = http.Get(e.srv.URL + p.Path())
		if page := readAll(t, res); !strings.Contains(page, "berth by berth") {
			t.Errorf("with its password removed, the post shows its text")
		}
		status, out = e.call("editor", "PATCH", fmt.Sprintf("/api/v1/posts/%d", id), map[string]any{"password": strings.Repeat("x", 256)})
		if status != http.StatusBadRequest && status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(errorOf(out)), "password") {
			t.Errorf("API PATCH with an over-long password: %d %v; want a 4xx naming the password", status, out)
		}
	})
}
