package app_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/app"
)

// syncBuffer is a bytes.Buffer safe for a server goroutine and a test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb syncBuffer
	code = app.Run(context.Background(), args, nil, &out, &errb)
	return code, out.String(), errb.String()
}

func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join("..", "importer", "wxr", "testdata", "small.wxr")
	code, out, errOut := run(t, "--data", dir, "import", good)
	if code != 0 {
		t.Fatalf("import: exit %d\n%s", code, errOut)
	}
	for _, want := range []string{"imported", "3", "skipped", "file pic.jpg not imported"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "4 items read") {
		t.Errorf("no progress on stderr: %q", errOut)
	}

	src, _ := os.ReadFile(good)
	bad := filepath.Join(t.TempDir(), "cut.wxr")
	os.WriteFile(bad, src[:len(src)/2], 0o644)
	code, _, errOut = run(t, "--data", dir, "import", bad)
	if code != 1 {
		t.Errorf("truncated import: exit %d, want 1", code)
	}
	if !regexp.MustCompile(`line \d+: .*truncated`).MatchString(errOut) || !strings.Contains(errOut, "nothing was imported") {
		t.Errorf("truncated import: message %q does not name the line and reassure", errOut)
	}

	if code, _, errOut = run(t, "--data", dir, "import", filepath.Join(dir, "missing.wxr")); code != 1 || !strings.Contains(errOut, "missing.wxr") {
		t.Errorf("missing file: exit %d, %q", code, errOut)
	}
	if code, _, _ = run(t, "--data", dir, "import"); code != 2 {
		t.Errorf("import without a file: exit %d, want 2", code)
	}
	if code, _, _ = run(t, "frobnicate"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}

func TestServeDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int)
	go func() {
		done <- app.Run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0"}, nil, &out, &errb)
	}()
	addr := regexp.MustCompile(`serving on (http://\S+)/`)
	var base string
	for deadline := time.Now().Add(30 * time.Second); base == "" && time.Now().Before(deadline); {
		if m := addr.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d early:\n%s\n%s", code, out.String(), errb.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if base == "" {
		t.Fatalf("serve never said where it listens:\n%s", out.String())
	}
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "The Meridian Review") || !strings.Contains(string(body), "Continue reading") {
		t.Errorf("demo front page: %d, lacks the demo's title or teasers", resp.StatusCode)
	}
	// The demo prints an administrator's password: signing in with it works.
	m := regexp.MustCompile(`as (\S+) with the password (\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("the demo names no account to sign in with:\n%s", out.String())
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = client.PostForm(base+"/admin/login", url.Values{"email": {m[1]}, "password": {m[2]}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || len(resp.Cookies()) == 0 {
		t.Errorf("signing in with the demo account: %d, cookies %v; want a redirect with a session", resp.StatusCode, resp.Cookies())
	}
	// The source desk has sources and an inbox, with no network needed.
	req, _ := http.NewRequest("GET", base+"/admin/inbox", nil)
	for _, c := range resp.Cookies() {
		req.AddCookie(c)
	}
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"Solar pumps double the dry-season harvest in the Niger valley", "Sahel Economic Monitor", "7 items."} {
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("the demo's inbox (%d) lacks %q", resp.StatusCode, want)
		}
	}
	if !strings.Contains(out.String(), "Demo source desk: 4 sources and 7 inbox items") {
		t.Errorf("serve --demo does not say what the desk holds:\n%s", out.String())
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d after a shutdown signal, want 0:\n%s", code, errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not shut down")
	}
}
