package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestSubscriberSeesOneChangeAtATime commits from many goroutines at once
// and wants each subscriber given the changes one after another, never two
// at once: subscribers (the page cache, the time zone) compare what they
// read now with what they read for the previous change.
func TestSubscriberSeesOneChangeAtATime(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var inside, most, calls atomic.Int32
		db.Subscribe(func(context.Context, store.Change) {
			n := inside.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			// A subscriber's work takes a while (the cache reads the
			// database); this gives other commits the time to arrive.
			time.Sleep(5 * time.Millisecond)
			inside.Add(-1)
			calls.Add(1)
		})
		const writers, each = 8, 5
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					p := publishedPost(fmt.Sprintf("post-%d-%d", w, i))
					errs <- db.Update(ctx, func(tx *store.Tx) error { return tx.CreatePost(ctx, p) })
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := calls.Load(); got != writers*each {
			t.Errorf("the subscriber was called %d times for %d commits", got, writers*each)
		}
		if m := most.Load(); m > 1 {
			t.Errorf("the subscriber was given %d changes at once", m)
		}
	})
}

// TestConcurrentSettingsSavesBothCommit: two editors saving the settings at
// once both succeed; on PostgreSQL, rows locked in a different order by
// each deadlocked and one of them failed.
func TestConcurrentSettingsSavesBothCommit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const editors, each = 4, 10
		var wg sync.WaitGroup
		errs := make(chan error, editors*each)
		for e := range editors {
			wg.Go(func() {
				for i := range each {
					set := content.DefaultSettings()
					set.Title = fmt.Sprintf("Edition %d-%d", e, i)
					errs <- db.Update(ctx, func(tx *store.Tx) error { return tx.SaveSettings(ctx, set) })
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
	})
}
