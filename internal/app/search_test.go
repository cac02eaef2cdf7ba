package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/app"
)

// TestAdminAPISearch calls GET /api/v1/search on the real binary's handler,
// over the demo publication: signed-in editors search, strangers are
// refused, a bad parameter is named.
func TestAdminAPISearch(t *testing.T) {
	db := t.TempDir() + "/b.db"
	pw := []string{"BROADSHEET_PASSWORD=a long enough password"}
	if code, _, errs := runWith(t, pw, "--db", db, "user", "add", "--email", "ed@example.org", "--name", "Ed", "--role", "editor"); code != 0 {
		t.Fatalf("user add: %s", errs)
	}
	code, out, errs := runWith(t, nil, "--db", db, "token", "create", "--user", "ed@example.org", "--name", "test")
	if code != 0 {
		t.Fatalf("token create: %s", errs)
	}
	token := strings.TrimSpace(out)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var sout, serr syncBuffer
	done := make(chan int)
	go func() {
		done <- app.Run(ctx, []string{"--db", db, "serve", "--demo", "--addr", "127.0.0.1:0", "--poll-every", "0"}, nil, &sout, &serr)
	}()
	defer func() { cancel(); <-done }()
	var base string
	for deadline := time.Now().Add(30 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := regexp.MustCompile(`serving on (http://\S+)/`).FindStringSubmatch(sout.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatalf("serve did not start:\n%s", serr.String())
	}
	call := func(path, token string) (int, string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
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
