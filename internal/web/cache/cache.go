// Package cache is Broadsheet's full-page cache for anonymous readers.
//
// Rendered responses (200, 301 and 404) are kept in memory within a bound in
// bytes, compressed once with gzip and brotli, and served by Accept-Encoding
// with ETag and Last-Modified validators and 304s. Entries are dropped
// exactly when the content they show changes: handlers declare while they
// render what a page depends on (Depend, Shows, Mentions), and the cache
// subscribes to the store's changes (store.DB.Subscribe) to drop the pages
// carrying the tags a change touches. Changes relayed from other processes
// arrive through the same subscription, so several servers over one
// database stay correct.
//
// A request carrying the session cookie, an Authorization header or a query
// string is never answered from the cache, and a response that sets a
// cookie or asks not to be stored is never kept.
package cache

import (
	"bytes"
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
)

// SessionCookie is the name of the cookie of a logged-in editor: a request
// carrying it is never served from, nor stored in, the cache.
const SessionCookie = "broadsheet_session"

// PostPassCookiePrefix starts the names of the cookies that open
// password-protected posts (one a post): a request carrying one is
// answered by the site, which shows those posts to it alone.
const PostPassCookiePrefix = "broadsheet_postpass_"

// Options configure a Cache.
type Options struct {
	DB *store.DB
	// MaxBytes bounds the memory held by entries, compressed copies
	// included. It must be positive.
	MaxBytes int64
	// Bypass lists path prefixes never cached (the admin, the API, static
	// files, which have their own caching).
	Bypass []string
	// Listings names the tags (each starting with ListPrefix) of every
	// listing a public post appears in, as the site's pages of those
	// listings carry them: a change to the post drops their pages. Required.
	Listings func(*content.Post) []string
	Log      *slog.Logger
	Now      func() time.Time // default: the store's clock
}

// DefaultBypass are the path prefixes a site never caches: the admin and
// its API, files with caching of their own (static assets, media), and the
// operations endpoints, which must tell the truth now.
var DefaultBypass = []string{"/admin", "/api/", "/static/", "/media/", "/metrics", "/healthz", "/readyz"}

// Cache is a full-page cache; its Handler wraps the site.
type Cache struct {
	opt      Options
	maxEntry int

	mu      sync.Mutex
	entries map[string]*entry
	lru     list.List // front: most recently used
	byTag   map[string]map[*entry]struct{}
	size    int64
	seen    map[int64][]string // post → its listings when last seen
	flights map[string]chan struct{}

	// nav names the navigation's categories when last seen. Only onChange
	// uses it, and the store gives onChange one change at a time.
	nav string

	gen     atomic.Uint64 // bumped by every invalidation
	nextDue atomic.Int64  // Unix time a scheduled post goes public; 0: none
	dueMu   sync.Mutex

	hits, misses, bypasses atomic.Int64
}

// maxPrecise is the most posts a change may touch for the cache to work
// out their pages; a larger change drops every page.
const maxPrecise = 64

// maxSeen bounds the posts whose listings the cache remembers; beyond it
// the memory is forgotten and changes to unknown posts drop all listings.
const maxSeen = 50000

type entry struct {
	key      string
	pattern  string // the route that rendered it, for metrics of hits
	status   int
	header   []headerField // what serve sets, but the cache's status and the body's length
	raw      []byte
	gz, br   []byte
	etag     []string
	modified time.Time
	lastMod  []string
	lengths  [3][]string // Content-Length of raw, gz, br
	tags     []string
	size     int64
	elem     *list.Element
}

// New returns a cache over db's content, subscribed to its changes.
func New(ctx context.Context, opt Options) *Cache {
	if opt.Listings == nil {
		panic("cache: Options.Listings is required: without it the cache cannot tell which listings a change drops")
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = func() time.Time { return opt.DB.Now() }
	}
	if opt.Bypass == nil {
		opt.Bypass = DefaultBypass
	}
	c := &Cache{
		opt:      opt,
		maxEntry: int(min(max(opt.MaxBytes/8, 64<<10), 16<<20)),
		entries:  map[string]*entry{},
		byTag:    map[string]map[*entry]struct{}{},
		seen:     map[int64][]string{},
		flights:  map[string]chan struct{}{},
	}
	c.nav = c.loadNav(ctx)
	c.scheduleNext(ctx)
	opt.DB.Subscribe(c.onChange)
	return c
}

// Stats are the cache's counters.
type Stats struct {
	Hits, Misses, Bypasses int64
	Entries                int
	Bytes                  int64
}

// Stats returns the cache's counters.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stats{Hits: c.hits.Load(), Misses: c.misses.Load(), Bypasses: c.bypasses.Load(),
		Entries: len(c.entries), Bytes: c.size}
}

// cacheable reports whether r may be answered from the cache.
func (c *Cache) cacheable(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if r.URL.RawQuery != "" || r.Header.Get("Authorization") != "" || r.Header.Get("Range") != "" {
		return false
	}
	if _, err := r.Cookie(SessionCookie); err == nil {
		return false
	}
	if strings.Contains(r.Header.Get("Cookie"), PostPassCookiePrefix) {
		return false
	}
	for _, p := range c.opt.Bypass {
		if strings.HasPrefix(r.URL.Path, p) {
			return false
		}
	}
	return true
}

// appendKey appends r's cache key, its absolute address, to b: built in
// the caller's buffer, a hit's lookup allocates nothing.
func appendKey(b []byte, r *http.Request) []byte {
	if r.TLS != nil {
		b = append(b, "https://"...)
	} else {
		b = append(b, "http://"...)
	}
	b = append(b, r.Host...)
	if r.URL.RawPath == "" && r.URL.RawQuery == "" && r.URL.Opaque == "" && r.URL.Path != "" && !r.URL.ForceQuery {
		// RequestURI's answer without building it, for a path it would
		// not escape.
		for i := 0; i < len(r.URL.Path); i++ {
			if c := r.URL.Path[i]; !plainPathByte(c) {
				return append(b, r.URL.RequestURI()...)
			}
		}
		return append(b, r.URL.Path...)
	}
	return append(b, r.URL.RequestURI()...)
}

// plainPathByte reports whether c stands for itself in an escaped path.
func plainPathByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '/' || c == '-' || c == '_' || c == '.' || c == '~'
}

// Handler serves cacheable requests from the cache and stores what next
// renders for them.
func (c *Cache) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !c.cacheable(r) {
			c.bypasses.Add(1)
			next.ServeHTTP(w, r)
			return
		}
		if due := c.nextDue.Load(); due != 0 && c.opt.Now().Unix() >= due {
			c.publishDue(r.Context())
		}
		var kb [256]byte
		kbuf := appendKey(kb[:0], r)
		c.mu.Lock()
		e := c.entries[string(kbuf)]
		if e != nil {
			c.hit(w, r, e)
			return
		}
		c.mu.Unlock()
		k := string(kbuf)
		for attempt := 0; ; attempt++ {
			c.mu.Lock()
			e := c.entries[k]
			if e != nil {
				c.hit(w, r, e)
				return
			}
			// Many readers asking at once for a page just dropped wait for
			// the first one's rendering instead of all rendering it.
			wait, busy := c.flights[k]
			if !busy || attempt > 0 || r.Method != http.MethodGet {
				if !busy && r.Method == http.MethodGet {
					c.flights[k] = make(chan struct{})
					defer c.land(k)
				}
				c.mu.Unlock()
				break
			}
			c.mu.Unlock()
			select {
			case <-wait:
			case <-r.Context().Done():
				return
			}
		}
		c.misses.Add(1)
		c.fill(w, r, k, next)
	})
}

// hit answers r with e, found while holding c.mu, which it releases.
func (c *Cache) hit(w http.ResponseWriter, r *http.Request, e *entry) {
	c.lru.MoveToFront(e.elem)
	c.mu.Unlock()
	c.hits.Add(1)
	// Outer middleware (metrics) reads the route from the request.
	r.Pattern = e.pattern
	c.serve(w, r, e, "hit")
}

func (c *Cache) land(k string) {
	c.mu.Lock()
	if ch, ok := c.flights[k]; ok {
		close(ch)
		delete(c.flights, k)
	}
	c.mu.Unlock()
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// fill renders r with next and keeps the response when it may be kept.
func (c *Cache) fill(w http.ResponseWriter, r *http.Request, k string, next http.Handler) {
	gen := c.gen.Load()
	rec := &recorder{listings: c.opt.Listings}
	cw := &capture{w: w, limit: c.maxEntry, buf: bufPool.Get().(*bytes.Buffer)}
	cw.buf.Reset()
	defer func() {
		if cw.buf != nil {
			bufPool.Put(cw.buf)
		}
	}()
	inner := r.WithContext(context.WithValue(r.Context(), ctxKey{}, rec))
	next.ServeHTTP(cw, inner)
	r.Pattern = inner.Pattern // the route, for outer middleware
	if cw.passthrough {
		return // too large to keep; already sent
	}
	if !cw.wroteHeader {
		cw.status = http.StatusOK
	}
	h := w.Header()
	keep := r.Method == http.MethodGet && (cw.status == http.StatusOK || cw.status == http.StatusMovedPermanently ||
		cw.status == http.StatusNotFound) && len(h.Values("Set-Cookie")) == 0 && h.Get("Content-Encoding") == ""
	if cc := h.Get("Cache-Control"); strings.Contains(cc, "no-store") || strings.Contains(cc, "private") {
		keep = false
	}
	if !keep {
		w.WriteHeader(cw.status)
		w.Write(cw.buf.Bytes())
		return
	}
	tags := rec.tags
	if !rec.declared || cw.status != http.StatusOK {
		// A redirect or a 404 may change with any post (a new post at that
		// address, a moved one); a page that declared nothing might show
		// anything.
		tags = append(tags, AnyTag)
	}
	e := c.newEntry(k, cw.status, h, cw.buf.Bytes(), tags)
	e.pattern = inner.Pattern
	if c.store(e, gen, rec.learned) {
		c.serve(w, r, e, "miss")
		return
	}
	c.serve(w, r, e, "stale") // rendered before a change landed: sent, not kept
}

// newEntry builds an entry, compressing the body both ways.
func (c *Cache) newEntry(k string, status int, h http.Header, body []byte, tags []string) *entry {
	e := &entry{key: k, status: status, raw: bytes.Clone(body), modified: c.opt.Now().UTC().Truncate(time.Second)}
	sum := sha256.Sum256(body)
	e.etag = []string{`W/"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
	e.lastMod = []string{e.modified.Format(http.TimeFormat)}
	// The header as a list made once, copied into each response without
	// walking a map.
	for name, v := range h {
		switch name {
		case "Content-Length", "Date", "X-Broadsheet-Cache", "Vary", "Etag", "Last-Modified":
			continue
		}
		e.header = append(e.header, headerField{name, slices.Clone(v)})
	}
	if h.Get("Cache-Control") == "" {
		// Browsers revalidate with the ETag, getting a 304 while nothing
		// changed and the new page as soon as something did.
		e.header = append(e.header, headerField{"Cache-Control", noCache})
	}
	e.header = append(e.header, headerField{"Vary", varyAE})
	if status == http.StatusOK {
		e.header = append(e.header, headerField{"Etag", e.etag}, headerField{"Last-Modified", e.lastMod})
	}
	if len(body) >= 512 {
		e.gz, e.br = compress(body)
	}
	e.lengths = [3][]string{{strconv.Itoa(len(e.raw))}, {strconv.Itoa(len(e.gz))}, {strconv.Itoa(len(e.br))}}
	seen := map[string]bool{}
	for _, t := range tags {
		if !seen[t] {
			seen[t] = true
			e.tags = append(e.tags, t)
			if strings.HasPrefix(t, ListPrefix) && !seen[listsTag] {
				seen[listsTag] = true
				e.tags = append(e.tags, listsTag)
			}
		}
	}
	e.size = int64(len(e.raw)+len(e.gz)+len(e.br)+len(k)) + 512 + int64(32*len(e.tags))
	return e
}

// store adds e unless an invalidation happened since generation gen, in
// which case it may show what has just changed. It reports whether e was
// kept.
func (c *Cache) store(e *entry, gen uint64, learned []learnt) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen.Load() != gen || e.size > int64(c.maxEntry)*4 {
		return false
	}
	for _, l := range learned {
		if len(c.seen) >= maxSeen {
			c.seen = map[int64][]string{}
		}
		c.seen[l.id] = l.tags
	}
	if old := c.entries[e.key]; old != nil {
		c.remove(old)
	}
	e.elem = c.lru.PushFront(e)
	c.entries[e.key] = e
	for _, t := range e.tags {
		set := c.byTag[t]
		if set == nil {
			set = map[*entry]struct{}{}
			c.byTag[t] = set
		}
		set[e] = struct{}{}
	}
	c.size += e.size
	for c.size > c.opt.MaxBytes && c.lru.Len() > 0 {
		c.remove(c.lru.Back().Value.(*entry))
	}
	return c.entries[e.key] == e
}

// remove drops e; c.mu is held.
func (c *Cache) remove(e *entry) {
	if c.entries[e.key] != e {
		return
	}
	delete(c.entries, e.key)
	c.lru.Remove(e.elem)
	for _, t := range e.tags {
		if set := c.byTag[t]; set != nil {
			delete(set, e)
			if len(set) == 0 {
				delete(c.byTag, t)
			}
		}
	}
	c.size -= e.size
}

// headerField is one header of a cached response, its name canonical.
type headerField struct {
	name  string
	value []string
}

// Header values shared by every response: they must not be modified.
var (
	varyAE    = []string{"Accept-Encoding"}
	noCache   = []string{"no-cache"}
	encGzip   = []string{"gzip"}
	encBrotli = []string{"br"}
	hitValue  = map[string][]string{"hit": {"hit"}, "miss": {"miss"}, "stale": {"miss"}}
)

// serve writes e as the response to r, compressed as r accepts, or 304
// when r's validators match.
func (c *Cache) serve(w http.ResponseWriter, r *http.Request, e *entry, how string) {
	h := w.Header()
	for _, f := range e.header {
		h[f.name] = f.value
	}
	h["X-Broadsheet-Cache"] = hitValue[how]
	if e.status == http.StatusOK && notModified(r, e) {
		delete(h, "Content-Type")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body, length := e.raw, e.lengths[0]
	if e.gz != nil {
		switch acceptEncoding(r.Header.Get("Accept-Encoding")) {
		case "br":
			body, length = e.br, e.lengths[2]
			h["Content-Encoding"] = encBrotli
		case "gzip":
			body, length = e.gz, e.lengths[1]
			h["Content-Encoding"] = encGzip
		}
	}
	h["Content-Length"] = length
	w.WriteHeader(e.status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// notModified applies RFC 9110's conditional GET: If-None-Match when
// present, else If-Modified-Since.
func notModified(r *http.Request, e *entry) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		want := strings.TrimPrefix(e.etag[0], "W/")
		for _, tag := range strings.Split(inm, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == want {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !e.modified.After(t)
	}
	return false
}

// capture buffers a response so that it can be kept, falling back to
// passing it through once it grows past limit.
type capture struct {
	w           http.ResponseWriter
	status      int
	wroteHeader bool
	buf         *bytes.Buffer
	limit       int
	passthrough bool
}

func (cw *capture) Header() http.Header { return cw.w.Header() }

func (cw *capture) WriteHeader(code int) {
	if cw.wroteHeader || code < 200 {
		return
	}
	cw.wroteHeader, cw.status = true, code
}

func (cw *capture) Write(b []byte) (int, error) {
	if !cw.wroteHeader {
		cw.WriteHeader(http.StatusOK)
	}
	if cw.passthrough {
		return cw.w.Write(b)
	}
	if cw.buf.Len()+len(b) > cw.limit {
		cw.passthrough = true
		cw.w.WriteHeader(cw.status)
		if _, err := cw.w.Write(cw.buf.Bytes()); err != nil {
			return 0, err
		}
		return cw.w.Write(b)
	}
	return cw.buf.Write(b)
}

// Purge drops every entry.
func (c *Cache) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen.Add(1)
	c.entries = map[string]*entry{}
	c.byTag = map[string]map[*entry]struct{}{}
	c.lru.Init()
	c.size = 0
}

// drop removes the entries carrying any of tags.
func (c *Cache) drop(tags map[string]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen.Add(1)
	for t := range tags {
		for e := range c.byTag[t] {
			c.remove(e)
		}
	}
}

// onChange drops the pages a committed change affects: the pages showing
// the posts (listings, neighbours, the posts themselves), every page of
// every listing the posts were in before and are in now, the neighbours of
// their new places, and pages that declared nothing. Settings, terms,
// users or aliases changing drops everything.
func (c *Cache) onChange(ctx context.Context, ch store.Change) {
	ctx = context.WithoutCancel(ctx)
	if ch.Site {
		c.Purge()
		c.mu.Lock()
		c.seen = map[int64][]string{}
		c.mu.Unlock()
		c.nav = c.loadNav(ctx)
		c.scheduleNext(ctx)
		return
	}
	if len(ch.Posts) == 0 {
		return
	}
	if len(ch.Posts) > maxPrecise {
		// An import or a bulk edit: looking up each post's pages would
		// cost more, in the writer's goroutine, than rendering them again.
		c.Purge()
		c.mu.Lock()
		c.seen = map[int64][]string{}
		c.mu.Unlock()
		c.nav = c.loadNav(ctx)
		c.scheduleNext(ctx)
		return
	}
	// Bump the generation first, so that a rendering racing with the
	// lookups below is not stored.
	c.gen.Add(1)
	newly := map[int64]bool{}
	for _, id := range ch.Published {
		newly[id] = true
	}
	now := c.opt.Now()
	tags := map[string]bool{AnyTag: true}
	for _, id := range ch.Posts {
		tags[PostTag(id)], tags[PageTag(id)] = true, true
		c.mu.Lock()
		before, known := c.seen[id]
		c.mu.Unlock()
		if known {
			for _, t := range before {
				tags[t] = true
			}
		}
		var after []string
		p, err := c.opt.DB.FindPostByID(ctx, id)
		if !known && !newly[id] && (err != nil || p.IsPublic(now) || !p.CreatedAt.Equal(p.UpdatedAt)) {
			// It may have been in listings we cannot name: drop them all.
			// (A post not public and never updated since it was created
			// cannot have been in any: that is a new draft.)
			tags[listsTag] = true
		}
		switch {
		case content.IsNotFound(err):
		case err != nil:
			c.opt.Log.Error("page cache: read a changed post; dropping every page", "post", id, "err", err)
			c.Purge()
			return
		case p.IsPublic(now):
			after = c.opt.Listings(p)
			for _, t := range after {
				tags[t] = true
			}
			if p.Kind == content.KindPost {
				older, newer, err := c.opt.DB.FindAdjacentPosts(ctx, p, now)
				if err != nil {
					c.opt.Log.Error("page cache: read neighbours; dropping every page", "post", id, "err", err)
					c.Purge()
					return
				}
				for _, n := range []*content.Post{older, newer} {
					if n != nil {
						tags[PageTag(n.ID)] = true
					}
				}
			}
		}
		c.mu.Lock()
		if len(c.seen) >= maxSeen {
			c.seen = map[int64][]string{}
		}
		c.seen[id] = after
		c.mu.Unlock()
	}
	if nav := c.loadNav(ctx); nav != c.nav {
		// A section appeared in or left the navigation on every page.
		c.nav = nav
		c.Purge()
	} else {
		c.drop(tags)
	}
	c.scheduleNext(ctx)
}

// loadNav names the categories the navigation shows, as the site's layout
// chooses them (those with published posts).
func (c *Cache) loadNav(ctx context.Context) string {
	cats, err := c.opt.DB.FindTerms(ctx, content.TaxCategory)
	if err != nil {
		c.opt.Log.Error("page cache: read categories", "err", err)
		return "?"
	}
	var b strings.Builder
	for _, t := range cats {
		if t.Count > 0 {
			b.WriteString(strconv.FormatInt(t.ID, 10))
			b.WriteByte(',')
		}
	}
	return b.String()
}

// scheduleNext remembers when the next scheduled post goes public: no
// transaction announces that moment, so the cache watches for it.
func (c *Cache) scheduleNext(ctx context.Context) {
	_, at, ok, err := c.opt.DB.NextScheduled(ctx, c.opt.Now())
	switch {
	case err != nil:
		c.opt.Log.Error("page cache: read scheduled posts", "err", err)
		c.nextDue.Store(0)
	case ok:
		c.nextDue.Store(at.Unix())
	default:
		c.nextDue.Store(0)
	}
}

// publishDue treats the posts whose time has come as newly published.
func (c *Cache) publishDue(ctx context.Context) {
	if !c.dueMu.TryLock() {
		return // another request is on it
	}
	defer c.dueMu.Unlock()
	due := c.nextDue.Load()
	if due == 0 || c.opt.Now().Unix() < due {
		return
	}
	// Every post going public from the due second on, up to now.
	ids, err := c.opt.DB.FindPublishedBetween(ctx, time.Unix(due-1, 0), c.opt.Now())
	if err != nil {
		c.opt.Log.Error("page cache: read scheduled posts; dropping every page", "err", err)
		c.Purge()
		c.scheduleNext(ctx)
		return
	}
	c.onChange(ctx, store.Change{Posts: ids, Published: ids})
	if len(ids) == 0 {
		c.scheduleNext(ctx)
	}
}
