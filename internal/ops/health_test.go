package ops_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/ops"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
	"github.com/broadsheet/broadsheet/internal/web"
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

// TestMetricsBehindAProxy serves /metrics to a scraper on this machine but
// not to a reader a trusted proxy on this machine relays, nor to one that
// claims, from elsewhere, to be this machine.
func TestMetricsBehindAProxy(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	mux := http.NewServeMux()
	ops.Routes(mux, db, ops.NewMetrics(), "")
	h := web.Clients(web.Trust{Proxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})(mux)
	for _, c := range []struct {
		remote, xff string
		want        int
	}{
		{"127.0.0.1:5000", "", 200},
		{"127.0.0.1:5000", "203.0.113.9", 403},
		{"203.0.113.9:5000", "127.0.0.1", 403},
	} {
		r := httptest.NewRequest("GET", "/metrics", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != c.want {
			t.Errorf("from %s, X-Forwarded-For %q: %d, want %d", c.remote, c.xff, w.Code, c.want)
		}
	}
}
