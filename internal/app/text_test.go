package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestUnreadableTextIsRefusedOnEveryEngine sends NUL bytes, other control
// characters and invalid UTF-8 in addresses, query strings and the text
// fields of every writer (Admin API, admin forms, the source desk), and
// a post with more terms than a post may carry, to the real binary's
// handler on each engine: PostgreSQL cannot store or even compare such
// text, and must answer as SQLite does. Addresses name nothing (404),
// query strings are malformed (400), written fields are refused naming
// the field (422 in the Admin API), nothing answers 500, and nothing
// stored changes.
func TestUnreadableTextIsRefusedOnEveryEngine(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := storetest.DSN(t, engine)
			admin := apiToken(t, dsn, "admin")
			base := startServe(t, []string{"--db", dsn, "--data", t.TempDir()}, "--demo", "--poll-every", "0")
			call := func(method, path, token, ctype string, body io.Reader) (int, string) {
				t.Helper()
				req, err := http.NewRequest(method, base+path, body)
				if err != nil {
					t.Fatal(err)
				}
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				if ctype != "" {
					req.Header.Set("Content-Type", ctype)
				}
				client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(b)
			}

			// What is stored, as the API reads it, before and after.
			mediaID := uploadPNG(t, base, admin)
			snapshot := func() string {
				var b strings.Builder
				for _, p := range []string{"/api/v1/posts", "/api/v1/posts?page=2", "/api/v1/posts?status=draft", "/api/v1/posts?kind=page", "/api/v1/settings",
					"/api/v1/users", "/api/v1/media", "/api/v1/sources", "/api/v1/posts/1"} {
					code, body := call("GET", p, admin, "", nil)
					fmt.Fprintf(&b, "%s %d\n%s\n", p, code, body)
				}
				return b.String()
			}
			before := snapshot()

			// Addresses: the public site, its feeds, the admin, the desk
			// and the API's path parameters.
			for _, p := range []string{
				"/tag/%ff/", "/tag/%00/", "/category/%ff/", "/category/%00/", "/author/%ff/", "/author/%00/",
				"/%ff/", "/%00/", "/%01/", "/%ff", "/%ff/page/2/", "/tag/%ff/page/2/",
				"/2026/01/15/%ff/", "/2026/01/15/%00/", "/2026/%ff/", "/2026/01/%00/",
				"/tag/%ff/feed/", "/category/%00/feed/atom/", "/author/%ff/feed/", "/sitemaps/%00",
			} {
				if code, body := call("GET", p, "", "", nil); code != http.StatusNotFound {
					t.Errorf("GET %s: %d, want 404: %.200s", p, code, body)
				}
			}
			for _, p := range []string{"/admin/posts/%00", "/admin/%ff", "/api/v1/posts/%00", "/api/v1/sources/%ff", "/api/v1/inbox/%00"} {
				if code, body := call("GET", p, admin, "", nil); code != http.StatusNotFound {
					t.Errorf("GET %s (signed in): %d, want 404: %.200s", p, code, body)
				}
			}
			// The public site's parameters are read by handlers that clean
			// them (search) or escape them (WordPress's ?p=12): never a 500.
			for _, p := range []string{"/search?q=%ff", "/search?q=%00", "/search/suggest?q=a%00", "/?p=%00", "/?cat=%ff",
				"/index.php?p=%ff", "/tag/water/?q=%00"} {
				if code, body := call("GET", p, "", "", nil); code >= 500 {
					t.Errorf("GET %s: %d: %.300s", p, code, body)
				}
			}
			// The admin's and the APIs' filter lists in the database: a
			// malformed parameter is named.
			for _, p := range []string{"/api/v1/posts?q=%00", "/api/v1/posts?status=%ff", "/api/v1/search?q=%00", "/api/v1/media?q=%ff",
				"/api/v1/inbox?q=%00", "/admin/posts?q=%00", "/admin/media?q=%ff", "/admin/inbox?q=%00"} {
				code, body := call("GET", p, admin, "", nil)
				if code != http.StatusBadRequest || !strings.Contains(body, "UTF-8") {
					t.Errorf("GET %s (signed in): %d, want 400 saying what is wrong: %.300s", p, code, body)
				}
				if strings.HasPrefix(p, "/api/") && !strings.Contains(body, `"field": "`+strings.SplitN(strings.SplitN(p, "?", 2)[1], "=", 2)[0]+`"`) {
					t.Errorf("GET %s: the error does not name the parameter: %.300s", p, body)
				}
			}

			// Writes through the Admin API: 422 naming the field.
			tooMany := make([]string, content.MaxTermsPerPost+1)
			for i := range tooMany {
				tooMany[i] = fmt.Sprintf("tag %d", i)
			}
			manyTags, _ := json.Marshal(map[string]any{"title": "Many tags", "tags": tooMany})
			for _, w := range []struct{ method, path, body, field string }{
				{"POST", "/api/v1/posts", `{"title": "a\u0000b"}`, "title"},
				{"POST", "/api/v1/posts", `{"title": "ok", "body": "one\u0000two"}`, "body"},
				{"POST", "/api/v1/posts", `{"title": "ok", "excerpt": "\u0000"}`, "excerpt"},
				{"POST", "/api/v1/posts", `{"title": "ok", "slug": "a\u0000b"}`, "slug"},
				{"POST", "/api/v1/posts", `{"title": "ok", "tags": ["x\u0000"]}`, "tags"},
				{"POST", "/api/v1/posts", `{"title": "ok", "categories": ["x\u0000"]}`, "categories"},
				{"POST", "/api/v1/posts", `{"title": "ok", "source": {"name": "Wire\u0000", "url": "https://example.org/a"}}`, "source.name"},
				{"POST", "/api/v1/posts", string(manyTags), "tags"},
				{"PATCH", "/api/v1/posts/1", `{"title": "\u0000"}`, "title"},
				{"PATCH", "/api/v1/posts/1", string(manyTags), "tags"},
				{"PATCH", "/api/v1/settings", `{"title": "Site\u0000"}`, "title"},
				{"PATCH", "/api/v1/settings", `{"description": "\u0000"}`, "description"},
				{"PATCH", "/api/v1/settings", `{"menu": [{"label": "A\u0000", "url": "/a/"}]}`, "menu"},
				{"POST", "/api/v1/users", `{"name": "N\u0000", "email": "n@example.org", "role": "author", "password": "a long enough password"}`, "name"},
				{"POST", "/api/v1/users", `{"name": "N", "email": "n\u0000@example.org", "role": "author", "password": "a long enough password"}`, "email"},
				{"PATCH", fmt.Sprintf("/api/v1/media/%d", mediaID), `{"alt": "a\u0000"}`, "alt"},
			} {
				code, body := call(w.method, w.path, admin, "application/json", strings.NewReader(w.body))
				if code != http.StatusUnprocessableEntity || !strings.Contains(body, `"field": "`+w.field+`"`) {
					t.Errorf("%s %s %.60s: %d, want 422 naming %s: %.300s", w.method, w.path, w.body, code, w.field, body)
				}
			}
			if code, body := call("POST", "/api/v1/posts", admin, "application/json", strings.NewReader("{\"title\": \"a\xffb\"}")); code != http.StatusBadRequest || !strings.Contains(body, "UTF-8") {
				t.Errorf("POST /api/v1/posts with invalid UTF-8: %d, want 400: %.300s", code, body)
			}
			// The source desk's API answers an invalid value with 422, as
			// the rest of the API does.
			if code, body := call("POST", "/api/v1/sources", admin, "application/json",
				strings.NewReader(`{"name": "Wire\u0000", "homepage": "https://example.org/"}`)); code != http.StatusUnprocessableEntity || !strings.Contains(body, `"field": "name"`) {
				t.Errorf("POST /api/v1/sources with a NUL: %d, want 422 naming name: %.300s", code, body)
			}

			// Writes through the admin's forms: the form again, naming the field.
			form := func(path string, v url.Values, field string) {
				t.Helper()
				code, body := call("POST", path, admin, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
				if code != http.StatusUnprocessableEntity || !strings.Contains(body, field) || !strings.Contains(body, "NUL") {
					t.Errorf("POST %s %v: %d, want 422 naming %s: %.300s", path, v, code, field, body)
				}
			}
			form("/admin/posts/1", url.Values{"title": {"a\x00b"}, "slug": {"x"}}, "title")
			form("/admin/posts/1", url.Values{"title": {"ok"}, "slug": {"x"}, "tags": {"a\x00"}}, "tags")
			form("/admin/settings", url.Values{"title": {"\x00"}, "posts_per_page": {"10"}, "time_zone": {"UTC"}}, "title")
			form("/admin/users", url.Values{"name": {"\x00"}, "email": {"z@example.org"}, "role": {"author"}, "password": {"a long enough password"}}, "name")
			form(fmt.Sprintf("/admin/media/%d/alt", mediaID), url.Values{"alt": {"\x00"}}, "alt")
			// Signing in with an unreadable address is a refusal, not a failure.
			if code, body := call("POST", "/admin/login", "", "application/x-www-form-urlencoded",
				strings.NewReader(url.Values{"email": {"a\x00@example.org"}, "password": {"x"}}.Encode())); code >= 500 {
				t.Errorf("sign-in with a NUL in the address: %d: %.300s", code, body)
			}

			// The refused list of tags created none of them.
			if code, _ := call("GET", "/tag/tag-0/", "", "", nil); code != http.StatusNotFound {
				t.Errorf("GET /tag/tag-0/ after a refused post: %d, want 404", code)
			}
			if after := snapshot(); after != before {
				t.Errorf("refused requests changed what is stored:\nbefore:\n%.2000s\nafter:\n%.2000s", before, after)
			}
		})
	}
}

// uploadPNG adds a small image to the media library and returns its id.
func uploadPNG(t *testing.T, base, token string) int64 {
	t.Helper()
	var img bytes.Buffer
	png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 4, 4)))
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "dot.png")
	fw.Write(img.Bytes())
	mw.WriteField("alt", "a dot")
	mw.Close()
	req, _ := http.NewRequest("POST", base+"/api/v1/media", &body)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m struct{ ID int64 }
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %v", resp.StatusCode, err)
	}
	return m.ID
}
