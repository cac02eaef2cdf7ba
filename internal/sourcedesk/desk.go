// Package sourcedesk is the source desk: the outlets a publication follows,
// the polling of their feeds into one deduplicated inbox, and republishing
// an inbox item as an attributed draft in one step (fetch the article page,
// extract the article, sanitise it, bring in its lead image, create the
// draft post with the outlet's attribution line and source fields).
//
// Everything fetched from outside goes through a Fetcher (the fetch
// package's client in production); lead images are kept through an
// ImageSaver, so the media library can take over from DiskImages.
package sourcedesk

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

// Fetcher fetches one URL; *fetch.Client is one.
type Fetcher interface {
	Get(ctx context.Context, r fetch.Request) (*fetch.Response, error)
}

// Image is a picture an article brings, downloaded, to be kept.
type Image struct {
	Name        string // a suggested file name, with its extension
	ContentType string // sniffed from the bytes
	Data        []byte
	Alt         string        // what it shows, for readers who cannot see it
	By          *content.User // the editor republishing; nil from the command line
}

// Saved is where a kept image is served from and, when it went into the
// media library, its item there.
type Saved struct {
	URL     string // usually a path on the site
	MediaID int64  // 0 when the image is not in the media library
}

// ImageSaver keeps the images of republished articles, so nothing is
// hot-linked.
type ImageSaver interface {
	SaveImage(ctx context.Context, img Image) (Saved, error)
}

// Defaults of a Desk's zero fields.
const (
	DefaultLeadParagraphs = 2
	DefaultClaimFor       = 10 * time.Minute
	DefaultMaxItems       = 200
	DefaultParallel       = 4
	DefaultPerHost        = 2
	// MaxBackoff bounds the wait after failures, whatever the interval.
	MaxBackoff = 24 * time.Hour
)

// Desk is the source desk over a database.
type Desk struct {
	DB    *store.DB
	Fetch Fetcher
	// Images keeps lead images; nil leaves republished drafts without one.
	Images ImageSaver
	Log    *slog.Logger
	// LeadParagraphs is how many of the article's paragraphs stand before
	// the break, after the introduction and the attribution line.
	LeadParagraphs int
	// ClaimFor is how long a claimed poll keeps other processes off a
	// source; it must exceed the longest poll.
	ClaimFor time.Duration
	// MaxItems caps the new items one poll brings in from one feed; the
	// rest come in with the next polls.
	MaxItems int
	// Parallel is how many sources one round of polling reads at once.
	Parallel int
	// PerHost is how many requests go to one host (name and port) at
	// once, whatever source or article they are for, so that outlets
	// sharing a server are not asked for everything together.
	PerHost int

	hosts hostSlots
}

// hostSlots hands out the requests allowed to each host at once. A host
// is remembered only while a request to it runs or waits.
type hostSlots struct {
	mu    sync.Mutex
	hosts map[string]*hostSlot
}

type hostSlot struct {
	slots chan struct{}
	users int // requests running or waiting
}

// take waits for one of host's n slots and returns what gives it back;
// it fails only when ctx ends first.
func (h *hostSlots) take(ctx context.Context, host string, n int) (func(), error) {
	h.mu.Lock()
	if h.hosts == nil {
		h.hosts = map[string]*hostSlot{}
	}
	s := h.hosts[host]
	if s == nil {
		s = &hostSlot{slots: make(chan struct{}, n)}
		h.hosts[host] = s
	}
	s.users++
	h.mu.Unlock()
	leave := func() {
		h.mu.Lock()
		if s.users--; s.users == 0 {
			delete(h.hosts, host)
		}
		h.mu.Unlock()
	}
	select {
	case s.slots <- struct{}{}:
		return func() { <-s.slots; leave() }, nil
	case <-ctx.Done():
		leave()
		return nil, ctx.Err()
	}
}

// get fetches r through d.Fetch, waiting for a slot of its host.
func (d *Desk) get(ctx context.Context, r fetch.Request) (*fetch.Response, error) {
	per := d.PerHost
	if per <= 0 {
		per = DefaultPerHost
	}
	host := ""
	if u, err := url.Parse(r.URL); err == nil {
		host = strings.ToLower(u.Host)
	}
	release, err := d.hosts.take(ctx, host, per)
	if err != nil {
		return nil, err
	}
	defer release()
	return d.Fetch.Get(ctx, r)
}

func (d *Desk) log() *slog.Logger {
	if d.Log == nil {
		return slog.Default()
	}
	return d.Log
}

func (d *Desk) now() time.Time { return d.DB.Now().UTC().Truncate(time.Second) }

// AddOutlet creates a source. When it has a homepage and no feeds, its feeds
// are discovered from the homepage's autodiscovery links first; finding
// none is an error naming the homepage, and nothing is stored. A source
// given a homepage and no name is named as its homepage names its outlet
// (see Suggest).
func (d *Desk) AddOutlet(ctx context.Context, o *content.Outlet) error {
	return d.saveOutlet(ctx, o, true, func(tx *store.Tx) error { return tx.CreateOutlet(ctx, o) })
}

// UpdateOutlet saves an edited source, discovering its feeds as AddOutlet
// does when the edit leaves none. An edit leaving no name is refused.
func (d *Desk) UpdateOutlet(ctx context.Context, o *content.Outlet) error {
	return d.saveOutlet(ctx, o, false, func(tx *store.Tx) error { return tx.UpdateOutlet(ctx, o) })
}

// saveOutlet checks o, naming it from its homepage when suggest is true
// and it has no name, finds its feeds when it lists none, and saves it.
func (d *Desk) saveOutlet(ctx context.Context, o *content.Outlet, suggest bool, save func(*store.Tx) error) error {
	o.Normalize()
	if suggest && o.Name == "" && o.Homepage != "" && content.ValidateHTTPURL(o.Homepage) == nil {
		s, err := d.Suggest(ctx, o.Homepage)
		if s.Name == "" {
			if err != nil {
				return err
			}
			return content.FieldError("name", "the source needs a name, and its homepage %s gives none", o.Homepage)
		}
		o.Name = s.Name
		if len(o.Feeds) == 0 && err == nil {
			for _, u := range s.Feeds {
				o.Feeds = append(o.Feeds, content.Feed{URL: u})
			}
		}
	}
	if err := o.Validate(); err != nil {
		return err
	}
	if len(o.Feeds) == 0 {
		urls, err := d.Discover(ctx, o.Homepage)
		if err != nil {
			return err
		}
		for _, u := range urls {
			o.Feeds = append(o.Feeds, content.Feed{URL: u})
		}
	}
	return d.DB.Update(ctx, save)
}
