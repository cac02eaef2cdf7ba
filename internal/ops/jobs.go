package ops

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/broadsheet/broadsheet/internal/store"
)

// Job is background work that, however many serve processes run, one of
// them at a time should do: publishing scheduled posts, polling sources,
// pinging feed hubs.
type Job struct {
	// Name names the job's lease and its metrics.
	Name string
	// Every is how often each process tries to run the job.
	Every time.Duration
	// TTL is how long a crashed holder keeps others waiting; default three
	// times Every, and at least ten seconds. A live holder renews it.
	TTL time.Duration
	// Run does the work once. It should stop when its context ends, which
	// happens when the process stops or the lease is lost.
	Run func(ctx context.Context) error
}

// RunJobs runs each job on its own timer until ctx ends. On each tick the
// process tries to take the job's lease (store.DB.WithLease) and runs the
// job only if it got it, so that across processes the job runs once per
// tick; if the holder dies mid-run, another process takes over when its
// lease runs out. Results are counted in m.Jobs by job and result.
func RunJobs(ctx context.Context, db *store.DB, holder string, m *Metrics, log *slog.Logger, jobs ...Job) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		if j.TTL == 0 {
			j.TTL = max(3*j.Every, 10*time.Second)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(j.Every)
			defer t.Stop()
			for {
				runJob(ctx, db, holder, m, log, j)
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}
	wg.Wait()
}

func runJob(ctx context.Context, db *store.DB, holder string, m *Metrics, log *slog.Logger, j Job) {
	ran, err := db.WithLease(ctx, j.Name, holder, j.TTL, j.Run)
	result := "ran"
	switch {
	case err != nil && ctx.Err() != nil:
		return // stopping: not the job's failure
	case err != nil:
		result = "failed"
		level := slog.LevelError
		if store.IsUnavailable(err) || errors.Is(err, store.ErrLeaseLost) {
			level = slog.LevelWarn // the database is away for now; the next tick retries
		}
		log.Log(ctx, level, "background job failed", "job", j.Name, "err", err)
	case !ran:
		result = "skipped"
	}
	if m != nil {
		m.Jobs.WithLabelValues(j.Name, result).Inc()
	}
}
