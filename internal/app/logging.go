package app

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/broadsheet/broadsheet/internal/ops"
)

// newLogger returns the process's structured logger: text lines by
// default, or one JSON object per line when BROADSHEET_LOG_FORMAT=json, for
// log collectors that gather the logs of several serve processes.
func newLogger(environ []string, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	for _, kv := range environ {
		if k, v, _ := strings.Cut(kv, "="); k == "BROADSHEET_LOG_FORMAT" && strings.EqualFold(v, "json") {
			return slog.New(slog.NewJSONHandler(w, opts))
		}
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Buffered logs gather up to logBufferSize bytes and are written at least
// every logFlushEvery.
const (
	logBufferSize = 64 << 10
	logFlushEvery = 100 * time.Millisecond
)

// logBuffer gathers log lines in memory and writes them in one write when
// it fills, every logFlushEvery, when a warning or an error is logged (see
// flushingHandler), and when it is closed. serve logs a line for every
// request: one write(2) each cost as much as answering a page from the
// page cache, and made every request wait on a slow log pipe. Every line
// is kept; what a hard crash (SIGKILL, the OOM killer) may lose is the
// last logFlushEvery of informational lines, while a recovered panic is
// logged as an error and so written at once.
type logBuffer struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
}

func newLogBuffer(w io.Writer) *logBuffer {
	return &logBuffer{w: w, buf: make([]byte, 0, logBufferSize)}
}

// Write keeps p (a whole line: slog writes each record at once) for the
// next flush.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf)+len(p) > cap(b.buf) {
		if err := b.flushLocked(); err != nil {
			return 0, err
		}
		if len(p) > cap(b.buf) {
			return b.w.Write(p)
		}
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// Flush writes what is buffered.
func (b *logBuffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked()
}

func (b *logBuffer) flushLocked() error {
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.w.Write(b.buf)
	b.buf = b.buf[:0] // a failed write is not retried: the lines are dropped, not the process
	return err
}

// flushEvery writes the buffer out every d until ctx ends.
func (b *logBuffer) flushEvery(ctx context.Context, d time.Duration) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			b.Flush()
		case <-ctx.Done():
			return
		}
	}
}

// flushingHandler writes the buffer out as soon as a record at warning
// level or above is logged, so that what an operator must see is not
// delayed, nor lost with the process.
type flushingHandler struct {
	slog.Handler
	buf *logBuffer
}

func (h flushingHandler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		h.buf.Flush()
	}
	return err
}

func (h flushingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushingHandler{h.Handler.WithAttrs(attrs), h.buf}
}

func (h flushingHandler) WithGroup(name string) slog.Handler {
	return flushingHandler{h.Handler.WithGroup(name), h.buf}
}

// bufferLog switches e's logger to a buffered one (see logBuffer) for a
// long-running server. Its timer is background work of bg; when bg stops,
// once everything registered after it is done (the database closed), what
// is left is written and the unbuffered logger restored.
func (e *env) bufferLog(bg *ops.Background) {
	unbuffered := e.log
	b := newLogBuffer(e.stderr)
	e.log = slog.New(flushingHandler{newLogger(e.environ, b).Handler(), b})
	bg.Go("log flusher", func(ctx context.Context) { b.flushEvery(ctx, logFlushEvery) })
	bg.AtStop(func() {
		b.Flush()
		e.log = unbuffered
	})
}

// envLookup returns the value of key among KEY=VALUE strings.
func envLookup(environ []string, key string) string {
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}
