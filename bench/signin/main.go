// Command signin measures a flood of sign-ins. It builds the broadsheet
// binary (or takes one with -bin), creates a site with a few accounts,
// starts `serve` as a separate process, and sends -n sign-ins at once over
// 127.0.0.1, each from its own loopback address as a botnet's would come: a
// share with unknown emails (no account to lock), the rest with wrong
// passwords for the site's accounts. While they are in flight an editor
// signs in from another address with the right password. It prints the
// server's peak memory (the kernel's VmHWM) beside its baselines measured
// in the same run, the server idle and after one sign-in alone, how the
// flood was answered, and whether the editor got in.
//
//	go run ./bench/signin [-n 150] [-unknown 0.66]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const password = "the editor's long password"

// targets are the accounts the flood guesses at; the editor is not one.
var targets = []string{"admin", "author", "contributor", "columnist"}

func main() {
	n := flag.Int("n", 150, "sign-ins sent at once")
	unknown := flag.Float64("unknown", 0.66, "share of the sign-ins with unknown emails; the rest guess at the site's accounts")
	bin := flag.String("bin", "", "broadsheet `binary` to measure (default: build ./cmd/broadsheet)")
	target := flag.Int64("target", 300, "peak memory target, in `MB`")
	flag.Parse()
	if *n < 1 || *n > 60000 || *unknown < 0 || *unknown > 1 {
		fmt.Fprintln(os.Stderr, "signin: -n must be 1 to 60000 and -unknown between 0 and 1")
		os.Exit(2)
	}
	ok, err := run(*n, *unknown, *bin, *target<<20)
	if err != nil {
		fmt.Fprintln(os.Stderr, "signin:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

func run(n int, unknown float64, bin string, target int64) (bool, error) {
	dir, err := os.MkdirTemp("", "broadsheet-signin-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(dir)
	if bin == "" {
		bin = filepath.Join(dir, "broadsheet")
		fmt.Fprintln(os.Stderr, "building broadsheet…")
		if out, err := exec.Command("go", "build", "-o", bin, "./cmd/broadsheet").CombinedOutput(); err != nil {
			return false, fmt.Errorf("go build (run from the repository's root): %v\n%s", err, out)
		}
	}
	data := filepath.Join(dir, "data")
	for _, who := range append([]string{"editor"}, targets...) {
		role := "editor"
		if who == "admin" || who == "author" || who == "contributor" {
			role = who
		}
		cmd := exec.Command(bin, "--data", data, "user", "add", "--email", who+"@bench.example", "--name", who, "--role", role)
		cmd.Env = append(os.Environ(), "BROADSHEET_PASSWORD="+password)
		if out, err := cmd.CombinedOutput(); err != nil {
			return false, fmt.Errorf("user add %s: %v\n%s", who, err, out)
		}
	}
	srv, err := start(bin, data)
	if err != nil {
		return false, err
	}
	defer srv.stop()
	base := "http://" + srv.addr
	// Idle, having answered one page; then after one sign-in alone.
	if _, _, err := signIn(base, "127.0.0.1", "", ""); err != nil {
		return false, err
	}
	idle := srv.hwm()
	if status, _, err := signIn(base, "127.0.0.1", "editor@bench.example", password); err != nil || status != http.StatusSeeOther {
		return false, fmt.Errorf("a sign-in alone: status %d, %v", status, err)
	}
	one := srv.hwm()

	fmt.Printf("Flood: %d sign-ins at once, each from its own address, %.0f%% with unknown emails, the rest guessing at %d accounts\n",
		n, unknown*100, len(targets))
	type answer struct {
		status int
		took   time.Duration
		err    error
	}
	answers := make([]answer, n)
	var wg sync.WaitGroup
	started := make(chan struct{})
	var once sync.Once
	start := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			email := targets[i%len(targets)] + "@bench.example"
			if rand.Float64() < unknown {
				email = fmt.Sprintf("nobody%d@bench.example", i)
			}
			// 127.0.1.0 to 127.0.255.255: one address each.
			addr := fmt.Sprintf("127.0.%d.%d", 1+i/250, 1+i%250)
			status, took, err := signIn(base, addr, email, "a wrong password "+strconv.Itoa(i))
			answers[i] = answer{status, took, err}
			once.Do(func() { close(started) })
		}()
	}
	// The editor signs in once the flood is in flight: after the first
	// answer, with the rest still queued.
	var editorStatus int
	var editorTook time.Duration
	var editorErr error
	editorDone := make(chan struct{})
	go func() {
		defer close(editorDone)
		select {
		case <-started:
		case <-time.After(2 * time.Second):
		}
		editorStatus, editorTook, editorErr = signIn(base, "127.0.0.200", "editor@bench.example", password)
	}()
	wg.Wait()
	<-editorDone
	flood := time.Since(start)
	peak := srv.hwm()

	counts := map[string]int{}
	var took []time.Duration
	for _, a := range answers {
		key := strconv.Itoa(a.status)
		if a.err != nil {
			key = "no answer"
		}
		counts[key]++
		took = append(took, a.took)
	}
	slices.Sort(took)
	var keys []string
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s × %d", k, counts[k]))
	}
	fmt.Printf("  answers: %s (401 wrong, 429 throttled, 503 no hashing slot in time) in %v; slowest answer %v, median %v\n",
		strings.Join(parts, ", "), flood.Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond), took[len(took)/2].Round(time.Millisecond))
	signedIn := editorErr == nil && editorStatus == http.StatusSeeOther
	fmt.Printf("  the editor's sign-in during the flood: %s\n", describe(signedIn, editorStatus, editorTook, editorErr))
	mb := func(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }
	fmt.Printf("Server peak memory (VmHWM): %s after the flood; baseline %s idle, %s after one sign-in alone; target under %s\n",
		mb(peak), mb(idle), mb(one), mb(target))
	ok := signedIn && peak < target
	if ok {
		fmt.Println("PASS")
	} else {
		fmt.Println("FAIL")
	}
	return ok, nil
}

func describe(ok bool, status int, took time.Duration, err error) string {
	switch {
	case err != nil:
		return "no answer: " + err.Error()
	case ok:
		return fmt.Sprintf("signed in (303) in %v", took.Round(time.Millisecond))
	}
	return fmt.Sprintf("refused (%d) in %v", status, took.Round(time.Millisecond))
}

// signIn posts the sign-in form from the loopback address from, and
// returns the status and how long the answer took. With no email it only
// fetches the form.
func signIn(base, from, email, pw string) (int, time.Duration, error) {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c := &http.Client{
		Transport:     &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       2 * time.Minute,
	}
	start := time.Now()
	var res *http.Response
	var err error
	if email == "" {
		res, err = c.Get(base + "/admin/login")
	} else {
		res, err = c.PostForm(base+"/admin/login", url.Values{"email": {email}, "password": {pw}})
	}
	if err != nil {
		return 0, time.Since(start), err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, time.Since(start), nil
}

type server struct {
	cmd  *exec.Cmd
	addr string
}

// start runs serve over data on a free port and waits until it listens.
func start(bin, data string) (*server, error) {
	cmd := exec.Command(bin, "--data", data, "serve", "--addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = nil // the request log: not needed
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	re := regexp.MustCompile(`serving on http://(\S+?)/`)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, stdout)
			return &server{cmd: cmd, addr: m[1]}, nil
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	return nil, fmt.Errorf("%s serve did not say where it listens", bin)
}

// hwm is the server's peak resident memory so far, in bytes.
func (s *server) hwm() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return -1
}

func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}
