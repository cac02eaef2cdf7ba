package ops

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
)

// Routes registers /healthz, /readyz and /metrics on mux. Metrics tell
// outsiders more than a public site should, so /metrics answers only
// requests bearing token (Authorization: Bearer TOKEN) when one is set,
// and otherwise only requests from this machine (a scraper on the loopback
// address; not a reader relayed by a trusted proxy, see web.Clients).
func Routes(mux *http.ServeMux, db *store.DB, m *Metrics, token string) {
	mux.HandleFunc("GET /healthz", Healthz)
	mux.Handle("GET /readyz", Readyz(db))
	mux.Handle("GET /metrics", guard(token, m.Handler()))
}

func guard(token string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
				http.Error(w, "metrics need the token set in BROADSHEET_METRICS_TOKEN", http.StatusUnauthorized)
				return
			}
		} else if !web.ClientOf(r).Addr.IsLoopback() {
			// The client as web.Clients decided: a request relayed by a
			// trusted proxy on this machine is from its client, not from
			// here.
			http.Error(w, "metrics are served to this machine only; set BROADSHEET_METRICS_TOKEN to scrape them from elsewhere", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Healthz answers 200 while the process can answer at all: a load balancer
// or supervisor restarts a process that stops answering it.
func Healthz(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	fmt.Fprintln(w, "ok")
}

// Readyz answers 200 when the database answers and has every migration
// this program expects, and 503 naming what is wrong otherwise, so a load
// balancer sends readers only to processes that can serve them.
func Readyz(db *store.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		noStore(w)
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		// The causes go to the log, not to whoever asks: they may name
		// hosts and users.
		if err := db.Ping(ctx); err != nil {
			http.Error(w, fmt.Sprintf("not ready: the %s database does not answer", db.Engine()), http.StatusServiceUnavailable)
			return
		}
		pending, err := db.PendingMigrations(ctx)
		if err != nil {
			http.Error(w, fmt.Sprintf("not ready: cannot read the %s database's schema version", db.Engine()), http.StatusServiceUnavailable)
			return
		}
		if len(pending) > 0 {
			http.Error(w, fmt.Sprintf("not ready: the %s database lacks migrations %v; restart a serve process to apply them", db.Engine(), pending), http.StatusServiceUnavailable)
			return
		}
		applied, _, _ := db.SchemaVersion(ctx)
		fmt.Fprintf(w, "ready: %s database answering, schema version %d\n", db.Engine(), applied)
	})
}

func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
}
