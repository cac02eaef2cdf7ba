package admin

import (
	"context"
	"time"

	"github.com/broadsheet/broadsheet/internal/store"
)

// siteLocation is the site's time zone, in which editors give times.
func siteLocation(ctx context.Context, db *store.DB) *time.Location {
	s, err := db.LoadSettings(ctx)
	if err != nil {
		return time.UTC
	}
	return s.Location()
}
