package cache_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestEndedEventLeavesTheUpcomingPages: no transaction says an event has
// ended, yet the cached pages listing it as upcoming (the events, the
// front page, the calendar) are dropped at that moment; other listings
// stay cached.
func TestEndedEventLeavesTheUpcomingPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 32<<20)
		now := db.Now()
		ev := &content.Post{Kind: content.KindEvent, Title: "Evening Seminar", Slug: "evening-seminar",
			Status: content.StatusPublished, PublishedAt: now.Add(-time.Hour), Format: content.FormatMarkdown,
			Event: &content.Event{StartsAt: now.Add(time.Hour), EndsAt: now.Add(2 * time.Hour), Status: content.EventScheduled}}
		if err := db.Update(context.Background(), func(tx *store.Tx) error { return tx.CreatePost(context.Background(), ev) }); err != nil {
			t.Fatal(err)
		}
		f.warm(t, "/", "/events/", "/events/past/", "/events.ics", "/category/africa/")
		if _, body := f.state(t, "/events/"); !strings.Contains(body, "Evening Seminar") {
			t.Fatal("the seminar is not upcoming before it ends")
		}
		later := now.Add(2 * time.Hour)
		db.Now = func() time.Time { return later }
		if state, body := f.state(t, "/events/"); state != "miss" || strings.Contains(body, "Evening Seminar") {
			t.Errorf("once ended, /events/ still lists the seminar (cache %s)", state)
		}
		if state, body := f.state(t, "/events/past/"); state != "miss" || !strings.Contains(body, "Evening Seminar") {
			t.Errorf("once ended, /events/past/ does not list the seminar (cache %s)", state)
		}
		if state, body := f.state(t, "/"); state != "miss" || strings.Contains(body, "/events/evening-seminar/") {
			t.Errorf("once ended, the front page still shows the seminar as upcoming (cache %s)", state)
		}
		f.expect(t, "ended", []string{"/events.ics"}, []string{"/category/africa/"})
	})
}
