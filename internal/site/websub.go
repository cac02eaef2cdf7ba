package site

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/fetch"
	"github.com/broadsheet/broadsheet/internal/store"
)

// WebSub tells the hub named in the settings that feeds changed whenever
// posts are published (W3C WebSub; the publish ping of PubSubHubbub 0.4,
// which hubs in use accept). It follows the store's changes rather than
// polling, as a store.Follower: pings go out from the follower's goroutine
// (Run), so that no editor waits on a hub.
type WebSub struct {
	db      *store.DB
	baseURL string
	client  *fetch.Client
	log     *slog.Logger
	now     func() time.Time
	f       *store.Follower
}

// NewWebSub follows db's changes to ping the hub for posts published from
// then on; Run sends the pings. baseURL is the site's public address;
// feeds are topics by their absolute URL, so without it nothing can be
// announced. Pings go through client, whose guards keep them from private
// addresses (nil: a client with fetch's defaults).
func NewWebSub(db *store.DB, baseURL string, client *fetch.Client, log *slog.Logger) *WebSub {
	if log == nil {
		log = slog.Default()
	}
	if client == nil {
		client = fetch.New(fetch.Options{})
	}
	w := &WebSub{db: db, baseURL: strings.TrimSuffix(baseURL, "/"), log: log, now: db.Now, client: client}
	w.f = db.Follow(w.onChange)
	return w
}

func (w *WebSub) onChange(ctx context.Context, c store.Change) {
	if len(c.Published) == 0 {
		return
	}
	w.announce(ctx, c.Published)
}

// Run sends the pings of publications as they commit until ctx ends, then
// those of publications committed before it ended.
func (w *WebSub) Run(ctx context.Context) { w.f.Run(ctx) }

// Flush waits until every publication seen so far has been announced (or
// its ping has failed and been logged).
func (w *WebSub) Flush() { w.f.Flush() }

// Close announces what is pending and stops following.
func (w *WebSub) Close() { w.f.Close() }

// announce pings the hub once for every feed the posts appear in.
func (w *WebSub) announce(ctx context.Context, ids []int64) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
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
			switch {
			case l.kind == SourceAddress:
				o, err := w.db.FindOutletByID(ctx, l.outlet)
				if err != nil && !content.IsNotFound(err) {
					return nil, err
				}
				if err == nil && o.Slug != "" {
					add(o.Path())
				}
			case kinds[l.kind].feeds:
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
