package admin

import (
	"context"
	"time"

	"github.com/broadsheet/broadsheet/internal/store"
)

// siteLocation is the time zone editors give times in. Until the site's
// settings carry one, it is UTC.
func siteLocation(ctx context.Context, db *store.DB) *time.Location {
	return time.UTC
}
