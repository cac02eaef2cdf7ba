package app

import (
	"context"
	"time"

	"github.com/broadsheet/broadsheet/internal/store"
)

// schedulerInterval is how often serve looks for scheduled posts whose
// time has come: a scheduled post appears at most this late.
const schedulerInterval = time.Second

// runScheduler publishes scheduled posts when their time comes, starting
// with those whose time passed while the server was down, until ctx ends.
// Several processes may run it on one database: each post is published
// once (see store.DB.PublishDue).
func (e *env) runScheduler(ctx context.Context, db *store.DB) {
	t := time.NewTicker(schedulerInterval)
	defer t.Stop()
	for {
		ids, err := db.PublishDue(ctx)
		if err != nil && ctx.Err() == nil {
			e.log.Error("scheduler: publish due posts", "err", err)
		}
		for _, id := range ids {
			e.log.Info("scheduler: published", "post", id)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
