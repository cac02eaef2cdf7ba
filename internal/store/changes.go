package store

import (
	"context"
	"sync"

	"github.com/broadsheet/broadsheet/internal/readcache"
)

// Change tells subscribers what one committed transaction changed, so that
// caches, feeds' hub pings and search can follow without polling.
type Change struct {
	// Posts are the entries created, updated or deleted.
	Posts []int64
	// Published are the entries among Posts that are published after the
	// transaction and were not before it (newly public, or scheduled and
	// now due is the scheduler's affair).
	Published []int64
	// Site is true when settings, terms, users or aliases changed.
	Site bool
	// Remote is true for a change another process made, relayed to this
	// one (see DB.Relay). Caches follow every change. A relayed change has
	// no Published: work done once per publication, such as pinging a
	// feed hub, is done by the process that published.
	Remote bool
}

// Empty reports whether nothing changed.
func (c Change) Empty() bool { return len(c.Posts) == 0 && !c.Site }

// hub fans changes out to subscribers and followers.
type hub struct {
	mu        sync.RWMutex
	subs      []*subscriber
	followers []*Follower
}

// subscriber is one function given changes, and the lock that gives them
// one at a time: transactions commit, and the relay delivers, from many
// goroutines at once.
type subscriber struct {
	mu sync.Mutex
	fn func(context.Context, Change)
}

// Subscribe registers fn to be called, synchronously, after every committed
// transaction that changed something. Commits in several goroutines deliver
// their changes each from its own, but fn is never called again before it
// has returned, so it may keep what it saw of the last change (the page
// cache keeps the navigation it compares with) without a lock of its own;
// and what it reads from the database is never older than what it read for
// the change before. fn must not commit a transaction itself, nor wait on
// anything outside the process (a network call belongs in a Follower, see
// Follow): the writer that committed waits for it. Its context is the
// writer's without its cancellation, so an editor's request that ends as
// the change is delivered does not cut the subscriber's work short.
func (db *DB) Subscribe(fn func(ctx context.Context, c Change)) {
	db.hub.mu.Lock()
	db.hub.subs = append(db.hub.subs, &subscriber{fn: fn})
	db.hub.mu.Unlock()
}

// Publish delivers c to the subscribers, as if a transaction had committed
// it; used to relay changes made by other processes. Subscribers are called
// before Publish returns, with ctx stripped of its cancellation; followers
// are handed c and called later from their own goroutine.
func (db *DB) Publish(ctx context.Context, c Change) {
	if c.Empty() {
		return
	}
	db.caches.owner.Apply(readcache.Change{Posts: c.Posts, Site: c.Site})
	ctx = context.WithoutCancel(ctx)
	db.hub.mu.RLock()
	subs, followers := db.hub.subs, db.hub.followers
	db.hub.mu.RUnlock()
	for _, s := range subs {
		s.deliver(ctx, c)
	}
	for _, f := range followers {
		f.push(ctx, c)
	}
}

func (s *subscriber) deliver(ctx context.Context, c Change) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fn(ctx, c)
}

// Follow registers fn to be given every committed change, in commit order,
// from the returned Follower's own goroutine (see Follower.Run) rather than
// the writer's: for work that may wait, such as telling a feed hub over the
// network. A follower that is slow or stuck never holds a commit, and it is
// never given two changes at once.
func (db *DB) Follow(fn func(ctx context.Context, c Change)) *Follower {
	f := &Follower{fn: fn, wake: make(chan struct{}, 1)}
	f.cond = sync.NewCond(&f.mu)
	db.hub.mu.Lock()
	db.hub.followers = append(db.hub.followers, f)
	db.hub.mu.Unlock()
	return f
}

// Follower is an ordered queue of committed changes and the function that
// follows them (see DB.Follow). Run drains it; Flush waits until it is
// empty; Close delivers what is left and stops taking changes.
type Follower struct {
	fn   func(context.Context, Change)
	wake chan struct{}

	mu         sync.Mutex
	cond       *sync.Cond // signalled when a delivery ends
	queue      []queued
	delivering bool // a change is being given to fn
	closed     bool
}

// queued is a change and the context of the writer that committed it,
// without its cancellation: what the writer's context carries (a request's
// values) travels with the change, while its end does not cut the work.
type queued struct {
	ctx context.Context
	c   Change
}

func (f *Follower) push(ctx context.Context, c Change) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return
	}
	f.queue = append(f.queue, queued{ctx, c})
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Run delivers the changes queued, one at a time and in commit order,
// until ctx ends; it then delivers those committed before it ended and
// returns. A delivery under way when ctx ends is not cut short.
func (f *Follower) Run(ctx context.Context) {
	for {
		f.drain()
		select {
		case <-ctx.Done():
			f.drain()
			return
		case <-f.wake:
		}
	}
}

// Flush returns once every change committed before it was called has been
// delivered. When nothing runs the follower, Flush delivers them itself.
func (f *Follower) Flush() { f.drain() }

// Close delivers what is still queued and stops taking changes: what
// commits afterwards is not followed. Call it once nothing writes any more.
func (f *Follower) Close() {
	f.drain()
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
}

// drain delivers queued changes until none is left nor being delivered.
// Whichever goroutine drains (Run, or a caller of Flush), fn is given one
// change at a time, in the order of the queue.
func (f *Follower) drain() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		for f.delivering {
			f.cond.Wait()
		}
		if len(f.queue) == 0 {
			return
		}
		q := f.queue[0]
		f.queue[0] = queued{}
		f.queue = f.queue[1:]
		f.delivering = true
		f.mu.Unlock()
		func() {
			defer func() {
				f.mu.Lock()
				f.delivering = false
				f.cond.Broadcast()
			}()
			f.fn(q.ctx, q.c)
		}()
	}
}

func (tx *Tx) touchPost(id int64, nowPublished, wasPublished bool) {
	tx.change.Posts = append(tx.change.Posts, id)
	if nowPublished && !wasPublished {
		tx.change.Published = append(tx.change.Published, id)
	}
}

func (tx *Tx) touchSite() { tx.change.Site = true }
