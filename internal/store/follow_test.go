package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestFollowerOutlivesTheWritersRequest commits from a request whose
// context ends right after the commit (the editor closed the tab), and
// wants the subscribers and followers that act on the change able to use
// the context they are given: reading the post just published must not
// fail for a request that is over.
func TestFollowerOutlivesTheWritersRequest(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		reqCtx, leave := context.WithCancel(context.Background())
		var subErr error
		var subTitle string
		db.Subscribe(func(ctx context.Context, c store.Change) {
			leave() // the request ends while its change is delivered
			if len(c.Posts) == 0 {
				return
			}
			p, err := db.FindPostByID(ctx, c.Posts[0])
			if err != nil {
				subErr = err
				return
			}
			subTitle = p.Title
		})
		var folErr error
		var folTitle string
		f := db.Follow(func(ctx context.Context, c store.Change) {
			p, err := db.FindPostByID(ctx, c.Posts[0])
			if err != nil {
				folErr = err
				return
			}
			folTitle = p.Title
		})
		p := publishedPost("after-the-request")
		if err := db.Update(reqCtx, func(tx *store.Tx) error { return tx.CreatePost(reqCtx, p) }); err != nil {
			t.Fatal(err)
		}
		if reqCtx.Err() == nil {
			t.Fatal("the request was meant to have ended by now")
		}
		f.Flush()
		if subErr != nil || subTitle != p.Title {
			t.Errorf("the subscriber could not read the post once the request ended: %q, %v", subTitle, subErr)
		}
		if folErr != nil || folTitle != p.Title {
			t.Errorf("the follower could not read the post once the request ended: %q, %v", folTitle, folErr)
		}
	})
}

// TestStuckFollowerDoesNotHoldTheCommit has a follower wait (a feed hub
// that does not answer) and wants editors' saves to go on committing
// meanwhile; once it is free again it is given every change, in order.
func TestStuckFollowerDoesNotHoldTheCommit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		stuck := make(chan struct{})
		var mu sync.Mutex
		var seen []int64
		f := db.Follow(func(_ context.Context, c store.Change) {
			<-stuck
			mu.Lock()
			seen = append(seen, c.Posts...)
			mu.Unlock()
		})
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); f.Run(runCtx) }()
		var want []int64
		for _, slug := range []string{"first", "second", "third"} {
			p := publishedPost(slug)
			if err := db.Update(ctx, func(tx *store.Tx) error { return tx.CreatePost(ctx, p) }); err != nil {
				t.Fatal(err)
			}
			want = append(want, p.ID)
		}
		close(stuck)
		f.Flush()
		stop()
		<-done
		mu.Lock()
		defer mu.Unlock()
		if len(seen) != len(want) {
			t.Fatalf("the follower saw posts %v, want %v", seen, want)
		}
		for i := range want {
			if seen[i] != want[i] {
				t.Fatalf("the follower saw posts %v, want them in commit order %v", seen, want)
			}
		}
	})
}

// TestStoppingFollowerDeliversWhatWasCommitted stops a follower while
// changes are still queued behind a slow one, and wants every change
// committed before the stop delivered before Run returns.
func TestStoppingFollowerDeliversWhatWasCommitted(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		started := make(chan struct{}, 1)
		release := make(chan struct{})
		var seen []int64 // written by the follower only; read after Run returns
		f := db.Follow(func(ctx context.Context, c store.Change) {
			select {
			case started <- struct{}{}:
				<-release
			default:
			}
			if ctx.Err() != nil {
				t.Errorf("a change was delivered with an ended context: %v", ctx.Err())
			}
			seen = append(seen, c.Posts...)
		})
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); f.Run(runCtx) }()
		var want []int64
		for _, slug := range []string{"one", "two", "three"} {
			p := publishedPost(slug)
			if err := db.Update(ctx, func(tx *store.Tx) error { return tx.CreatePost(ctx, p) }); err != nil {
				t.Fatal(err)
			}
			want = append(want, p.ID)
		}
		<-started // the first change is being delivered; the others wait
		stop()
		close(release)
		<-done
		if len(seen) != len(want) {
			t.Fatalf("a stopped follower delivered posts %v, want all those committed: %v", seen, want)
		}
		f.Close()
		p := publishedPost("after-close")
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.CreatePost(ctx, p) }); err != nil {
			t.Fatal(err)
		}
	})
}
