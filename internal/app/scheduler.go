package app

import (
	"context"
	"time"

	"github.com/broadsheet/broadsheet/internal/ops"
	"github.com/broadsheet/broadsheet/internal/store"
)

// schedulerInterval is how often serve looks for scheduled posts whose
// time has come: a scheduled post appears at most this late.
const schedulerInterval = time.Second

// schedulerJob publishes scheduled posts when their time comes, starting
// with those whose time passed while the server was down. It runs as a
// background job under a lease, so one process at a time looks; and each
// post is claimed with a conditional write (store.DB.PublishDue), so it is
// published once even if a lease holder stalls past its lease.
func (e *env) schedulerJob(db *store.DB) ops.Job {
	return ops.Job{Name: "scheduler", Every: schedulerInterval, Run: func(ctx context.Context) error {
		ids, err := db.PublishDue(ctx)
		for _, id := range ids {
			e.log.Info("scheduler: published", "post", id)
		}
		return err
	}}
}
