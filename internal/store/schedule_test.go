package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestPublishDueExactlyOnce runs the scheduler of two "processes" (two
// independent connections to one database) at once, repeatedly, over
// posts whose time has come: each post is published once, by one of them,
// and subscribers hear of it once.
func TestPublishDueExactlyOnce(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := storetest.DSN(t, engine)
			var dbs [2]*store.DB
			for i := range dbs {
				db, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				dbs[i] = db
			}
			base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
			clock := func() time.Time { return base }
			dbs[0].Now, dbs[1].Now = clock, clock
			const n = 12
			err := dbs[0].Update(ctx, func(tx *store.Tx) error {
				for i := 0; i < n; i++ {
					status, at := content.StatusScheduled, base.Add(time.Duration(i-n)*time.Minute) // all due, some long ago
					if i == n-1 {
						at = base.Add(time.Hour) // not yet
					}
					p := &content.Post{Kind: content.KindPost, Title: "Scheduled", Slug: "s-" + string(rune('a'+i)), Status: status,
						PublishedAt: at, Format: content.FormatMarkdown, Body: "x"}
					if err := tx.CreatePost(ctx, p); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			var (
				mu        sync.Mutex
				published = map[int64]int{}
				heard     = map[int64]int{}
			)
			for _, db := range dbs {
				db.Subscribe(func(_ context.Context, c store.Change) {
					mu.Lock()
					for _, id := range c.Published {
						heard[id]++
					}
					mu.Unlock()
				})
			}
			var wg sync.WaitGroup
			for _, db := range dbs {
				for w := 0; w < 3; w++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for round := 0; round < 3; round++ {
							ids, err := db.PublishDue(ctx)
							if err != nil {
								t.Error(err)
								return
							}
							mu.Lock()
							for _, id := range ids {
								published[id]++
							}
							mu.Unlock()
						}
					}()
				}
			}
			wg.Wait()
			if len(published) != n-1 {
				t.Errorf("%d posts published, want %d", len(published), n-1)
			}
			for id, times := range published {
				if times != 1 || heard[id] != 1 {
					t.Errorf("post %d published %d times, announced %d times; want once", id, times, heard[id])
				}
			}
			posts, _, err := dbs[1].FindPosts(ctx, store.Published(base))
			if err != nil || len(posts) != n-1 {
				t.Errorf("the site shows %d posts (%v), want %d", len(posts), err, n-1)
			}
			// The one not yet due is published when its time comes.
			later := base.Add(time.Hour)
			dbs[1].Now = func() time.Time { return later }
			if ids, err := dbs[1].PublishDue(ctx); err != nil || len(ids) != 1 {
				t.Errorf("at its time: published %v (%v), want the last post", ids, err)
			}
		})
	}
}
