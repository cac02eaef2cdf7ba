package admin_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestAPIUnavailableSaysWhenToRetry cuts the connection to PostgreSQL
// under the Admin API: calls answer 503 with a Retry-After header and a
// JSON error, as readers' pages do.
func TestAPIUnavailableSaysWhenToRetry(t *testing.T) {
	dsn, cut := storetest.Cuttable(t, storetest.DSN(t, "postgres"))
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e := newEnv(t, db)
	if status, _ := e.call("editor", "GET", "/api/v1/posts", nil); status != 200 {
		t.Fatalf("GET /api/v1/posts before the outage: %d", status)
	}
	cut()
	for _, c := range []struct{ method, path string }{{"GET", "/api/v1/posts"}, {"GET", "/api/v1/me"}, {"POST", "/api/v1/posts"}} {
		res, out := e.raw("editor", c.method, c.path, `{"title": "x"}`)
		if res.StatusCode != 503 || errorOf(out)["code"] != "service_unavailable" || !strings.Contains(errorOf(out)["message"].(string), "briefly unavailable") {
			t.Errorf("%s %s while the database is down: %d %v, want a 503 with a JSON error", c.method, c.path, res.StatusCode, out)

		}
		if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || s < 1 {
			t.Errorf("%s %s while the database is down: Retry-After %q, want a number of seconds", c.method, c.path, res.Header.Get("Retry-After"))
		}
	}
}
