package deskhttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/admin/api"
	"github.com/broadsheet/broadsheet/internal/auth"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/fetch"
	"github.com/broadsheet/broadsheet/internal/sourcedesk"
	"github.com/broadsheet/broadsheet/internal/sourcedesk/deskhttp"
	"github.com/broadsheet/broadsheet/internal/sourcedesk/desktest"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

type client struct {
	t      *testing.T
	url    string
	tokens map[string]string // API tokens by role
}

func (c client) do(method, path, user string, body any) (int, map[string]any) {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, c.url+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+c.tokens[user])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			c.t.Fatalf("%s %s: not JSON: %s", method, path, raw)
		}
	}
	return resp.StatusCode, out
}

func errOf(m map[string]any) (code, field, msg string) {
	e, _ := m["error"].(map[string]any)
	code, _ = e["code"].(string)
	field, _ = e["field"].(string)
	msg, _ = e["message"].(string)
	return
}

func TestDeskAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		out := desktest.Outlet(t)
		// The desk's endpoints are served as the admin serves them: through
		// the Admin API's adapter, with its authentication and errors.
		users := map[string]*content.User{}
		tokens := map[string]string{}
		for _, role := range []content.Role{content.RoleEditor, content.RoleAuthor} {
			u := &content.User{Name: string(role), Email: string(role) + "@example.org", Role: role}
			if err := db.Update(ctx, func(tx *store.Tx) error { return tx.CreateAccount(ctx, u, string(role), "unused") }); err != nil {
				t.Fatal(err)
			}
			secret, _, err := auth.CreateToken(ctx, db, u.ID, "tests")
			if err != nil {
				t.Fatal(err)
			}
			users[string(role)], tokens[string(role)] = u, secret
		}
		editor := users["editor"]
		desk := &sourcedesk.Desk{DB: db, Fetch: fetch.New(fetch.Options{AllowPrivate: true, Timeout: 5 * time.Second}),
			Images: sourcedesk.DiskImages{Dir: t.TempDir(), URLPrefix: "/media/"}}
		mux := http.NewServeMux()
		api.New(api.Config{DB: db, Auth: &auth.Auth{DB: db}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Areas: []api.Area{deskhttp.New(deskhttp.Config{Desk: desk}).Routes}}).Routes(mux)
		srv := httptest.NewServer(mux)
		defer srv.Close()
		c := client{t, srv.URL, tokens}

		// Refusals come from the API's adapter and the desk's role check, as JSON.
		if st, body := c.do("GET", "/api/v1/sources", "", nil); st != 401 {
			t.Errorf("anonymous: %d %v", st, body)
		}
		if st, body := c.do("POST", "/api/v1/sources", "author", map[string]any{"name": "x"}); st != 403 {
			t.Errorf("author: %d %v", st, body)
		}

		// Bad input names the problem and the place.
		for _, tt := range []struct {
			body        any
			status      int
			field, says string
		}{
			// A body that cannot be read is malformed: 400.
			{`{"name": "A",`, 400, "", "cut short"},
			{map[string]any{"name": "A", "homepag": "x"}, 400, "homepag", "unknown field"},
			{map[string]any{"name": 7}, 400, "name", "must be a JSON string"},
			// A value that is not acceptable is 422, as everywhere in the API.
			{map[string]any{"homepage": out.URL + "/agency/"}, 422, "name", "needs a name"},
			{map[string]any{"name": "A", "feeds": []string{"javascript:alert(1)"}}, 422, "feeds", "not an absolute http(s) URL"},
			{map[string]any{"name": "A", "homepage": out.URL + "/nothing/"}, 422, "homepage", "404"},
			{map[string]any{"name": "A", "homepage": out.URL + "/agency/", "interval_minutes": 0}, 422, "interval_minutes", "between 1 and 10080 minutes, not 0"},
		} {
			st, body := c.do("POST", "/api/v1/sources", "editor", tt.body)
			_, field, msg := errOf(body)
			if st != tt.status || field != tt.field || !strings.Contains(msg, tt.says) {
				t.Errorf("POST %v: %d %q %q; want %d %q saying %q", tt.body, st, field, msg, tt.status, tt.field, tt.says)
			}
		}
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/sources", strings.NewReader("name=A"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer "+tokens["editor"])
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 400 {
			t.Errorf("a form post is refused: %v %v", resp.StatusCode, err)
		}

		// Create with discovery, read, edit.
		st, body := c.do("POST", "/api/v1/sources", "editor", map[string]any{
			"name": "Agency Wire", "homepage": out.URL + "/agency/", "notes": "Reprint licence 2026-01.", "interval_minutes": 15})
		if st != 201 {
			t.Fatalf("create: %d %v", st, body)
		}
		src := body["source"].(map[string]any)
		id := int(src["id"].(float64))
		feeds := src["feeds"].([]any)
		if len(feeds) != 2 || src["attribution_line"] != "The following article was originally published by Agency Wire." ||
			src["interval_minutes"].(float64) != 15 {
			t.Errorf("created: %v", src)
		}
		st, body = c.do("PATCH", fmt.Sprintf("/api/v1/sources/%d", id), "editor", map[string]any{
			"feeds": []string{out.URL + "/agency/feed.xml"}, "canonical": "ours"})
		if st != 200 || body["source"].(map[string]any)["canonical"] != "ours" || len(body["source"].(map[string]any)["feeds"].([]any)) != 1 {
			t.Errorf("edit: %d %v", st, body)
		}
		if st, body = c.do("PATCH", fmt.Sprintf("/api/v1/sources/%d", id), "editor", map[string]any{"canonical": "theirs"}); st != 422 {
			t.Errorf("bad edit: %d %v", st, body)
		}
		if st, _ = c.do("GET", "/api/v1/sources/999", "editor", nil); st != 404 {
			t.Errorf("missing source: %d", st)
		}
		st, body = c.do("GET", "/api/v1/sources", "editor", nil)
		if st != 200 || len(body["sources"].([]any)) != 1 {
			t.Errorf("list: %d %v", st, body)
		}

		// Poll now, then the inbox.
		st, body = c.do("POST", fmt.Sprintf("/api/v1/sources/%d/poll", id), "editor", nil)
		if st != 200 || body["added"].(float64) != 2 {
			t.Fatalf("poll: %d %v", st, body)
		}
		st, body = c.do("GET", "/api/v1/inbox", "editor", nil)
		items := body["items"].([]any)
		if st != 200 || body["total"].(float64) != 2 || len(items) != 2 {
			t.Fatalf("inbox: %d %v", st, body)
		}
		first := items[0].(map[string]any)
		if first["title"] != "Leaders meet at the summit in Addis Ababa" || first["source"] != "Agency Wire" || first["state"] != "new" {
			t.Errorf("newest item: %v", first)
		}
		itemID := int(first["id"].(float64))
		if st, body = c.do("GET", "/api/v1/inbox?state=pending", "editor", nil); st != 422 {
			t.Errorf("bad state filter: %d %v", st, body)
		}
		if _, body = c.do("GET", "/api/v1/inbox?q=grain", "editor", nil); body["total"].(float64) != 1 {
			t.Errorf("search: %v", body)
		}
		if _, body = c.do("GET", fmt.Sprintf("/api/v1/inbox?source=%d&state=new,starred", id), "editor", nil); body["total"].(float64) != 2 {
			t.Errorf("filter: %v", body)
		}
		if st, body = c.do("PATCH", fmt.Sprintf("/api/v1/inbox/%d", itemID), "editor", map[string]any{"state": "starred"}); st != 200 ||
			body["item"].(map[string]any)["state"] != "starred" {
			t.Errorf("star: %d %v", st, body)
		}

		// Republish, then again.
		st, body = c.do("POST", fmt.Sprintf("/api/v1/inbox/%d/republish", itemID), "editor", nil)
		if st != 201 {
			t.Fatalf("republish: %d %v", st, body)
		}
		post := body["post"].(map[string]any)
		postID := int64(post["id"].(float64))
		if post["status"] != "draft" || post["edit_url"] != fmt.Sprintf("/admin/posts/%d", postID) || len(body["warnings"].([]any)) != 0 {
			t.Errorf("republished: %v", body)
		}
		p, err := db.FindPostByID(ctx, postID)
		if err != nil || len(p.Authors) != 1 || p.Authors[0].ID != editor.ID || p.Source.Name != "Agency Wire" {
			t.Errorf("draft: %+v, %v", p, err)
		}
		st, body = c.do("POST", fmt.Sprintf("/api/v1/inbox/%d/republish", itemID), "editor", nil)
		code, _, msg := errOf(body)
		if st != 409 || code != "conflict" || !strings.Contains(msg, "already republished") ||
			body["post"].(map[string]any)["edit_url"] != fmt.Sprintf("/admin/posts/%d", postID) {
			t.Errorf("republish twice: %d %v", st, body)
		}
		_, body = c.do("GET", fmt.Sprintf("/api/v1/inbox/%d", itemID), "editor", nil)
		if it := body["item"].(map[string]any); it["state"] != "republished" || it["post"].(map[string]any)["id"].(float64) != float64(postID) {
			t.Errorf("item after republishing: %v", it)
		}

		// The same article by its address names the same post.
		st, body = c.do("POST", "/api/v1/republish", "editor", map[string]any{"url": out.URL + "/agency/2026/01/14/summit.html"})
		if st != 409 || body["post"].(map[string]any)["id"].(float64) != float64(postID) {
			t.Errorf("republish by address after by item: %d %v", st, body)
		}

		// Delete.
		if st, _ = c.do("DELETE", fmt.Sprintf("/api/v1/sources/%d", id), "editor", nil); st != 204 {
			t.Errorf("delete: %d", st)
		}
		if st, _ = c.do("GET", fmt.Sprintf("/api/v1/sources/%d", id), "editor", nil); st != 404 {
			t.Errorf("deleted source: %d", st)
		}
		if _, body = c.do("GET", "/api/v1/inbox", "editor", nil); body["total"].(float64) != 1 {
			t.Errorf("after deleting the source, the republished item stays: %v", body)
		}
	})
}

func TestRepublishFromURLAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		out := desktest.Outlet(t)
		tokens := map[string]string{}
		var editor *content.User
		for _, role := range []content.Role{content.RoleEditor, content.RoleAuthor} {
			u := &content.User{Name: string(role), Email: string(role) + "@example.org", Role: role}
			if err := db.Update(ctx, func(tx *store.Tx) error { return tx.CreateAccount(ctx, u, string(role), "unused") }); err != nil {
				t.Fatal(err)
			}
			secret, _, err := auth.CreateToken(ctx, db, u.ID, "tests")
			if err != nil {
				t.Fatal(err)
			}
			tokens[string(role)] = secret
			if role == content.RoleEditor {
				editor = u
			}
		}
		desk := &sourcedesk.Desk{DB: db, Fetch: fetch.New(fetch.Options{AllowPrivate: true, Timeout: 5 * time.Second}),
			Images: sourcedesk.DiskImages{Dir: t.TempDir(), URLPrefix: "/media/"}}
		mux := http.NewServeMux()
		api.New(api.Config{DB: db, Auth: &auth.Auth{DB: db}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Areas: []api.Area{deskhttp.New(deskhttp.Config{Desk: desk}).Routes}}).Routes(mux)
		srv := httptest.NewServer(mux)
		defer srv.Close()
		c := client{t, srv.URL, tokens}
		page := out.URL + "/agency/2026/01/14/summit.html"

		if st, body := c.do("POST", "/api/v1/republish", "author", map[string]any{"url": page}); st != 403 {
			t.Errorf("author: %d %v", st, body)
		}
		for _, tt := range []struct {
			body   any
			status int
			field  string
		}{
			{map[string]any{}, 422, "url"},
			{map[string]any{"url": "yesterday's summit"}, 422, "url"},
			{map[string]any{"url": out.URL + "/agency/images/map.gif"}, 422, "url"},
			{map[string]any{"url": page, "lead_paragraphs": 99}, 422, "lead_paragraphs"},
			{map[string]any{"address": page}, 400, "address"},
		} {
			st, body := c.do("POST", "/api/v1/republish", "editor", tt.body)
			if _, field, msg := errOf(body); st != tt.status || field != tt.field || msg == "" {
				t.Errorf("POST %v: %d %v; want %d naming %q", tt.body, st, body, tt.status, tt.field)
			}
		}

		st, body := c.do("POST", "/api/v1/republish", "editor", map[string]any{"url": page})
		if st != 201 {
			t.Fatalf("republish from URL: %d %v", st, body)
		}
		post := body["post"].(map[string]any)
		p, err := db.FindPostByID(ctx, int64(post["id"].(float64)))
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != content.StatusDraft || len(p.Authors) != 1 || p.Authors[0].ID != editor.ID || p.Source.Name != "Agency Wire" {
			t.Errorf("draft %q: %s by %+v from %+v; want a draft by the editor from Agency Wire", p.Title, p.Status, p.Authors, p.Source)
		}
		if item := body["item"].(map[string]any); item["state"] != "republished" || item["url"] != page {
			t.Errorf("item: %v", item)
		}
		if st, body = c.do("POST", "/api/v1/republish", "editor", map[string]any{"url": page + "#comments"}); st != 409 {
			t.Errorf("the same address again: %d %v", st, body)
		}
	})
}
