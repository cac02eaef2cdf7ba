// Package ops is what operators of a Broadsheet site watch: /healthz (the
// process is alive), /readyz (the database answers and its schema is
// current) and Prometheus metrics at /metrics.
//
// Other parts of Broadsheet report through the Metrics value the
// composition root hands them: the page cache counts hits and misses in
// CacheHits and CacheMisses by cache name, background queues set
// QueueLength by queue name, the source poller counts PollErrors by
// source, and anything else registers its own collectors on Registry.
package ops

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/broadsheet/broadsheet/internal/store"
)

// Metrics holds Broadsheet's Prometheus metrics. Each serve process has its
// own registry (not Prometheus's global one), so several servers can run in
// one test binary.
type Metrics struct {
	// Registry is where every metric is registered; add your own with
	// Registry.MustRegister.
	Registry *prometheus.Registry
	// Requests counts HTTP requests by route pattern, method and status.
	Requests *prometheus.CounterVec
	// Latency measures how long requests took, by route pattern.
	Latency *prometheus.HistogramVec
	// CacheHits and CacheMisses count lookups by cache name ("page" …).
	CacheHits, CacheMisses *prometheus.CounterVec
	// QueueLength is the number of items waiting, by queue name.
	QueueLength *prometheus.GaugeVec
	// PollErrors counts failed polls of outside sources, by source.
	PollErrors *prometheus.CounterVec
	// Changes counts committed changes seen by this process, by origin:
	// "local" (made here) or "remote" (relayed from another process).
	Changes *prometheus.CounterVec
	// Jobs counts runs of background work by job name and result: "ran",
	// "skipped" (another process held the lease) or "failed".
	Jobs *prometheus.CounterVec

	routes  sync.Map // routeKey → *routeSeries
	nroutes atomic.Int64
}

// NewMetrics registers Broadsheet's metrics, with the Go runtime's and the
// process's, on a new registry.
func NewMetrics() *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{
		Registry: r,
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "broadsheet_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		Latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "broadsheet_http_request_duration_seconds", Help: "Time to answer HTTP requests, by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		CacheHits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "broadsheet_cache_hits_total", Help: "Cache lookups answered from the cache, by cache.",
		}, []string{"cache"}),
		CacheMisses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "broadsheet_cache_misses_total", Help: "Cache lookups that had to build the answer, by cache.",
		}, []string{"cache"}),
		QueueLength: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "broadsheet_queue_length", Help: "Items waiting in background queues, by queue.",
		}, []string{"queue"}),
		PollErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "broadsheet_poll_errors_total", Help: "Failed polls of outside sources, by source.",
		}, []string{"source"}),
		Changes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "broadsheet_changes_total", Help: "Committed changes seen, by origin (local or remote).",
		}, []string{"origin"}),
		Jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "broadsheet_jobs_total", Help: "Background job ticks by job and result (ran, skipped, failed).",
		}, []string{"job", "result"}),
	}
	r.MustRegister(m.Requests, m.Latency, m.CacheHits, m.CacheMisses, m.QueueLength, m.PollErrors, m.Changes, m.Jobs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Labels known in advance are shown at zero, so dashboards and alerts
	// see them before the first event.
	m.Changes.WithLabelValues("local")
	m.Changes.WithLabelValues("remote")
	m.CacheHits.WithLabelValues("page")
	m.CacheMisses.WithLabelValues("page")
	return m
}

// WatchDB counts db's changes and reports its connection pool.
func (m *Metrics) WatchDB(db *store.DB) {
	db.Subscribe(func(_ context.Context, c store.Change) {
		origin := "local"
		if c.Remote {
			origin = "remote"
		}
		m.Changes.WithLabelValues(origin).Inc()
	})
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	m.Registry.MustRegister(
		gauge("broadsheet_db_connections_open", "Open database connections.", func() float64 { return float64(db.Stats().OpenConnections) }),
		gauge("broadsheet_db_connections_in_use", "Database connections in use.", func() float64 { return float64(db.Stats().InUse) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "broadsheet_db_waits_total", Help: "Waits for a free database connection."},
			func() float64 { return float64(db.Stats().WaitCount) }),
		gauge("broadsheet_db_relay_listening", "1 when this process is receiving other processes' changes (PostgreSQL).", func() float64 {
			if db.Relaying() {
				return 1
			}
			return 0
		}),
	)
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// Middleware counts and times every request by the route pattern that
// served it (bounded, unlike raw paths) and its status.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		// The mux sets r.Pattern on this very request when it matches.
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		rm := m.routeMetrics(route, r.Method, sw.status)
		rm.requests.Inc()
		rm.latency.Observe(time.Since(start).Seconds())
	})
}

// routeKey names a request's series.
type routeKey struct {
	route, method string
	status        int
}

// routeSeries are the series of one routeKey, looked up once: finding
// them by label values hashes the values and takes the vector's lock,
// for every request, cached pages included.
type routeSeries struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

// maxRouteSeries bounds the remembered series: methods come from clients.
const maxRouteSeries = 1024

func (m *Metrics) routeMetrics(route, method string, status int) *routeSeries {
	k := routeKey{route, method, status}
	if rs, ok := m.routes.Load(k); ok {
		return rs.(*routeSeries)
	}
	rs := &routeSeries{
		requests: m.Requests.WithLabelValues(route, method, strconv.Itoa(status)),
		latency:  m.Latency.WithLabelValues(route),
	}
	if m.nroutes.Load() < maxRouteSeries {
		if _, loaded := m.routes.LoadOrStore(k, rs); !loaded {
			m.nroutes.Add(1)
		}
	}
	return rs
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
