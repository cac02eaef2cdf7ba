package ops

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/broadsheet/broadsheet/internal/store"
)

// Routes registers /healthz, /readyz and /metrics on mux.
func Routes(mux *http.ServeMux, db *store.DB, m *Metrics) {
	mux.HandleFunc("GET /healthz", Healthz)
	mux.Handle("GET /readyz", Readyz(db))
	mux.Handle("GET /metrics", m.Handler())
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
		if err := db.Ping(ctx); err != nil {
			http.Error(w, fmt.Sprintf("not ready: the %s database does not answer: %v", db.Engine(), err), http.StatusServiceUnavailable)
			return
		}
		pending, err := db.PendingMigrations(ctx)
		if err != nil {
			http.Error(w, fmt.Sprintf("not ready: cannot read the %s database's schema version: %v", db.Engine(), err), http.StatusServiceUnavailable)
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
