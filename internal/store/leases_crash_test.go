package store_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// leaseChildEnv makes this test binary act as a second process holding a
// lease mid-work (see TestLeaseHelperProcess).
const leaseChildEnv = "BROADSHEET_LEASE_CHILD_DSN"

// TestLeaseHelperProcess is not a test: run by TestCrashedHolderLosesLease
// as a separate process, it takes the "poller" lease, says so, and then
// works forever, renewing it, until it is killed.
func TestLeaseHelperProcess(t *testing.T) {
	dsn := os.Getenv(leaseChildEnv)
	if dsn == "" {
		t.Skip("helper process for TestCrashedHolderLosesLease")
	}
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	ran, err := db.WithLease(context.Background(), "poller", "child", time.Second, func(ctx context.Context) error {
		fmt.Println("polling")
		select {} // mid-poll, until killed
	})
	fmt.Println("error: lease not taken:", ran, err)
	os.Exit(1)
}

// TestCrashedHolderLosesLease kills a process holding a lease mid-work:
// another process carries on once the lease runs out.
func TestCrashedHolderLosesLease(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := storetest.DSN(t, engine)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			child := exec.Command(os.Args[0], "-test.run=^TestLeaseHelperProcess$", "-test.count=1")
			child.Env = append(os.Environ(), leaseChildEnv+"="+dsn)
			out, err := child.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := child.Start(); err != nil {
				t.Fatal(err)
			}
			defer child.Process.Kill()
			line, _ := bufio.NewReader(out).ReadString('\n')
			if line != "polling\n" {
				t.Fatalf("helper process said %q, want polling", line)
			}
			held, err := db.FindLease(ctx, "poller")
			if err != nil {
				t.Fatal(err)
			}
			ran, err := db.WithLease(ctx, "poller", "survivor", time.Second, func(context.Context) error { return nil })
			if ran || err != nil {
				t.Fatalf("survivor while the helper polls: ran=%v err=%v, want not run", ran, err)
			}
			// Outlive a few renewals: a live holder keeps its lease.
			time.Sleep(1500 * time.Millisecond)
			if ran, _ := db.WithLease(ctx, "poller", "survivor", time.Second, func(context.Context) error { return nil }); ran {
				t.Fatal("survivor took the lease from a live holder that renews it")
			}
			if err := child.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			child.Wait()
			var runs int
			eventually(t, func() bool {
				ran, err := db.WithLease(ctx, "poller", "survivor", time.Second, func(context.Context) error { runs++; return nil })
				if err != nil {
					t.Fatal(err)
				}
				return ran
			})
			now, _ := db.FindLease(ctx, "poller")
			if runs != 1 || now.Token != held.Token+1 {
				t.Fatalf("after the crash: survivor ran %d times with token %d; want once, token %d", runs, now.Token, held.Token+1)
			}
		})
	}
}

// TestScheduledPostsPublishedOnceByManyProcesses has four processes tick a
// scheduler under one lease at once: every due post is published exactly
// once.
func TestScheduledPostsPublishedOnceByManyProcesses(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := storetest.DSN(t, engine)
			var dbs []*store.DB
			var mu sync.Mutex
			published, updated := map[int64]int{}, map[int64]int{}
			for i := 0; i < 4; i++ {
				db, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				db.Subscribe(func(_ context.Context, c store.Change) {
					mu.Lock()
					defer mu.Unlock()
					for _, id := range c.Published {
						published[id]++
					}
				})
				dbs = append(dbs, db)
			}
			due := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
			err := dbs[0].Update(ctx, func(tx *store.Tx) error {
				for i := 0; i < 20; i++ {
					p := publishedPost(fmt.Sprintf("scheduled-%d", i))
					p.Status, p.PublishedAt = content.StatusScheduled, due
					if err := tx.CreatePost(ctx, p); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// What a scheduler does on each tick: publish what is due, one
			// post per transaction.
			publishDue := func(db *store.DB) func(ctx context.Context) error {
				return func(ctx context.Context) error {
					posts, _, err := db.FindPosts(ctx, store.PostFilter{Statuses: []content.Status{content.StatusScheduled}, PublishedBefore: time.Now(), WithBody: true})
					if err != nil {
						return err
					}
					for _, p := range posts {
						p.Status = content.StatusPublished
						if err := db.Update(ctx, func(tx *store.Tx) error { return tx.UpdatePost(ctx, p) }); err != nil {
							return err
						}
						mu.Lock()
						updated[p.ID]++
						mu.Unlock()
					}
					return nil
				}
			}
			var wg sync.WaitGroup
			for i, db := range dbs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for tick := 0; tick < 10; tick++ {
						if _, err := db.WithLease(ctx, "scheduler", fmt.Sprint("process-", i), 10*time.Second, publishDue(db)); err != nil {
							t.Error(err)
						}
					}
				}()
			}
			wg.Wait()
			if len(published) != 20 || len(updated) != 20 {
				t.Errorf("%d posts published, %d updated; want 20", len(published), len(updated))
			}
			for id := range updated {
				if published[id] != 1 || updated[id] != 1 {
					t.Errorf("post %d was published %d times by %d updates, want once", id, published[id], updated[id])
				}
			}
		})
	}
}

func eventually(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("gave up waiting")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
