package admin

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/broadsheet/broadsheet/internal/store"
)

// zone keeps the site's time zone, in which editors give and read times.
// It is read on every page, so it is held in memory and reloaded when a
// change to the site's settings is announced (by this process's writes
// or relayed from another's). When the settings cannot be read, the zone
// is unknown rather than guessed: a time typed in the wrong zone would
// schedule a post at the wrong hour, so pages fail until it loads again.
type zone struct {
	db  *store.DB
	log *slog.Logger
	loc atomic.Pointer[time.Location] // nil while unknown
}

func newZone(db *store.DB, log *slog.Logger) *zone {
	z := &zone{db: db, log: log}
	z.reload(context.Background())
	db.Subscribe(func(ctx context.Context, c store.Change) {
		if c.Site {
			z.reload(ctx)
		}
	})
	return z
}

// reload reads the zone from the settings, or forgets it when they cannot
// be read, so that the next page tries again.
func (z *zone) reload(ctx context.Context) error {
	s, err := z.db.LoadSettings(ctx)
	if err != nil {
		z.loc.Store(nil)
		z.log.Warn("the site's time zone could not be read; admin pages wait for it", "err", err)
		return fmt.Errorf("admin: read the site's time zone: %w", err)
	}
	z.loc.Store(s.Location())
	return nil
}

// ensure loads the zone if it is not known.
func (z *zone) ensure(ctx context.Context) error {
	if z.loc.Load() != nil {
		return nil
	}
	return z.reload(ctx)
}

// get is the zone; admin pages call ensure first. Should it be forgotten
// in between, times are shown in UTC, which their format names.
func (z *zone) get() *time.Location {
	if loc := z.loc.Load(); loc != nil {
		return loc
	}
	return time.UTC
}

// location is the site's time zone, as ensured by the page's adapter.
func (a *Admin) location(r *http.Request) *time.Location { return a.zone.get() }
