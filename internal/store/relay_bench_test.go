package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// BenchmarkChangeDelivery measures how long a committed post takes to reach
// subscribers: in the process that wrote it (the baseline: the commit
// itself) and in another process through the relay. Run with
// BROADSHEET_TEST_POSTGRES set:
//
//	go test -run '^$' -bench ChangeDelivery ./internal/store/
func BenchmarkChangeDelivery(b *testing.B) {
	if !slices.Contains(storetest.Engines(b), "postgres") {
		b.Skip("the relay works on PostgreSQL")
	}
	dsn := storetest.DSN(b, "postgres")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var dbs [2]*store.DB
	for i := range dbs {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		go db.Relay(ctx, nil)
		dbs[i] = db
	}
	for !dbs[0].Relaying() || !dbs[1].Relaying() {
		time.Sleep(10 * time.Millisecond)
	}
	local, remote := make(chan int64, 1), make(chan int64, 1<<20)
	dbs[0].Subscribe(func(_ context.Context, c store.Change) { local <- c.Posts[0] })
	dbs[1].Subscribe(func(_ context.Context, c store.Change) { remote <- c.Posts[0] })
	n := 0
	write := func() int64 {
		n++
		p := publishedPost(fmt.Sprintf("bench-%d", n))
		if err := dbs[0].Update(ctx, func(tx *store.Tx) error { return tx.CreatePost(ctx, p) }); err != nil {
			b.Fatal(err)
		}
		return p.ID
	}
	b.Run("local-baseline", func(b *testing.B) {
		for b.Loop() {
			id := write()
			if got := <-local; got != id {
				b.Fatalf("local subscriber heard of %d, want %d", got, id)
			}
		}
	})
	// Let the baseline's posts reach the other process before timing it.
	for len(remote) < n {
		time.Sleep(time.Millisecond)
	}
	for len(remote) > 0 {
		<-remote
	}
	b.Run("other-process", func(b *testing.B) {
		for b.Loop() {
			id := write()
			<-local
			if got := <-remote; got != id {
				b.Fatalf("other process heard of %d, want %d", got, id)
			}
		}
	})
}
