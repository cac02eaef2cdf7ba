package admin_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestAdminPagesRoleMatrix requests every admin page and form as every
// role: each refused case answers 403 and changes nothing.
func TestAdminPagesRoleMatrix(t *testing.T) {
	type req struct {
		method, path string
		form         url.Values
		multipart    bool
	}
	cases := []struct {
		name  string
		setup func(e *env) req
		ok    map[string]bool // roles allowed; others must get 403
	}{
		{"open the posts list", func(e *env) req { return req{"GET", "/admin/posts", nil, false} },
			map[string]bool{"contributor": true, "author": true, "editor": true, "admin": true}},
		{"open the pages list", func(e *env) req { return req{"GET", "/admin/pages", nil, false} },
			map[string]bool{"editor": true, "admin": true}},
		{"create a page", func(e *env) req { return req{"POST", "/admin/posts/new", url.Values{"kind": {"page"}}, false} },
			map[string]bool{"editor": true, "admin": true}},
		{"open someone else's draft", func(e *env) req {
			return req{"GET", fmt.Sprintf("/admin/posts/%d", e.postBy("author2", content.StatusDraft).ID), nil, false}
		}, map[string]bool{"editor": true, "admin": true}},
		{"save someone else's draft", func(e *env) req {
			p := e.postBy("author2", content.StatusDraft)
			return req{"POST", fmt.Sprintf("/admin/posts/%d", p.ID), url.Values{"title": {"Changed"}, "body": {"x"}, "version": {"1"}, "action": {"save"}}, false}
		}, map[string]bool{"editor": true, "admin": true}},
		{"publish one's own draft", func(e *env) req {
			p := e.postBy(currentRole, content.StatusDraft)
			return req{"POST", fmt.Sprintf("/admin/posts/%d", p.ID), url.Values{"title": {"Mine"}, "body": {"x"}, "version": {"1"}, "action": {"publish"}}, false}
		}, map[string]bool{"author": true, "editor": true, "admin": true}},
		{"compare revisions of someone else's post", func(e *env) req {
			return req{"GET", fmt.Sprintf("/admin/posts/%d/revisions", e.postBy("author2", content.StatusDraft).ID), nil, false}
		}, map[string]bool{"editor": true, "admin": true}},
		{"restore a revision of someone else's post", func(e *env) req {
			return req{"POST", fmt.Sprintf("/admin/posts/%d/revisions/1/restore", e.postBy("author2", content.StatusDraft).ID), url.Values{}, false}
		}, map[string]bool{"editor": true, "admin": true}},
		{"upload to the library", func(e *env) req {
			return req{"POST", "/admin/media", url.Values{"alt": {"A photo"}}, true}
		}, map[string]bool{"author": true, "editor": true, "admin": true}},
		{"delete from the library", func(e *env) req {
			_, m := e.upload("editor", "x.jpg", photoWithGPS(e.t, 20, 20), "x")
			return req{"POST", fmt.Sprintf("/admin/media/%d/delete", int64(m["id"].(float64))), url.Values{}, false}
		}, map[string]bool{"editor": true, "admin": true}},
		{"open users", func(e *env) req { return req{"GET", "/admin/users", nil, false} }, map[string]bool{"admin": true}},
		{"add a user", func(e *env) req {
			return req{"POST", "/admin/users", url.Values{"name": {"New"}, "email": {"new-" + currentRole + "@example.org"}, "role": {"admin"}, "password": {testPassword}}, false}
		}, map[string]bool{"admin": true}},
		{"change a role", func(e *env) req {
			return req{"POST", fmt.Sprintf("/admin/users/%d/role", e.users["author2"].ID), url.Values{"role": {"admin"}}, false}
		}, map[string]bool{"admin": true}},
		{"open settings", func(e *env) req { return req{"GET", "/admin/settings", nil, false} }, map[string]bool{"admin": true}},
		{"save settings", func(e *env) req {
			return req{"POST", "/admin/settings", url.Values{"title": {"Taken over"}, "posts_per_page": {"3"}, "time_zone": {"UTC"}}, false}
		}, map[string]bool{"admin": true}},
		{"revoke someone else's token", func(e *env) req {
			ts, _ := e.db.FindTokens(ctx, e.users["author2"].ID)
			return req{"POST", fmt.Sprintf("/admin/tokens/%d/revoke", ts[0].ID), url.Values{}, false}
		}, map[string]bool{"admin": true}},
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		clients := map[string]*http.Client{}
		for _, role := range roleKeys {
			clients[role] = e.signIn(role)
		}
		for _, c := range cases {
			for _, role := range roleKeys {
				t.Run(c.name+"/"+role, func(t *testing.T) {
					e.t = t
					currentRole = role
					r := c.setup(e)
					settings, _ := db.LoadSettings(ctx)
					users, _ := db.FindUsers(ctx)
					posts, _ := db.CountPosts(ctx, content.KindPost)
					pages, _ := db.CountPosts(ctx, content.KindPage)
					var res *http.Response
					var err error
					switch {
					case r.method == "GET":
						res, err = clients[role].Get(e.srv.URL + r.path)
					case r.multipart:
						var body bytes.Buffer
						mw := multipart.NewWriter(&body)
						fw, _ := mw.CreateFormFile("file", "photo.jpg")
						fw.Write(photoWithGPS(t, 30, 30))
						for k, v := range r.form {
							mw.WriteField(k, v[0])
						}
						mw.Close()
						res, err = clients[role].Post(e.srv.URL+r.path, mw.FormDataContentType(), &body)
					default:
						res, err = clients[role].PostForm(e.srv.URL+r.path, r.form)
					}
					if err != nil {
						t.Fatal(err)
					}
					page := readAll(t, res)
					if !c.ok[role] {
						if res.StatusCode != 403 {
							t.Fatalf("%s as %s: %d, want 403", c.name, role, res.StatusCode)
						}
						if !strings.Contains(page, `class="error"`) {
							t.Errorf("the refusal page does not say why")
						}
						s2, _ := db.LoadSettings(ctx)
						u2, _ := db.FindUsers(ctx)
						p2, _ := db.CountPosts(ctx, content.KindPost)
						g2, _ := db.CountPosts(ctx, content.KindPage)
						if s2.Title != settings.Title || len(u2) != len(users) || p2 != posts || g2 != pages {
							t.Errorf("a refused request changed something")
						}
						return
					}
					if res.StatusCode != 200 && res.StatusCode != http.StatusSeeOther {
						t.Fatalf("%s as %s: %d, want it allowed", c.name, role, res.StatusCode)
					}
				})
			}
		}
	})
}
