package ops_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/ops"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

func TestMetricsAreNotPublic(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	for _, c := range []struct {
		token, remote, auth string
		want                int
	}{
		{"", "127.0.0.1:5000", "", 200},
		{"", "[::1]:5000", "", 200},
		{"", "203.0.113.9:5000", "", 403},
		{"s3cret", "203.0.113.9:5000", "", 401},
		{"s3cret", "127.0.0.1:5000", "Bearer wrong", 401},
		{"s3cret", "203.0.113.9:5000", "Bearer s3cret", 200},
	} {
		mux := http.NewServeMux()
		ops.Routes(mux, db, ops.NewMetrics(), c.token)
		r := httptest.NewRequest("GET", "/metrics", nil)
		r.RemoteAddr = c.remote
		if c.auth != "" {
			r.Header.Set("Authorization", c.auth)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		if w.Code != c.want {
			t.Errorf("token %q, from %s, %q: %d, want %d", c.token, c.remote, c.auth, w.Code, c.want)
		}
		if w.Code == 200 && !strings.Contains(w.Body.String(), "broadsheet_http_requests_total") && !strings.Contains(w.Body.String(), "go_goroutines") {
			t.Errorf("metrics page: %.200q", w.Body.String())
		}
	}
}

func TestReadyzSaysWhenTheDatabaseIsGone(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	mux := http.NewServeMux()
	ops.Routes(mux, db, ops.NewMetrics(), "")
	get := func(path string) (int, string) {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		return w.Code, w.Body.String()
	}
	if code, body := get("/readyz"); code != 200 || !strings.Contains(body, "ready: sqlite database answering, schema version") {
		t.Errorf("/readyz: %d %q", code, body)
	}
	db.Close()
	if code, body := get("/readyz"); code != 503 || body != "not ready: the sqlite database does not answer\n" {
		t.Errorf("/readyz with the database closed: %d %q", code, body)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("/healthz with the database closed: %d, want 200", code)
	}
}
