package store

import (
	"context"
	"sync"
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

// hub fans changes out to subscribers.
type hub struct {
	mu   sync.RWMutex
	subs []*subscriber
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
// the change before. fn must not commit a transaction itself.
func (db *DB) Subscribe(fn func(ctx context.Context, c Change)) {
	db.hub.mu.Lock()
	db.hub.subs = append(db.hub.subs, &subscriber{fn: fn})
	db.hub.mu.Unlock()
}

// Publish delivers c to the subscribers, as if a transaction had committed
// it; used to relay changes made by other processes.
func (db *DB) Publish(ctx context.Context, c Change) {
	if c.Empty() {
		return
	}
	db.counts.forget()
	db.hub.mu.RLock()
	subs := db.hub.subs
	db.hub.mu.RUnlock()
	for _, s := range subs {
		s.deliver(ctx, c)
	}
}

func (s *subscriber) deliver(ctx context.Context, c Change) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fn(ctx, c)
}

func (tx *Tx) touchPost(id int64, nowPublished, wasPublished bool) {
	tx.change.Posts = append(tx.change.Posts, id)
	if nowPublished && !wasPublished {
		tx.change.Published = append(tx.change.Published, id)
	}
}

func (tx *Tx) touchSite() { tx.change.Site = true }
