package app

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/broadsheet/broadsheet/internal/ops"
)

// recordedLog is a slog.Handler keeping every record.
type recordedLog struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *recordedLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *recordedLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *recordedLog) WithGroup(string) slog.Handler            { return l }
func (l *recordedLog) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r.Clone())
	return nil
}

// attrs returns the attributes of the records with message msg.
func (l *recordedLog) attrs(msg string) []map[string]slog.Value {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]slog.Value
	for _, r := range l.records {
		if r.Message != msg {
			continue
		}
		m := map[string]slog.Value{}
		r.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value; return true })
		out = append(out, m)
	}
	return out
}

// TestPanickedRequestIsLogged sends a request to a handler that panics,
// wrapped in serve's middleware: it answers 500, the panic is logged, and
// so is the request, with its status, path and duration.
func TestPanickedRequestIsLogged(t *testing.T) {
	rec := &recordedLog{}
	e := &env{log: slog.New(rec), metrics: ops.NewMetrics()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /boom/{x}", func(http.ResponseWriter, *http.Request) {
		var m map[string]int
		m["x"]++ // a nil map: a bug, as a panic in a handler would be
	})
	srv := httptest.NewServer(e.middleware(mux))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/boom/1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("a panicking handler answered %s, want 500", resp.Status)
	}
	if n := len(rec.attrs("panic")); n != 1 {
		t.Errorf("%d panic records, want 1", n)
	}
	reqs := rec.attrs("request")
	if len(reqs) != 1 {
		t.Fatalf("%d request records for the panicked request, want 1", len(reqs))
	}
	r := reqs[0]
	if r["status"].Int64() != 500 || r["path"].String() != "/boom/1" || r["method"].String() != "GET" {
		t.Errorf("the request record says %v %v %v, want GET /boom/1 500", r["method"], r["path"], r["status"])
	}
	if d, ok := r["duration"]; !ok || d.Kind() != slog.KindDuration {
		t.Errorf("the request record has no duration: %v", r)
	}
}
