package ops_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/ops"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestBackgroundStopsNewestFirst stops background work that writes to the
// database as it ends, with the database's closing registered first: the
// last write must land (the database closes after every job returned),
// and the stop hooks run newest first.
func TestBackgroundStopsNewestFirst(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	bg := ops.NewBackground(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	var mu sync.Mutex
	var order []string
	note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	bg.AtStop(func() { note("close the database"); db.Close() })
	running := make(chan struct{})
	bg.Go("writer", func(ctx context.Context) {
		close(running)
		<-ctx.Done()
		// A job's last word on the way out, with a context of its own.
		p := &content.Post{Kind: content.KindPost, Title: "Last words", Slug: "last-words", Status: content.StatusDraft,
			Format: content.FormatHTML, Body: "<p>x</p>", BodyHTML: "<p>x</p>", TeaserHTML: "<p>x</p>"}
		wctx := context.WithoutCancel(ctx)
		if err := db.Update(wctx, func(tx *store.Tx) error { return tx.CreatePost(wctx, p) }); err != nil {
			t.Errorf("the job's last write failed: %v", err)
		}
		note("job returned")
	})
	bg.AtStop(func() { note("flush the log") })
	<-running
	bg.Stop()
	bg.Stop() // again: nothing more
	want := []string{"job returned", "flush the log", "close the database"}
	if !slices.Equal(order, want) {
		t.Errorf("stopping went %q, want %q", order, want)
	}
	again, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if _, err := again.FindPostBySlug(context.Background(), content.KindPost, "last-words"); err != nil {
		t.Errorf("the job's last write is not in the database: %v", err)
	}
	// Work offered after the stop is not started, and a late hook runs at once.
	started := make(chan struct{}, 1)
	bg.Go("late", func(context.Context) { started <- struct{}{} })
	late := false
	bg.AtStop(func() { late = true })
	select {
	case <-started:
		t.Error("work given after Stop was started")
	case <-time.After(0):
	}
	if !late {
		t.Error("a stop hook given after Stop did not run")
	}
}
