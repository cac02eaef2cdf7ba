package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

func TestLeaseChangesHandsOnlyWhenFreeOrExpired(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		acquire := func(holder string) (store.Lease, bool) {
			t.Helper()
			l, ok, err := db.AcquireLease(ctx, "scheduler", holder, 30*time.Second)
			if err != nil {
				t.Fatalf("acquire by %s: %v", holder, err)
			}
			return l, ok
		}
		first, ok := acquire("a")
		if !ok || first.Holder != "a" || first.Token != 1 {
			t.Fatalf("a on a free lease: got %+v ok=%v, want held by a with token 1", first, ok)
		}
		if l, ok := acquire("b"); ok || l.Holder != "a" {
			t.Fatalf("b while a holds it: got %+v ok=%v, want refused and told a holds it", l, ok)
		}
		now = now.Add(20 * time.Second)
		if l, ok := acquire("a"); !ok || l.Token != first.Token || !l.Expires.Equal(now.Add(30*time.Second)) {
			t.Fatalf("a renewing: got %+v ok=%v, want same token, expiry moved to %v", l, ok, now.Add(30*time.Second))
		}
		// a crashes: it stops renewing, and after its lease runs out b takes over.
		now = now.Add(29 * time.Second)
		if _, ok := acquire("b"); ok {
			t.Fatal("b took the lease a second before a's expired")
		}
		now = now.Add(time.Second)
		l, ok := acquire("b")
		if !ok || l.Holder != "b" || l.Token != first.Token+1 {
			t.Fatalf("b after a's lease expired: got %+v ok=%v, want b with token %d", l, ok, first.Token+1)
		}
		if _, ok := acquire("a"); ok {
			t.Fatal("a came back and took the lease b holds")
		}
		// Releasing someone else's lease does nothing; releasing one's own frees it at once.
		if err := db.ReleaseLease(ctx, "scheduler", "a"); err != nil {
			t.Fatal(err)
		}
		if _, ok := acquire("c"); ok {
			t.Fatal("a released b's lease")
		}
		if err := db.ReleaseLease(ctx, "scheduler", "b"); err != nil {
			t.Fatal(err)
		}
		if l, ok := acquire("c"); !ok || l.Token != first.Token+2 {
			t.Fatalf("c after b released: got %+v ok=%v, want c with token %d", l, ok, first.Token+2)
		}
		if _, _, err := db.AcquireLease(ctx, "", "a", time.Second); err == nil {
			t.Error("a lease with no name was accepted")
		}
		if _, _, err := db.AcquireLease(ctx, "x", "a", 0); err == nil {
			t.Error("a lease with no time to live was accepted")
		}
	})
}

func TestLeaseGoesToExactlyOneOfManyAskingAtOnce(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := storetest.DSN(t, engine)
			// Separate handles, as separate processes would have.
			var dbs []*store.DB
			for i := 0; i < 4; i++ {
				db, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				dbs = append(dbs, db)
			}
			for round := 0; round < 5; round++ {
				name := "poll-" + string(rune('a'+round))
				var winners atomic.Int32
				var wg sync.WaitGroup
				for i, db := range dbs {
					for j := 0; j < 3; j++ {
						wg.Add(1)
						go func() {
							defer wg.Done()
							_, ok, err := db.AcquireLease(ctx, name, string(rune('A'+i))+string(rune('0'+j)), time.Minute)
							if err != nil {
								t.Error(err)
							}
							if ok {
								winners.Add(1)
							}
						}()
					}
				}
				wg.Wait()
				if n := winners.Load(); n != 1 {
					t.Fatalf("round %d: %d of 12 holders got the lease, want exactly 1", round, n)
				}
			}
		})
	}
}

func TestWithLeaseRunsWorkOnceAndReleases(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		db.Now = time.Now
		started, finish := make(chan struct{}), make(chan struct{})
		var runs atomic.Int32
		errc := make(chan error, 1)
		go func() {
			ran, err := db.WithLease(ctx, "hub-ping", "a", time.Minute, func(ctx context.Context) error {
				runs.Add(1)
				close(started)
				<-finish
				return nil
			})
			if !ran {
				err = errors.New("a did not run its work on a free lease")
			}
			errc <- err
		}()
		<-started
		ran, err := db.WithLease(ctx, "hub-ping", "b", time.Minute, func(ctx context.Context) error {
			runs.Add(1)
			return nil
		})
		if err != nil || ran {
			t.Fatalf("b while a works: ran=%v err=%v, want not run", ran, err)
		}
		close(finish)
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		// a released the lease when done, so b need not wait for it to expire.
		ran, err = db.WithLease(ctx, "hub-ping", "b", time.Minute, func(ctx context.Context) error {
			runs.Add(1)
			return nil
		})
		if err != nil || !ran {
			t.Fatalf("b after a finished: ran=%v err=%v, want run", ran, err)
		}
		if n := runs.Load(); n != 2 {
			t.Fatalf("work ran %d times, want 2 (a, then b)", n)
		}
	})
}

func TestWithLeaseStopsWorkWhenLeaseIsLost(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		db.Now = time.Now
		ran, err := db.WithLease(ctx, "poller", "a", 300*time.Millisecond, func(ctx context.Context) error {
			// Another process steals the lease (as if a's clock had stalled
			// past its expiry); a's next renewal fails and its work is told to stop.
			if err := db.ReleaseLease(ctx, "poller", "a"); err != nil {
				return err
			}
			if _, ok, err := db.AcquireLease(ctx, "poller", "b", time.Minute); err != nil || !ok {
				return errors.New("b could not take the released lease")
			}
			<-ctx.Done()
			return context.Cause(ctx)
		})
		if !ran || !errors.Is(err, store.ErrLeaseLost) {
			t.Fatalf("got ran=%v err=%v, want ran and ErrLeaseLost", ran, err)
		}
		if l, _ := db.FindLease(ctx, "poller"); l.Holder != "b" || !l.Expires.After(time.Now()) {
			t.Fatalf("a's release on the way out touched b's lease: %+v", l)
		}
	})
}
