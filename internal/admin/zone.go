package admin

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/broadsheet/broadsheet/internal/store"
)

// zone keeps the site's time zone, in which editors give and read times.
// It is read on every page, so it is held in memory and reloaded when a
// change to the site's settings is announced (by this process's writes
// or relayed from another's).
type zone struct {
	db  *store.DB
	loc atomic.Pointer[time.Location]
}

func newZone(db *store.DB) *zone {
	z := &zone{db: db}
	z.reload(context.Background())
	db.Subscribe(func(ctx context.Context, c store.Change) {
		if c.Site {
			z.reload(ctx)
		}
	})
	return z
}

func (z *zone) reload(ctx context.Context) {
	loc := time.UTC
	if s, err := z.db.LoadSettings(ctx); err == nil {
		loc = s.Location()
	}
	z.loc.Store(loc)
}

func (z *zone) get() *time.Location { return z.loc.Load() }

// location is the site's time zone.
func (a *Admin) location(r *http.Request) *time.Location { return a.zone.get() }
