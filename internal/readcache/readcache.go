// Package readcache owns what Broadsheet remembers of its read model
// between changes: the store's counts, listings' pages, posts' pages,
// searches and stamps, and the site's rendered parts and fragments.
//
// One owner (Caches) holds every cache, and one path forgets what a change
// makes stale: Caches.Apply, which the store calls where it publishes a
// committed or relayed change. Nothing else drops or bumps anything, so a
// cache added here cannot be forgotten by an invalidation written
// elsewhere.
//
// What a cache hands out is the caller's own: a Map copies each value on
// the way in and on the way out (Options.Copy), and the fragments it keeps
// are immutable (rendered HTML and values their users never change), so a
// caller changing what it was given changes nothing the next caller reads.
package readcache

import (
	"sync"
	"sync/atomic"
	"time"
)

// Change is what one committed change touched, as the caches need it.
type Change struct {
	// Posts are the entries created, updated or deleted.
	Posts []int64
	// Site is true when settings, terms, users or aliases changed: what
	// every page shows.
	Site bool
}

// Caches is the owner of every read-model cache of one database. Values
// read before a change are never kept after it: each put names the
// generation read before reading (Generation), and Apply moves to the next
// one before it drops anything.
type Caches struct {
	mu   sync.Mutex // serialises Apply and SetSpan
	gen  atomic.Uint64
	span atomic.Pointer[span]

	regMu     sync.Mutex
	followers []follower
}

// follower is a cache the owner drops entries of.
type follower interface {
	// apply forgets what ch makes stale; spanOnly: only what holds for
	// the span being replaced.
	apply(ch Change, spanOnly bool)
}

// span is an interval of Unix seconds [from, until) in which no post
// becomes public: every "published before" instant in it selects the same
// posts. until 0: nothing is scheduled.
type span struct{ from, until int64 }

// New returns an owner without caches; NewMap and NewFragments add them.
func New() *Caches { return &Caches{} }

func (c *Caches) register(f follower) {
	c.regMu.Lock()
	c.followers = append(c.followers, f)
	c.regMu.Unlock()
}

// Generation is read before reading what will be kept: a put with an
// older generation keeps nothing.
func (c *Caches) Generation() uint64 { return c.gen.Load() }

// Apply forgets what ch makes stale, in every cache: the one invalidation
// path. A change to posts drops the store's reads and those posts'
// fragments; a change to the site drops every fragment too. Parts kept
// under keys that name everything they show (Options.Lasting) stay.
func (c *Caches) Apply(ch Change) {
	if len(ch.Posts) == 0 && !ch.Site {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen.Add(1)
	c.span.Store(nil)
	for _, f := range c.snapshot() {
		f.apply(ch, false)
	}
}

func (c *Caches) snapshot() []follower {
	c.regMu.Lock()
	defer c.regMu.Unlock()
	return c.followers
}

// Span returns the start of the span without publications remembered, if
// it holds t.
func (c *Caches) Span(t time.Time) (from time.Time, ok bool) {
	s := c.span.Load()
	if s == nil || !s.holds(t.Unix()) {
		return time.Time{}, false
	}
	return time.Unix(s.from, 0).UTC(), true
}

// Holds reports whether the span remembered holds t.
func (c *Caches) Holds(t time.Time) bool {
	s := c.span.Load()
	return s != nil && s.holds(t.Unix())
}

func (s *span) holds(u int64) bool { return u >= s.from && (s.until == 0 || u < s.until) }

// SetSpan remembers the span [from, until) (until zero: without end),
// read in generation gen, unless a change came since. Replacing another
// span drops what was kept for it (Options.Span).
func (c *Caches) SetSpan(from, until time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen.Load() != gen {
		return // a change landed meanwhile: decide next time
	}
	s := &span{from: from.Unix()}
	if !until.IsZero() {
		s.until = until.Unix()
	}
	if c.span.Load() != nil {
		c.gen.Add(1)
		c.span.Store(s)
		for _, f := range c.snapshot() {
			f.apply(Change{}, true)
		}
		return
	}
	c.span.Store(s)
}

// Options configure a Map.
type Options[V any] struct {
	// Max bounds the entries; when full, any one goes before another comes.
	Max int
	// Span: what is kept holds for the span only, and goes when another
	// span replaces it.
	Span bool
	// Lasting: the key names everything the value shows, so no change
	// makes it stale and Apply keeps it.
	Lasting bool
	// Copy returns a copy of a value that shares nothing a caller may
	// change (nil for values that hold no pointers, slices or maps).
	Copy func(V) V
}

// Map is one typed cache of an owner: bounded, copying in and out, and
// emptied by the owner's Apply.
type Map[K comparable, V any] struct {
	owner *Caches
	opt   Options[V]

	mu sync.Mutex
	m  map[K]V
}

// NewMap adds a map to c. A nil owner gives a nil Map, which keeps
// nothing.
func NewMap[K comparable, V any](c *Caches, opt Options[V]) *Map[K, V] {
	if c == nil {
		return nil
	}
	m := &Map[K, V]{owner: c, opt: opt}
	c.register(m)
	return m
}

func (m *Map[K, V]) apply(_ Change, spanOnly bool) {
	if m.opt.Lasting || spanOnly && !m.opt.Span {
		return
	}
	m.mu.Lock()
	m.m = nil
	m.mu.Unlock()
}

func (m *Map[K, V]) copied(v V) V {
	if m.opt.Copy == nil {
		return v
	}
	return m.opt.Copy(v)
}

// Get returns a copy of what is kept under key, the generation to put
// what is read otherwise with, and whether it was there; for a value that
// holds for a span only (now not zero), whether the span remembered holds
// now too.
func (m *Map[K, V]) Get(key K, now time.Time) (V, uint64, bool) {
	var zero V
	if m == nil {
		return zero, 0, false
	}
	gen := m.owner.Generation()
	m.mu.Lock()
	v, ok := m.m[key]
	m.mu.Unlock()
	if !ok || !now.IsZero() && !m.owner.Holds(now) {
		return zero, gen, false
	}
	return m.copied(v), gen, true
}

// Take is Get for what is kept for one reader: what it returns is no
// longer kept.
func (m *Map[K, V]) Take(key K, now time.Time) (V, bool) {
	var zero V
	if m == nil {
		return zero, false
	}
	m.mu.Lock()
	v, ok := m.m[key]
	if ok {
		delete(m.m, key)
	}
	m.mu.Unlock()
	if !ok || !now.IsZero() && !m.owner.Holds(now) {
		return zero, false
	}
	return v, true // taken: no one else has it
}

// Put keeps a copy of v under key, read at now (zero for what does not
// depend on the span), unless a change or another span came since gen
// was read.
func (m *Map[K, V]) Put(key K, v V, gen uint64, now time.Time) {
	if m == nil {
		return
	}
	v = m.copied(v)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.owner.Generation() != gen || !now.IsZero() && !m.owner.Holds(now) {
		return
	}
	m.put(key, v)
}

// Give is Put for a value handed over whole: the caller keeps no
// reference to it, so it is not copied.
func (m *Map[K, V]) Give(key K, v V, gen uint64, now time.Time) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.owner.Generation() != gen || !now.IsZero() && !m.owner.Holds(now) {
		return
	}
	m.put(key, v)
}

// put keeps v; m.mu is held.
func (m *Map[K, V]) put(key K, v V) {
	if m.m == nil {
		m.m = map[K]V{}
	}
	if _, ok := m.m[key]; !ok && m.opt.Max > 0 && len(m.m) >= m.opt.Max {
		for old := range m.m { // one out, any
			delete(m.m, old)
			break
		}
	}
	m.m[key] = v
}

// Delete forgets key.
func (m *Map[K, V]) Delete(key K) {
	if m == nil {
		return
	}
	m.mu.Lock()
	delete(m.m, key)
	m.mu.Unlock()
}

// Clear forgets everything the map keeps (a reader no longer reading
// ahead, say); changes go through the owner's Apply.
func (m *Map[K, V]) Clear() {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.m = nil
	m.mu.Unlock()
}

// Len is the number of entries kept.
func (m *Map[K, V]) Len() int {
	if m == nil {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.m)
}

// Generation is the owner's (Caches.Generation).
func (m *Map[K, V]) Generation() uint64 {
	if m == nil {
		return 0
	}
	return m.owner.Generation()
}
