package ops_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/broadsheet/broadsheet/internal/ops"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestJobsRunInOneProcessAtATime runs one job in two processes' runners on
// one database: the job never runs in both at once, and when the process
// doing it stops mid-run, the other carries on.
func TestJobsRunInOneProcessAtATime(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := storetest.DSN(t, engine)
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			var (
				active, overlaps atomic.Int32
				mu               sync.Mutex
				runsBy           = map[string]int{}
				hold             bool
				held             = make(chan string, 1)
			)
			job := func(name string) ops.Job {
				return ops.Job{Name: "scheduler", Every: 5 * time.Millisecond, TTL: 2 * time.Second,
					Run: func(ctx context.Context) error {
						if active.Add(1) > 1 {
							overlaps.Add(1)
						}
						defer active.Add(-1)
						mu.Lock()
						runsBy[name]++
						holding := hold
						hold = false
						mu.Unlock()
						if holding { // a poll that hangs until its process stops
							held <- name
							<-ctx.Done()
							return ctx.Err()
						}
						select { // a poll taking a while
						case <-ctx.Done():
						case <-time.After(10 * time.Millisecond):
						}
						return nil
					}}
			}
			type proc struct {
				stop context.CancelFunc
				done chan struct{}
				m    *ops.Metrics
			}
			start := func(name string) proc {
				db, err := store.Open(context.Background(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				ctx, cancel := context.WithCancel(context.Background())
				p := proc{stop: cancel, done: make(chan struct{}), m: ops.NewMetrics()}
				go func() {
					defer close(p.done)
					ops.RunJobs(ctx, db, name, p.m, log, job(name))
				}()
				return p
			}
			a, b := start("a"), start("b")
			runs := func(name string) int {
				mu.Lock()
				defer mu.Unlock()
				return runsBy[name]
			}
			waitUntil(t, func() bool { return runs("a")+runs("b") >= 20 })
			// Stop the process working now, in the middle of a run.
			mu.Lock()
			hold = true
			mu.Unlock()
			first, second, secondName := a, b, "b"
			if <-held == "b" {
				first, second, secondName = b, a, "a"
			}
			first.stop()
			<-first.done
			before := runs(secondName)
			waitUntil(t, func() bool { return runs(secondName) >= before+5 })
			second.stop()
			<-second.done
			if n := overlaps.Load(); n != 0 {
				t.Errorf("the job ran in both processes at once %d times", n)
			}
			skipped := testutil.ToFloat64(a.m.Jobs.WithLabelValues("scheduler", "skipped")) + testutil.ToFloat64(b.m.Jobs.WithLabelValues("scheduler", "skipped"))
			ran := testutil.ToFloat64(a.m.Jobs.WithLabelValues("scheduler", "ran")) + testutil.ToFloat64(b.m.Jobs.WithLabelValues("scheduler", "ran"))
			// The run cut short by its process stopping is neither a run
			// nor a failure.
			if int(ran) != runs("a")+runs("b")-1 || skipped == 0 {
				t.Errorf("metrics count %v runs and %v skipped ticks; want %d runs and some skipped", ran, skipped, runs("a")+runs("b")-1)
			}
		})
	}
}

func waitUntil(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("gave up waiting")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestMetricsPageNamesWhatItCounts(t *testing.T) {
	m := ops.NewMetrics()
	m.CacheHits.WithLabelValues("page").Add(3)
	m.QueueLength.WithLabelValues("hub-pings").Set(2)
	m.PollErrors.WithLabelValues("reuters").Inc()
	want := `
# HELP broadsheet_poll_errors_total Failed polls of outside sources, by source.
# TYPE broadsheet_poll_errors_total counter
broadsheet_poll_errors_total{source="reuters"} 1
`
	if err := testutil.GatherAndCompare(m.Registry, strings.NewReader(want), "broadsheet_poll_errors_total"); err != nil {
		t.Error(err)
	}
	if got := testutil.ToFloat64(m.CacheHits.WithLabelValues("page")); got != 3 {
		t.Errorf("cache hits %v, want 3", got)
	}
}
