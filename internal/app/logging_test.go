package app

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/broadsheet/broadsheet/internal/ops"
)

// lockedBuffer is a bytes.Buffer safe to read while the flusher writes.
type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestBufferedLogKeepsEveryLineInOrder(t *testing.T) {
	out := &lockedBuffer{}
	e := &env{stderr: out, log: newLogger(nil, out)}
	bg := ops.NewBackground(context.Background(), nil)
	e.bufferLog(bg)
	for i := range 2000 { // past the buffer's size, so it fills and is written mid-way
		e.log.Info("request", "n", i, "path", strings.Repeat("x", 40))
	}
	bg.Stop()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2000 {
		t.Fatalf("%d lines written, want 2000", len(lines))
	}
	for i, l := range lines {
		if want := " n=" + itoa(i) + " "; !strings.Contains(l, want) {
			t.Fatalf("line %d is %q, want %q in it", i, l, want)
		}
	}
	if out.writes >= 2000/10 {
		t.Errorf("%d writes for 2000 lines: not buffered", out.writes)
	}
}

func TestBufferedLogWritesWarningsAtOnce(t *testing.T) {
	out := &lockedBuffer{}
	environ := []string{"BROADSHEET_LOG_FORMAT=json"}
	e := &env{stderr: out, environ: environ, log: newLogger(environ, out)}
	bg := ops.NewBackground(context.Background(), nil)
	e.bufferLog(bg)
	defer bg.Stop()
	log := e.log.With("component", "test")
	log.Info("before")
	log.Warn("trouble")
	got := out.String()
	if !strings.Contains(got, `"msg":"before"`) || !strings.Contains(got, `"msg":"trouble"`) || !strings.Contains(got, `"component":"test"`) {
		t.Errorf("after a warning, the log holds %q; want both lines, as JSON, with the logger's attributes", got)
	}
	if strings.Index(got, "before") > strings.Index(got, "trouble") {
		t.Errorf("lines out of order: %q", got)
	}
}

func itoa(i int) string { return slog.IntValue(i).String() }
