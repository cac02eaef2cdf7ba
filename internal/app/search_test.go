package app_test

import (
	"encoding/json"
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
	if code, body := call("/api/v1/search?q=x&sort=random", token); code/100 != 4 || !strings.Contains(body, `"field": "sort"`) {
		t.Errorf("bad sort: %d %.200s", code, body)
	}
}
