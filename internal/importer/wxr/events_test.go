package wxr_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/export"
	"github.com/broadsheet/broadsheet/internal/importer/wxr"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestImportEventsCalendar imports The Events Calendar's events with their
// venue, zone, all-day days and status; an event ending before it starts
// is left out and said why. Exported again and imported into another
// site, the events come back the same.
func TestImportEventsCalendar(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		rep := mustImport(t, db, "events-calendar.wxr", nil)
		if rep.Events.Created != 2 || rep.Events.Skipped != 1 {
			t.Errorf("events created %d, skipped %d; want 2 and 1", rep.Events.Created, rep.Events.Skipped)
		}
		var why string
		for _, s := range rep.Skipped {
			if s.Title == "Backwards Event" {
				why = s.Reason
			}
		}
		if !strings.Contains(why, "before it starts") {
			t.Errorf("the backwards event is skipped because %q", why)
		}
		for _, key := range []string{"_EventStartDate", "_VenueAddress", "_EventShowMap"} {
			if rep.Meta[key] != 0 {
				t.Errorf("meta %s reported as not imported", key)
			}
		}
		seminar, err := db.FindPostBySlug(ctx, content.KindEvent, "ports-seminar")
		if err != nil {
			t.Fatal(err)
		}
		want := &content.Event{StartsAt: time.Date(2027, 3, 4, 17, 30, 0, 0, time.UTC), EndsAt: time.Date(2027, 3, 4, 19, 0, 0, 0, time.UTC),
			TimeZone: "Europe/Paris", Location: content.Location{Name: "Salle Dussane", Address: "45 rue d'Ulm, 75005 Paris, France"},
			RegistrationURL: "https://example.org/register", Status: content.EventScheduled}
		if *seminar.Event != *want {
			t.Errorf("seminar:\n got %+v\nwant %+v", *seminar.Event, *want)
		}
		fest, err := db.FindPostBySlug(ctx, content.KindEvent, "harbour-festival")
		if err != nil {
			t.Fatal(err)
		}
		ny, _ := time.LoadLocation("America/New_York")
		if e := fest.Event; !e.AllDay || e.Status != content.EventCancelled || !e.StartsAt.Equal(time.Date(2027, 6, 12, 0, 0, 0, 0, ny)) ||
			!e.EndsAt.Equal(time.Date(2027, 6, 14, 0, 0, 0, 0, ny)) {
			t.Errorf("festival: %+v", *e)
		}
		if again := mustImport(t, db, "events-calendar.wxr", nil); again.Events.Unchanged != 2 {
			t.Errorf("a second import changed the events: %+v", again.Events)
		}

		book := &content.Post{Kind: content.KindBook, Title: "The Long Road", Slug: "the-long-road", Status: content.StatusPublished,
			PublishedAt: time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC), Format: content.FormatMarkdown, Body: "Essays.",
			Book: &content.Book{Subtitle: "Essays", Authors: []string{"A. Writer", "B. Editor"}, ISBN: "9780306406157",
				Publisher: "Broad Press", PublishedOn: "2026-05-01", Pages: 320,
				BuyLinks: []content.BuyLink{{Label: "Bookshop", URL: "https://shop.example/long-road"}}}}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.CreatePost(ctx, book) }); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if _, err := export.WXR(ctx, db, &out, export.Options{BaseURL: "https://new.example.org"}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "<wp:post_type><![CDATA[tribe_events]]></wp:post_type>") || !strings.Contains(out.String(), "_EventStartDate") {
			t.Fatalf("the export does not write the events as The Events Calendar's")
		}
		other := storetest.Open(t, db.Engine())
		if _, err := wxr.Import(ctx, other, bytes.NewReader(out.Bytes()), wxr.Options{}); err != nil {
			t.Fatal(err)
		}
		for _, p := range []*content.Post{seminar, fest} {
			back, err := other.FindPostBySlug(ctx, content.KindEvent, p.Slug)
			if err != nil {
				t.Fatalf("%s after the round trip: %v", p.Slug, err)
			}
			b, a := *back.Event, *p.Event
			b.Sequence, a.Sequence = 0, 0
			if b != a {
				t.Errorf("%s after the round trip:\n got %+v\nwant %+v", p.Slug, b, a)
			}
		}
		back, err := other.FindPostBySlug(ctx, content.KindBook, book.Slug)
		if err != nil {
			t.Fatalf("the book after the round trip: %v", err)
		}
		if diff := cmp.Diff(book.Book, back.Book); diff != "" {
			t.Errorf("the book after the round trip (-before +after):\n%s", diff)
		}
	})
}
