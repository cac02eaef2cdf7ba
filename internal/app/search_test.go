package app_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestAdminAPISearch calls GET /api/v1/search on the real binary's handler,
// over the demo publication: signed-in editors search, strangers are
// refused, a bad parameter is named.
func TestAdminAPISearch(t *testing.T) {
	db := t.TempDir() + "/b.db"
	token := apiToken(t, db, "editor")
	base := startServe(t, []string{"--db", db}, "--demo", "--poll-every", "0")
	call := func(path, token string) (int, string) {
		code, _, body := apiCall(t, "GET", base+path, token)
		return code, body
	}
	code, body := call("/api/v1/search?q=the", token)
	var res struct {
		Total   int
		Results []struct {
			Title       string `json:"title"`
			SnippetHTML string `json:"snippet_html"`
		}
	}
	if err := json.Unmarshal([]byte(body), &res); code != 200 || err != nil {
		t.Fatalf("editor search: %d %v %.200s", code, err, body)
	}
	if res.Total == 0 || !strings.Contains(res.Results[0].SnippetHTML, "<mark>") {
		t.Errorf("editor search over the demo found %d, first snippet %q", res.Total, res.Results)
	}
	if code, _ := call("/api/v1/search?q=the", ""); code != 401 {
		t.Errorf("anonymous search: %d, want 401", code)
	}
	if code, body := call("/api/v1/search?q=x&sort=random", token); code != 422 || !strings.Contains(body, `"field": "sort"`) {
		t.Errorf("bad sort: %d %.200s, want 422 naming the field", code, body)
	}

	// docs/openapi.json describes the endpoint and what it answers.
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "openapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]struct {
			Parameters []struct{ Name string }
		}
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage
			}
		}
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	op, ok := spec.Paths["/search"]["get"]
	if !ok {
		t.Fatalf("docs/openapi.json does not describe GET /search: %+v", spec.Paths["/search"])
	}
	for _, q := range []string{"q", "category", "tag", "author", "from", "to", "sort", "status", "page", "per_page"} {
		if !slices.ContainsFunc(op.Parameters, func(p struct{ Name string }) bool { return p.Name == q }) {
			t.Errorf("docs/openapi.json: GET /search lacks the %s parameter", q)
		}
	}
	var answer map[string]json.RawMessage
	_, body = call("/api/v1/search?q=the", token)
	if err := json.Unmarshal([]byte(body), &answer); err != nil {
		t.Fatal(err)
	}
	for k := range answer {
		if _, ok := spec.Components.Schemas["SearchResults"].Properties[k]; !ok {
			t.Errorf("the search answers %q, which docs/openapi.json's SearchResults does not describe", k)
		}
	}
}
