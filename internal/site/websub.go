package site

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/fetch"
	"github.com/broadsheet/broadsheet/internal/store"
)

// WebSub tells the hub named in the settings that feeds changed whenever
// posts are published (W3C WebSub; the publish ping of PubSubHubbub 0.4,
// which hubs in use accept). It follows the store's changes rather than
// polling, and pings from its own goroutine so that no editor waits on a
// hub.
type WebSub struct {
	db      *store.DB
	baseURL string
	client  *fetch.Client
	log     *slog.Logger
	now     func() time.Time

	mu      sync.Mutex
	pending []int64 // published posts not yet announced
	busy    bool    // a ping is in flight
	idle    *sync.Cond
	closed  bool
	wake    chan struct{}
	done    chan struct{}
}

// StartWebSub subscribes to db's changes and pings the hub for posts
// published from then on. baseURL is the site's public address; feeds are
// topics by their absolute URL, so without it nothing can be announced.
// Pings go through client, whose guards keep them from private addresses
// (nil: a client with fetch's defaults). Close stops it after the pings
// already due.
func StartWebSub(db *store.DB, baseURL string, client *fetch.Client, log *slog.Logger) *WebSub {
	if log == nil {
		log = slog.Default()
	}
	if client == nil {
		client = fetch.New(fetch.Options{})
	}
	w := &WebSub{
		db: db, baseURL: strings.TrimSuffix(baseURL, "/"), log: log, now: db.Now,
		client: client,
		wake:   make(chan struct{}, 1), done: make(chan struct{}),
	}
	w.idle = sync.NewCond(&w.mu)
	db.Subscribe(w.onChange)
	go w.run()
	return w
}

func (w *WebSub) onChange(_ context.Context, c store.Change) {
	if len(c.Published) == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	w.pending = append(w.pending, c.Published...)
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Flush waits until every publication seen so far has been announced (or
// its ping has failed and been logged).
func (w *WebSub) Flush() {
	w.mu.Lock()
	for len(w.pending) > 0 || w.busy {
		w.idle.Wait()
	}
	w.mu.Unlock()
}

// Close announces what is pending and stops.
func (w *WebSub) Close() {
	w.Flush()
	w.mu.Lock()
	w.closed = true
	close(w.wake) // under the lock: onChange sends only while not closed
	w.mu.Unlock()
	<-w.done
}

func (w *WebSub) run() {
	defer close(w.done)
	for range w.wake {
		for {
			w.mu.Lock()
			ids := w.pending
			w.pending = nil
			w.busy = len(ids) > 0
			if !w.busy {
				w.idle.Broadcast()
				w.mu.Unlock()
				break
			}
			w.mu.Unlock()
			w.announce(ids)
			w.mu.Lock()
			w.busy = false
			w.idle.Broadcast()
			w.mu.Unlock()
		}
	}
}

// announce pings the hub once for every feed the posts appear in.
func (w *WebSub) announce(ids []int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	set, err := w.db.LoadSettings(ctx)
	if err != nil {
		w.log.Error("websub: load settings", "err", err)
		return
	}
	if set.WebSubHub == "" {
		return
	}
	if w.baseURL == "" {
		w.log.Warn("websub: a hub is set but the site's base URL is not, so feeds cannot be named to it; set --base-url",
			"hub", set.WebSubHub, "posts", len(ids))
		return
	}
	topics, err := w.Topics(ctx, ids)
	if err != nil {
		w.log.Error("websub: find the feeds of published posts", "err", err)
		return
	}
	if len(topics) == 0 {
		return
	}
	if err := w.ping(ctx, set.WebSubHub, topics); err != nil {
		w.log.Warn("websub: ping failed", "hub", set.WebSubHub, "topics", len(topics), "err", err)
		return
	}
	w.log.Info("websub: hub notified", "hub", set.WebSubHub, "topics", len(topics))
}

// Topics returns the absolute URLs of every feed that carries any of the
// posts: the three of each listing with feeds they appear in (the site,
// their categories, tags and authors).
// Posts not public now (deleted, or dated in the future) are left out.
func (w *WebSub) Topics(ctx context.Context, ids []int64) ([]string, error) {
	seen := map[string]bool{}
	var prefixes []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			prefixes = append(prefixes, p)
		}
	}
	now := w.now()
	for _, id := range ids {
		p, err := w.db.FindPostByID(ctx, id)
		if content.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !p.IsPublic(now) {
			continue
		}
		for l := range postListings(p) {
			if kinds[l.kind].feeds {
				add(l.path())
			}
		}
	}
	var topics []string
	for _, pre := range prefixes {
		rss, atom, jsonPath := feedPaths(pre)
		topics = append(topics, w.baseURL+rss, w.baseURL+atom, w.baseURL+jsonPath)
	}
	return topics, nil
}

func (w *WebSub) ping(ctx context.Context, hub string, topics []string) error {
	_, err := w.client.PostForm(ctx, hub, url.Values{"hub.mode": {"publish"}, "hub.url": topics})
	return err
}
