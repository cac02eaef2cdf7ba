package app_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// opBuild builds the broadsheet program into a temporary folder.
func opBuild(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: cannot build broadsheet for a process test")
	}
	bin := filepath.Join(t.TempDir(), "broadsheet")
	cmd := exec.Command(goBin, "build", "-o", bin, "./cmd/broadsheet")
	cmd.Dir = filepath.Join("..", "..")
	// The program as shipped, cgo-free, though the tests run with cgo for
	// the race detector.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// opProcess is a `broadsheet serve` process.
type opProcess struct {
	cmd  *exec.Cmd
	URL  string
	done chan error
}

func opSpawn(t *testing.T, bin string, args ...string) *opProcess {
	t.Helper()
	p := &opProcess{cmd: exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...), done: make(chan error, 1)}
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() { p.cmd.Process.Kill() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "Broadsheet is serving on "); ok {
			p.URL = strings.TrimSuffix(strings.Fields(rest)[0], "/")
			break
		}
	}
	if p.URL == "" {
		t.Fatalf("serve %v never said where it listens", args)
	}
	go func() {
		for sc.Scan() {
		}
	}()
	return p
}

// TestTwoServeProcessesOnePostgreSQL runs two real serve processes on one
// PostgreSQL database: what is published reaches both; killing one leaves
// the other serving and hearing changes; a stopped one exits cleanly.
func TestTwoServeProcessesOnePostgreSQL(t *testing.T) {
	if !slices.Contains(storetest.Engines(t), "postgres") {
		t.Skip("several servers share a database on PostgreSQL only")
	}
	bin := opBuild(t)
	dsn := storetest.DSN(t, "postgres")
	a := opSpawn(t, bin, "--data", t.TempDir(), "--db", dsn, "--demo")
	b := opSpawn(t, bin, "--data", t.TempDir(), "--db", dsn)
	for _, p := range []*opProcess{a, b} {
		opEventually(t, func() string {
			if _, page := opGet(t, p.URL+"/metrics"); opMetric(page, "broadsheet_db_relay_listening") != 1 {
				return p.URL + " never listened for the other's changes"
			}
			return ""
		})
	}
	ctx := context.Background()
	editor, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer editor.Close()
	publish := func(title, slug string) {
		t.Helper()
		p := &content.Post{Kind: content.KindPost, Title: title, Slug: slug, Status: content.StatusPublished,
			PublishedAt: time.Now().Add(-time.Minute).UTC().Truncate(time.Second),
			Format:      content.FormatHTML, Body: "<p>x</p>", BodyHTML: "<p>x</p>", TeaserHTML: "<p>x</p>"}
		if err := editor.Update(ctx, func(tx *store.Tx) error { return tx.CreatePost(ctx, p) }); err != nil {
			t.Fatal(err)
		}
	}
	heard := func(p *opProcess) float64 {
		_, page := opGet(t, p.URL+"/metrics")
		return opMetric(page, `broadsheet_changes_total{origin="remote"}`)
	}
	before := heard(b)
	publish("Seen by both processes", "seen-by-both")
	opEventually(t, func() string {
		if heard(b) <= before {
			return "the second process never heard of the post"
		}
		return ""
	})
	// Hearing a change and dropping the cached pages it touches are two
	// steps; the page follows within moments.
	for _, p := range []*opProcess{a, b} {
		opEventually(t, func() string {
			if _, front := opGet(t, p.URL+"/"); !strings.Contains(front, "Seen by both processes") {
				return "the post never reached " + p.URL + "'s front page"
			}
			return ""
		})
	}

	// Kill the first process outright; the second carries on.
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-a.done
	before = heard(b)
	publish("After the crash", "after-the-crash")
	opEventually(t, func() string {
		if heard(b) <= before {
			return "the surviving process stopped hearing changes"
		}
		return ""
	})
	opEventually(t, func() string {
		if code, front := opGet(t, b.URL+"/"); code != 200 || !strings.Contains(front, "After the crash") {
			return fmt.Sprintf("the surviving process's front page: %d, without the new post", code)
		}
		return ""
	})
	if code, _ := opGet(t, b.URL+"/readyz"); code != 200 {
		t.Errorf("the surviving process is not ready: %d", code)
	}

	// Asked to stop, the second process finishes and exits cleanly.
	if err := b.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-b.done:
		if err != nil {
			t.Errorf("serve exited with %v after an interrupt, want a clean exit", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("serve did not stop within 30 seconds of an interrupt")
	}
}
