package ops

import (
	"context"
	"log/slog"
	"sync"
)

// Background owns a process's background work: the goroutines it starts
// (Go) and what must be done once they have all returned (AtStop). Stop
// ends them in one order, always the same: it cancels their context,
// waits for every one to return, then runs the stop hooks newest first,
// so what was set up first (the database) is closed last, after all that
// used it.
type Background struct {
	ctx    context.Context
	cancel context.CancelFunc
	log    *slog.Logger

	mu      sync.Mutex
	wg      sync.WaitGroup
	hooks   []func()
	stopped bool
}

// NewBackground returns an owner whose work runs until ctx ends or Stop is
// called. log names a job whose function panics (nil: slog's default).
func NewBackground(ctx context.Context, log *slog.Logger) *Background {
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(ctx)
	return &Background{ctx: ctx, cancel: cancel, log: log}
}

// Go runs fn in its own goroutine with a context that ends when Stop is
// called; Stop waits for it to return. name identifies it in the log.
// After Stop, Go does nothing.
func (b *Background) Go(name string, fn func(ctx context.Context)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		b.log.Warn("background work started after stopping; not run", "job", name)
		return
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer func() {
			if p := recover(); p != nil {
				b.log.Error("background work panicked", "job", name, "panic", p)
			}
		}()
		fn(b.ctx)
	}()
}

// AtStop registers fn to be run by Stop once every goroutine started by Go
// has returned; hooks run newest first. After Stop, fn runs at once.
func (b *Background) AtStop(fn func()) {
	b.mu.Lock()
	if b.stopped {
		b.mu.Unlock()
		fn()
		return
	}
	b.hooks = append(b.hooks, fn)
	b.mu.Unlock()
}

// Stop cancels the work's context, waits for every goroutine to return,
// and runs the stop hooks, newest first. Calling it again does nothing.
func (b *Background) Stop() {
	b.mu.Lock()
	if b.stopped {
		b.mu.Unlock()
		return
	}
	b.stopped = true
	b.mu.Unlock()
	b.cancel()
	b.wg.Wait()
	b.mu.Lock()
	hooks := b.hooks
	b.hooks = nil
	b.mu.Unlock()
	for i := len(hooks) - 1; i >= 0; i-- {
		hooks[i]()
	}
}
