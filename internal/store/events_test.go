package store_test

import (
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
)

// TestEventsAndBooksKeepTheirDetails checks that an event's time, place
// and status and a book's details come back as they were saved, that an
// event moves from the upcoming events to the past ones when it ends (the
// moment NextScheduled names), and that a change of time counts in its
// sequence.
func TestEventsAndBooksKeepTheirDetails(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		now := db.Now().Truncate(time.Second)
		mk := func(slug string, start, end time.Duration) *content.Post {
			return &content.Post{Kind: content.KindEvent, Title: slug, Slug: slug, Status: content.StatusPublished,
				PublishedAt: now.Add(-time.Hour), Format: content.FormatMarkdown,
				Event: &content.Event{StartsAt: now.Add(start), EndsAt: now.Add(end), TimeZone: "Europe/Paris",
					Location:        content.Location{Name: "Salle Dussane", Address: "45 rue d'Ulm, Paris"},
					RegistrationURL: "https://example.org/register", Status: content.EventScheduled}}
		}
		soon, later, over := mk("soon", time.Hour, 2*time.Hour), mk("later", 48*time.Hour, 50*time.Hour), mk("over", -5*time.Hour, -4*time.Hour)
		book := &content.Post{Kind: content.KindBook, Title: "The Long Road", Slug: "the-long-road", Status: content.StatusPublished,
			PublishedAt: now.Add(-time.Hour), Format: content.FormatMarkdown,
			Book: &content.Book{Subtitle: "Essays", Authors: []string{"A. Writer", "B. Editor"}, ISBN: "9780306406157",
				Publisher: "Broad Press", PublishedOn: "2026-05-01", Pages: 320,
				BuyLinks: []content.BuyLink{{Label: "Bookshop", URL: "https://shop.example/long-road"}}}}
		err := db.Update(ctx, func(tx *store.Tx) error {
			for _, p := range []*content.Post{later, soon, over, book} {
				if err := tx.CreatePost(ctx, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.FindPostBySlug(ctx, content.KindEvent, "soon")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(soon.Event, got.Event); diff != "" {
			t.Errorf("event read back (-saved +read):\n%s", diff)
		}
		if got.Path() != "/events/soon/" {
			t.Errorf("event's address %q, want /events/soon/", got.Path())
		}
		gotBook, err := db.FindPostBySlug(ctx, content.KindBook, "the-long-road")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(book.Book, gotBook.Book); diff != "" {
			t.Errorf("book read back (-saved +read):\n%s", diff)
		}

		slugs := func(f store.EventFilter) ([]string, int) {
			t.Helper()
			ps, n, err := db.FindEvents(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var s []string
			for _, p := range ps {
				s = append(s, p.Slug)
			}
			return s, n
		}
		if s, n := slugs(store.EventFilter{Now: now, Limit: 1}); !cmp.Equal(s, []string{"soon"}) || n != 2 {
			t.Errorf("first upcoming event: %v of %d, want [soon] of 2", s, n)
		}
		if s, _ := slugs(store.EventFilter{Now: now, Past: true}); !cmp.Equal(s, []string{"over"}) {
			t.Errorf("past events: %v, want [over]", s)
		}
		_, at, ok, err := db.NextScheduled(ctx, now)
		if err != nil || !ok || !at.Equal(soon.Event.EndsAt) {
			t.Errorf("next change: %v, %v (%v); want the end of the soonest event, %v", at, ok, err, soon.Event.EndsAt)
		}
		ended, err := db.FindPublishedBetween(ctx, now, soon.Event.EndsAt)
		if err != nil || !cmp.Equal(ended, []int64{soon.ID}) {
			t.Errorf("entries changed by the soonest event's end: %v (%v), want [%d]", ended, err, soon.ID)
		}
		after := soon.Event.EndsAt
		if s, _ := slugs(store.EventFilter{Now: after}); !cmp.Equal(s, []string{"later"}) {
			t.Errorf("upcoming once the first has ended: %v, want [later]", s)
		}
		if s, _ := slugs(store.EventFilter{Now: after, Past: true}); !cmp.Equal(s, []string{"soon", "over"}) {
			t.Errorf("past once the first has ended: %v, want [soon over]", s)
		}

		// Moving the event counts as a change for calendars; retitling it does not.
		err = db.Update(ctx, func(tx *store.Tx) error {
			p, err := tx.FindPostByID(ctx, later.ID)
			if err != nil {
				return err
			}
			p.Title = "Later, retitled"
			if err := tx.UpdatePost(ctx, p); err != nil {
				return err
			}
			p.Event.Status = content.EventCancelled
			return tx.UpdatePost(ctx, p)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err = db.FindPostByID(ctx, later.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Event.Sequence != 1 || got.Event.Status != content.EventCancelled {
			t.Errorf("after a retitle and a cancellation: sequence %d, status %q; want 1, cancelled", got.Event.Sequence, got.Event.Status)
		}
	})
}
