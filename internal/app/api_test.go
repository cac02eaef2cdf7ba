package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/auth"
	"github.com/broadsheet/broadsheet/internal/config"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// apiEnv is serve's environment for tests of the whole Admin API, over db.
func apiEnv(t *testing.T) *env {
	t.Helper()
	e := &env{cfg: config.Default(), stdout: io.Discard, stderr: io.Discard}
	e.cfg.DataDir = t.TempDir()
	e.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	return e
}

// openAPI reads docs/openapi.json: for each endpoint, "METHOD /api/v1/path",
// whether it reads a JSON body.
func openAPI(t *testing.T) map[string]bool {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "openapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatalf("docs/openapi.json is not JSON: %v", err)
	}
	documented := map[string]bool{}
	for path, ops := range spec.Paths {
		for method, raw := range ops {
			var op struct {
				RequestBody struct {
					Content map[string]json.RawMessage `json:"content"`
				} `json:"requestBody"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("docs/openapi.json: %s %s: %v", method, path, err)
			}
			_, readsJSON := op.RequestBody.Content["application/json"]
			documented[strings.ToUpper(method)+" /api/v1"+path] = readsJSON
		}
	}
	return documented
}

// TestOpenAPIDescribesEveryEndpoint keeps docs/openapi.json and the Admin
// API as serve assembles it (the source desk's and search's endpoints
// included) in step: every endpoint is documented, and nothing documented
// is missing.
func TestOpenAPIDescribesEveryEndpoint(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	adm, err := apiEnv(t).admin(db)
	if err != nil {
		t.Fatal(err)
	}
	documented := openAPI(t)
	served := map[string]bool{}
	for _, p := range adm.APIPatterns() {
		served[p] = true
		if _, ok := documented[p]; !ok {
			t.Errorf("%s is served but not in docs/openapi.json", p)
		}
	}
	var extra []string
	for p := range documented {
		if !served[p] {
			extra = append(extra, p)
		}
	}
	sort.Strings(extra)
	for _, p := range extra {
		t.Errorf("%s is in docs/openapi.json but not served", p)
	}
	for _, p := range []string{"GET /api/v1/search", "POST /api/v1/inbox/{id}/republish", "GET /api/v1/posts"} {
		if !served[p] {
			t.Errorf("%s is not served", p)
		}
	}
}

// TestEveryAPIEndpointFailsInOneEnvelope calls every endpoint of the Admin
// API, the source desk's and search's included, through serve's whole
// handler, and checks that each fails alike: as JSON, {"error": {"code",
// "message", "field"}}, with the same status for the same fault. On
// PostgreSQL it then cuts the database away: every endpoint answers 503
// with Retry-After.
func TestEveryAPIEndpointFailsInOneEnvelope(t *testing.T) {
	ctx := context.Background()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn, cut := storetest.DSN(t, engine), func() {}
			if engine == "postgres" {
				dsn, cut = storetest.Cuttable(t, dsn)
			}
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			admin := &content.User{Name: "Ada", Email: "ada@example.org", Role: content.RoleAdmin}
			if err := db.Update(ctx, func(tx *store.Tx) error { return tx.CreateAccount(ctx, admin, "ada", "unused") }); err != nil {
				t.Fatal(err)
			}
			token, _, err := auth.CreateToken(ctx, db, admin.ID, "tests")
			if err != nil {
				t.Fatal(err)
			}
			e := apiEnv(t)
			h, err := e.handler(db)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			adm, err := e.admin(db)
			if err != nil {
				t.Fatal(err)
			}
			routes := adm.APIPatterns()
			readsJSON := openAPI(t)

			// call makes the request and returns its status, its
			// Retry-After and its error, which must be the one envelope.
			call := func(pattern, query, token, body string, header ...string) (int, string, map[string]string) {
				t.Helper()
				method, path, _ := strings.Cut(pattern, " ")
				path = strings.NewReplacer("{id}", "1", "{n}", "1").Replace(path)
				req, err := http.NewRequest(method, srv.URL+path+query, strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				for i := 0; i+1 < len(header); i += 2 {
					req.Header.Set(header[i], header[i+1])
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				raw, _ := io.ReadAll(res.Body)
				var envelope map[string]json.RawMessage
				var detail map[string]string
				if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("%s%s: %d with Content-Type %q, want JSON: %.200s", pattern, query, res.StatusCode, ct, raw)
				} else if err := json.Unmarshal(raw, &envelope); err != nil || json.Unmarshal(envelope["error"], &detail) != nil ||
					detail["code"] == "" || detail["message"] == "" {
					t.Errorf("%s%s: %d, not the error envelope: %.200s", pattern, query, res.StatusCode, raw)
				}
				for k := range envelope {
					if k != "error" {
						t.Errorf("%s%s: the envelope holds %q beside \"error\": %.200s", pattern, query, k, raw)
					}
				}
				return res.StatusCode, res.Header.Get("Retry-After"), detail
			}

			for _, route := range routes {
				// Nobody signed in: 401.
				if status, _, d := call(route, "", "", ""); status != 401 || d["code"] != content.EUnauthorized {
					t.Errorf("%s without a token: %d %v, want 401 unauthorized", route, status, d)
				}
				// A parameter that is not text: 400 naming it, before anything else.
				if status, _, d := call(route, "?q=%00", token, ""); status != 400 || d["code"] != content.EInvalid || d["field"] != "q" {
					t.Errorf("%s?q=%%00: %d %v, want 400 invalid naming q", route, status, d)
				}
				// A cookie-style request from another site that changes
				// something: 403.
				if !strings.HasPrefix(route, "GET ") {
					if status, _, d := call(route, "", "", "", "Sec-Fetch-Site", "cross-site"); status != 403 || d["code"] != content.EForbidden {
						t.Errorf("%s from another site: %d %v, want 403 forbidden", route, status, d)
					}
				}
				// A JSON body cut short: 400.
				if readsJSON[route] {
					if status, _, d := call(route, "", token, `{"name": `); status != 400 || d["code"] != content.EInvalid || !strings.Contains(d["message"], "cut short") {
						t.Errorf("%s with JSON cut short: %d %v, want 400 invalid", route, status, d)
					}
				}
			}
			// A value that is not acceptable: 422, in each former stack.
			for _, c := range []struct{ route, query, body, field string }{
				{"POST /api/v1/posts", "", `{"title": "x", "status": "lost"}`, "status"},
				{"POST /api/v1/sources", "", `{"name": "x", "interval_minutes": 0}`, "interval_minutes"},
				{"GET /api/v1/inbox", "?state=lost", "", "state"},
				{"GET /api/v1/search", "?sort=random", "", "sort"},
			} {
				if status, _, d := call(c.route, c.query, token, c.body); status != 422 || d["code"] != content.EInvalid || d["field"] != c.field {
					t.Errorf("%s%s %s: %d %v, want 422 invalid naming %s", c.route, c.query, c.body, status, d, c.field)
				}
			}
			// An endpoint that does not exist: 404.
			if status, _, d := call("GET /api/v1/nothing", "", token, ""); status != 404 || d["code"] != content.ENotFound {
				t.Errorf("an unknown endpoint: %d %v, want 404", status, d)
			}

			if engine != "postgres" {
				return
			}
			cut()
			for _, route := range routes {
				body := ""
				if readsJSON[route] {
					body = `{"title": "x"}`
				}
				status, retry, d := call(route, "", token, body)
				if s, err := strconv.Atoi(retry); status != 503 || d["code"] != "service_unavailable" || err != nil || s < 1 {
					t.Errorf("%s while the database is away: %d, Retry-After %q, %v; want 503 with Retry-After", route, status, retry, d)
				}
			}
			if !slices.Contains(routes, "GET /api/v1/search") || !slices.Contains(routes, "GET /api/v1/sources") {
				t.Errorf("search's and the desk's endpoints are not among %v", routes)
			}
		})
	}
}
