package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/app"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/demo"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestMain lets a test start this binary as a real broadsheet process:
// with BROADSHEET_TEST_RUN_APP=1 it runs the command line and exits.
func TestMain(m *testing.M) {
	if os.Getenv("BROADSHEET_TEST_RUN_APP") == "1" {
		ctx, stop := signalContext()
		code := app.Run(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

func runWith(t *testing.T, environ []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = app.Run(context.Background(), args, environ, &out, &errb)
	return code, out.String(), errb.String()
}

// TestUserAndTokenCommands adds users, lists them, changes a password,
// and creates, lists and revokes a token, as an administrator would.
func TestUserAndTokenCommands(t *testing.T) {
	db := t.TempDir() + "/b.db"
	env := []string{"BROADSHEET_PASSWORD=a long enough password"}
	code, out, errs := runWith(t, env, "--db", db, "user", "add", "--email", "amara@example.org", "--name", "Amara Okafor", "--role", "editor")
	if code != 0 || !strings.Contains(out, "Added Amara Okafor <amara@example.org> as editor") {
		t.Fatalf("user add: %d %q %q", code, out, errs)
	}
	code, _, errs = runWith(t, env, "--db", db, "user", "add", "--email", "amara@example.org", "--name", "Again", "--role", "author")
	if code != 1 || !strings.Contains(errs, "already exists") {
		t.Errorf("adding the same email again: %d %q", code, errs)
	}
	code, _, errs = runWith(t, env, "--db", db, "user", "add", "--email", "x@example.org", "--name", "X", "--role", "boss")
	if code != 2 || !strings.Contains(errs, `unknown role "boss"`) {
		t.Errorf("unknown role: %d %q", code, errs)
	}
	code, _, errs = runWith(t, []string{"BROADSHEET_PASSWORD=short"}, "--db", db, "user", "add", "--email", "y@example.org", "--name", "Y", "--role", "author")
	if code != 1 || !strings.Contains(errs, "at least 10 characters") {
		t.Errorf("short password: %d %q", code, errs)
	}
	code, out, _ = runWith(t, nil, "--db", db, "user", "list")
	if code != 0 || !regexp.MustCompile(`Amara Okafor\s+amara@example.org\s+editor\s+amara-okafor\s+yes`).MatchString(out) || !strings.Contains(out, "1 users") {
		t.Errorf("user list:\n%s", out)
	}
	code, out, errs = runWith(t, []string{"BROADSHEET_PASSWORD=another long password"}, "--db", db, "user", "passwd", "--email", "AMARA@example.org")
	if code != 0 || !strings.Contains(out, "Changed the password") {
		t.Errorf("passwd: %d %q %q", code, out, errs)
	}
	code, out, errs = runWith(t, nil, "--db", db, "token", "create", "--user", "amara@example.org", "--name", "newsletter script")
	token := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(token, "bs_") || !strings.Contains(errs, "shown only now") {
		t.Fatalf("token create: %d %q %q", code, out, errs)
	}
	code, out, _ = runWith(t, nil, "--db", db, "token", "list")
	if code != 0 || !strings.Contains(out, "newsletter script") || strings.Contains(out, token) || !strings.Contains(out, "valid") {
		t.Errorf("token list (must not show the secret):\n%s", out)
	}
	code, out, _ = runWith(t, nil, "--db", db, "token", "revoke", "1")
	if code != 0 || !strings.Contains(out, "Revoked token 1") {
		t.Errorf("token revoke: %d %q", code, out)
	}
	if _, out, _ = runWith(t, nil, "--db", db, "token", "list"); !strings.Contains(out, "revoked") {
		t.Errorf("token list after revoke:\n%s", out)
	}
	if code, _, errs = runWith(t, nil, "--db", db, "token", "revoke", "99"); code != 1 || !strings.Contains(errs, "No API token 99") {
		t.Errorf("revoking an unknown token: %d %q", code, errs)
	}
}

// TestTwoServersPublishOnce starts two real broadsheet processes on one
// database and schedules posts a few seconds ahead: each is published
// exactly once, by one of them.
func TestTwoServersPublishOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two servers")
	}
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := storetest.DSN(t, engine)
			db, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			type proc struct {
				cmd    *exec.Cmd
				stderr *bytes.Buffer
			}
			var procs []proc
			for i := 0; i < 2; i++ {
				cmd := exec.Command(os.Args[0], "--db", dsn, "--data", t.TempDir(), "serve", "--addr", "127.0.0.1:0")
				cmd.Env = append(os.Environ(), "BROADSHEET_TEST_RUN_APP=1")
				var errb bytes.Buffer
				cmd.Stderr = &errb
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				procs = append(procs, proc{cmd, &errb})
			}
			const n = 5
			at := time.Now().Add(3 * time.Second)
			err = db.Update(context.Background(), func(tx *store.Tx) error {
				for i := 0; i < n; i++ {
					p := &content.Post{Kind: content.KindPost, Title: "Due", Slug: fmt.Sprintf("due-%d", i), Status: content.StatusScheduled,
						PublishedAt: at, Format: content.FormatMarkdown, Body: "x"}
					if err := tx.CreatePost(context.Background(), p); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// Wait (with a generous bound, not a timing assertion) for both to publish.
			deadline := time.Now().Add(60 * time.Second)
			for {
				posts, total, err := db.FindPosts(context.Background(), store.Published(time.Now()))
				if err != nil {
					t.Fatal(err)
				}
				if total == n {
					_ = posts
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("only %d of %d scheduled posts were published", total, n)
				}
				time.Sleep(200 * time.Millisecond)
			}
			var logs string
			for _, p := range procs {
				p.cmd.Process.Signal(syscall.SIGINT)
				p.cmd.Wait()
				logs += p.stderr.String()
			}
			counts := map[string]int{}
			for _, m := range regexp.MustCompile(`scheduler: published" post=(\d+)`).FindAllStringSubmatch(logs, -1) {
				counts[m[1]]++
			}
			if len(counts) != n {
				t.Errorf("%d posts announced as published, want %d:\n%s", len(counts), n, logs)
			}
			for id, c := range counts {
				if c != 1 {
					t.Errorf("post %s published %d times, want once", id, c)
				}
			}
		})
	}
}

// lockedBuffer is a bytes.Buffer safe for a server goroutine to write.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestFirstServeSaysHowToAddAUser: serve on a database where no one can
// sign in prints the command that creates an account.
func TestFirstServeSaysHowToAddAUser(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out lockedBuffer
	done := make(chan int)
	go func() {
		done <- app.Run(ctx, []string{"--db", t.TempDir() + "/b.db", "serve", "--addr", "127.0.0.1:0"}, nil, &out, io.Discard)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "serving on") {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %q", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exited %d", code)
	}
	if !strings.Contains(out.String(), "broadsheet user add --email you@example.org --name \"Your Name\" --role admin") {
		t.Errorf("serve did not say how to create an account:\n%s", out.String())
	}
}

// TestUserAddAdoptsImportedAuthor: giving a sign-in to an author who came
// with a WordPress import keeps their author page and their articles.
func TestUserAddAdoptsImportedAuthor(t *testing.T) {
	dir := t.TempDir()
	wxrFile := dir + "/demo.wxr"
	if err := os.WriteFile(wxrFile, demo.WXR, 0o644); err != nil {
		t.Fatal(err)
	}
	db := dir + "/b.db"
	if code, _, errs := runWith(t, nil, "--db", db, "import", wxrFile); code != 0 {
		t.Fatalf("import: %d %s", code, errs)
	}
	code, out, errs := runWith(t, []string{"BROADSHEET_PASSWORD=a long enough password"}, "--db", db, "user", "add",
		"--email", "Amara@demo.broadsheet.example", "--name", "Amara Okafor", "--role", "author")
	if code != 0 || !strings.Contains(out, "(author page /author/amara/)") {
		t.Fatalf("user add: %d %q %q", code, out, errs)
	}
	if _, out, _ = runWith(t, nil, "--db", db, "user", "list"); !regexp.MustCompile(`Amara Okafor\s+amara@demo.broadsheet.example\s+author\s+amara\s+yes`).MatchString(out) {
		t.Errorf("user list:\n%s", out)
	}
}

// TestPasswdRevokesAPITokens changes a password with 'user passwd' while a
// server runs: the user's API tokens stop working with the old password,
// unless --keep-tokens was given.
func TestPasswdRevokesAPITokens(t *testing.T) {
	db := t.TempDir() + "/b.db"
	token := apiToken(t, db, "editor")
	base := startServe(t, []string{"--db", db})
	me := func(token string) int {
		code, _, _ := apiCall(t, "GET", base+"/api/v1/me", token)
		return code
	}
	if code := me(token); code != 200 {
		t.Fatalf("GET /api/v1/me with a fresh token: %d, want 200", code)
	}
	pw := []string{"BROADSHEET_PASSWORD=another long password"}
	code, out, errs := runWith(t, pw, "--db", db, "user", "passwd", "--email", "editor@example.org")
	if code != 0 || !strings.Contains(out, "their 1 API token was revoked") {
		t.Fatalf("passwd: %d %q %q", code, out, errs)
	}
	if code := me(token); code != 401 {
		t.Errorf("GET /api/v1/me with a token from before the password change: %d, want 401", code)
	}

	code, out, errs = runWith(t, nil, "--db", db, "token", "create", "--user", "editor@example.org", "--name", "kept")
	if code != 0 {
		t.Fatalf("token create: %s", errs)
	}
	kept := strings.TrimSpace(out)
	code, out, errs = runWith(t, pw, "--db", db, "user", "passwd", "--email", "editor@example.org", "--keep-tokens")
	if code != 0 || !strings.Contains(out, "their API tokens were kept") {
		t.Fatalf("passwd --keep-tokens: %d %q %q", code, out, errs)
	}
	if code := me(kept); code != 200 {
		t.Errorf("GET /api/v1/me with a token kept by --keep-tokens: %d, want 200", code)
	}
}
