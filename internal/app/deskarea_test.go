package app_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/app"
)

// TestSourceDeskIsBehindTheAdminSignIn checks the desk's API and pages as
// served by the real binary's handler: editors get in, authors are refused,
// strangers are sent to sign in.
func TestSourceDeskIsBehindTheAdminSignIn(t *testing.T) {
	db := t.TempDir() + "/b.db"
	pw := []string{"BROADSHEET_PASSWORD=a long enough password"}
	tokens := map[string]string{}
	for _, role := range []string{"editor", "author"} {
		email := role + "@example.org"
		if code, _, errs := runWith(t, pw, "--db", db, "user", "add", "--email", email, "--name", role, "--role", role); code != 0 {
			t.Fatalf("user add %s: %s", role, errs)
		}
		code, out, errs := runWith(t, nil, "--db", db, "token", "create", "--user", email, "--name", "test")
		if code != 0 {
			t.Fatalf("token create: %s", errs)
		}
		tokens[role] = strings.TrimSpace(out)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int)
	go func() {
		done <- app.Run(ctx, []string{"--db", db, "serve", "--addr", "127.0.0.1:0", "--poll-every", "0"}, nil, &out, &errb)
	}()
	defer func() { cancel(); <-done }()
	var base string
	for deadline := time.Now().Add(30 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := regexp.MustCompile(`serving on (http://\S+)/`).FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatalf("serve did not start:\n%s", errb.String())
	}

	call := func(method, path, token string) (int, string, string) {
		req, _ := http.NewRequest(method, base+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Location"), string(body)
	}
	if code, _, body := call("GET", "/api/v1/sources", tokens["editor"]); code != 200 || !strings.HasPrefix(strings.TrimSpace(body), "{") {
		t.Errorf("editor GET /api/v1/sources: %d %.80s", code, body)
	}
	if code, _, body := call("GET", "/api/v1/inbox", tokens["author"]); code != 403 || !strings.Contains(body, `"forbidden"`) {
		t.Errorf("author GET /api/v1/inbox: %d %.120s, want 403", code, body)
	}
	if code, _, _ := call("GET", "/api/v1/sources", ""); code != 401 {
		t.Errorf("anonymous GET /api/v1/sources: %d, want 401", code)
	}
	if code, loc, _ := call("GET", "/admin/inbox", ""); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/login?next=") {
		t.Errorf("anonymous GET /admin/inbox: %d → %q, want a redirect to sign in", code, loc)
	}
}

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
