package app_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/app"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// opServer is one `broadsheet serve` running in this test process through
// app.Run, with its own store, pool, relay and metrics, as a separate
// process would have.
type opServer struct {
	URL    string
	stop   context.CancelFunc
	done   chan int
	mu     sync.Mutex
	stderr bytes.Buffer
}

// opLockedWriter lets app.Run write stderr while the test reads it.
type opLockedWriter struct{ s *opServer }

func (w opLockedWriter) Write(b []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	return w.s.stderr.Write(b)
}

// opStart runs `broadsheet serve --addr 127.0.0.1:0` with args and waits
// until it listens; it is stopped when the test ends.
func opStart(t *testing.T, args ...string) *opServer {
	t.Helper()
	return opStartEnv(t, nil, args...)
}

// opStartEnv is opStart with environment variables (KEY=VALUE).
func opStartEnv(t *testing.T, environ []string, args ...string) *opServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &opServer{stop: cancel, done: make(chan int, 1)}
	pr, pw := io.Pipe()
	argv := append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)
	go func() {
		code := app.Run(ctx, argv, environ, pw, opLockedWriter{s})
		pw.Close()
		s.done <- code
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "Broadsheet is serving on "); ok {
				addr <- strings.Fields(rest)[0]
			}
		}
		close(addr)
	}()
	u, ok := <-addr
	if !ok {
		t.Fatalf("serve %v did not start: %s", args, s.logs())
	}
	s.URL = strings.TrimSuffix(u, "/")
	t.Cleanup(func() {
		cancel()
		if code := <-s.done; code != 0 {
			t.Errorf("serve exited with %d: %s", code, s.logs())
		}
	})
	return s
}

func (s *opServer) logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

// opGet fetches path and returns the status and body.
func opGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, string(b)
}

// opEventually retries check until it returns "" (meaning: satisfied),
// failing with its last complaint after a generous while. It waits for
// something to happen; it does not time it.
func opEventually(t *testing.T, check func() string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		msg := check()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// opMetric returns the value of the Prometheus sample named by its exact
// text (name and labels) in a /metrics page, or -1 when absent.
func opMetric(page, sample string) float64 {
	for _, line := range strings.Split(page, "\n") {
		if rest, ok := strings.CutPrefix(line, sample+" "); ok {
			var v float64
			fmt.Sscan(rest, &v)
			return v
		}
	}
	return -1
}

// opPostgres is a PostgreSQL server of the test's own, which the test may
// stop and start again.
type opPostgres struct {
	bin, dir, port string
	URL            string
}

// opStartPostgres initialises and starts a private PostgreSQL server from
// the installed binaries, stopped and removed when the test ends.
func opStartPostgres(t *testing.T) *opPostgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		if os.Getenv(storetest.RequireAllEnv) != "" {
			t.Fatalf("PostgreSQL's server programs are not installed, but %s requires this test", storetest.RequireAllEnv)
		}
		t.Skip("PostgreSQL's server programs are not installed: this test starts and stops its own server")
	}
	sort.Strings(bins)
	pg := &opPostgres{bin: filepath.Dir(bins[len(bins)-1])}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pg.port = fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	pg.dir, err = os.MkdirTemp("", "broadsheet-pgtest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pg.run(t, "pg_ctl", "-D", pg.dir+"/data", "-m", "immediate", "stop")
		os.RemoveAll(pg.dir)
	})
	os.Chmod(pg.dir, 0o755)
	if os.Getuid() == 0 {
		// PostgreSQL refuses to run as root.
		if out, err := exec.Command("chown", "postgres", pg.dir).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v %s", err, out)
		}
	}
	if out, err := pg.run(t, "initdb", "-D", pg.dir+"/data", "-U", "broadsheet", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	pg.start(t)
	pg.URL = "postgres://broadsheet@127.0.0.1:" + pg.port + "/postgres?sslmode=disable"
	return pg
}

func (pg *opPostgres) run(t *testing.T, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(pg.bin, name), args...)
	if os.Getuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(pg.bin, name)}, args...)...)
	}
	return cmd.CombinedOutput()
}

func (pg *opPostgres) start(t *testing.T) {
	t.Helper()
	if out, err := pg.run(t, "pg_ctl", "-D", pg.dir+"/data", "-w", "-l", pg.dir+"/log", "-o",
		"-p "+pg.port+" -k "+pg.dir+" -c listen_addresses=127.0.0.1 -c fsync=off", "start"); err != nil {
		t.Fatalf("start PostgreSQL: %v\n%s", err, out)
	}
}

func (pg *opPostgres) stop(t *testing.T) {
	t.Helper()
	if out, err := pg.run(t, "pg_ctl", "-D", pg.dir+"/data", "-w", "-m", "fast", "stop"); err != nil {
		t.Fatalf("stop PostgreSQL: %v\n%s", err, out)
	}
}

// startServe starts serve in this process on :0 (with the extra serve flags, else with
// polling off) and returns its base URL; it stops with the test.
func startServe(t *testing.T, global []string, serveFlags ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int, 1)
	if len(serveFlags) == 0 {
		serveFlags = []string{"--poll-every", "0"}
	}
	args := append(append(append([]string{}, global...), "serve", "--addr", "127.0.0.1:0"), serveFlags...)
	go func() {
		done <- app.Run(ctx, args, nil, &out, &errb)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop")
		}
	})
	addr := regexp.MustCompile(`serving on (http://\S+)/`)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		if m := addr.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d early:\n%s\n%s", code, out.String(), errb.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve never said where it listens:\n%s", out.String())
	return ""
}

// apiToken adds a user with the role and returns an Admin API token of theirs.
func apiToken(t *testing.T, db, role string) string {
	t.Helper()
	email := role + "@example.org"
	pw := []string{"BROADSHEET_PASSWORD=a long enough password"}
	if code, _, errs := runWith(t, pw, "--db", db, "user", "add", "--email", email, "--name", role, "--role", role); code != 0 {
		t.Fatalf("user add %s: %s", role, errs)
	}
	code, out, errs := runWith(t, nil, "--db", db, "token", "create", "--user", email, "--name", "test")
	if code != 0 {
		t.Fatalf("token create: %s", errs)
	}
	return strings.TrimSpace(out)
}

// apiCall makes a request without following redirects, with the token
// when one is given, and returns the status, Location and body.
func apiCall(t *testing.T, method, url, token string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}
