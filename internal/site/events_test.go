package site_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// eventsFixture saves a seminar in Paris (an hour from now), a cancelled
// online event next month, and a book, on a site whose clock the test
// moves.
func eventsFixture(t *testing.T, db *store.DB) (now *time.Time, seminar, cancelled, book *content.Post) {
	t.Helper()
	clock := time.Date(2027, 3, 4, 16, 30, 0, 0, time.UTC) // 17:30 in Paris
	db.Now = func() time.Time { return clock }
	seminar = &content.Post{Kind: content.KindEvent, Title: "Seminar on the Ports of the Gulf", Slug: "ports-seminar",
		Status: content.StatusPublished, PublishedAt: clock.Add(-24 * time.Hour), Format: content.FormatMarkdown,
		BodyHTML: "<p>Three speakers on trade.</p>", TeaserHTML: "<p>Three speakers on trade.</p>",
		Event: &content.Event{StartsAt: clock.Add(time.Hour), EndsAt: clock.Add(150 * time.Minute), TimeZone: "Europe/Paris",
			Location:        content.Location{Name: "Salle Dussane", Address: "45 rue d'Ulm, 75005 Paris"},
			RegistrationURL: "https://example.org/register", Status: content.EventScheduled}}
	cancelled = &content.Post{Kind: content.KindEvent, Title: "Online Book Launch", Slug: "book-launch",
		Status: content.StatusPublished, PublishedAt: clock.Add(-24 * time.Hour), Format: content.FormatMarkdown,
		Event: &content.Event{StartsAt: clock.AddDate(0, 1, 0), EndsAt: clock.AddDate(0, 1, 0).Add(time.Hour), TimeZone: "America/New_York",
			OnlineURL: "https://meet.example.org/launch", Status: content.EventCancelled}}
	book = &content.Post{Kind: content.KindBook, Title: "The Long Road", Slug: "the-long-road",
		Status: content.StatusPublished, PublishedAt: clock.Add(-48 * time.Hour), Format: content.FormatMarkdown,
		BodyHTML: "<p>Essays on the coast.</p>", TeaserHTML: "<p>Essays on the coast.</p>",
		Book: &content.Book{Subtitle: "Essays from the Coast", Authors: []string{"Amara Okafor"}, ISBN: "9780306406157",
			Publisher: "Broad Press", PublishedOn: "2026-05-01", Pages: 320,
			BuyLinks: []content.BuyLink{{Label: "Bookshop", URL: "https://shop.example/long-road"}}}}
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		for _, p := range []*content.Post{seminar, cancelled, book} {
			if err := tx.CreatePost(context.Background(), p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return &clock, seminar, cancelled, book
}

// jsonLDOf returns the page's structured data of the schema.org type.
func jsonLDOf(t *testing.T, body, typ string) map[string]any {
	t.Helper()
	for _, m := range regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`).FindAllStringSubmatch(body, -1) {
		var v map[string]any
		if err := json.Unmarshal([]byte(m[1]), &v); err != nil {
			t.Fatalf("structured data is not JSON: %v\n%s", err, m[1])
		}
		if v["@type"] == typ {
			return v
		}
	}
	t.Fatalf("no %s in the page's structured data", typ)
	return nil
}

// TestEventAndBookPages reads the events' and books' pages as a reader
// and a search engine would: times in the event's zone, its place,
// registration and status, JSON-LD Event and Book, and the front page's
// upcoming events.
func TestEventAndBookPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		_, _, _, _ = eventsFixture(t, db)
		base := serve(t, db, site.DefaultTheme()).URL

		resp, body := get(t, base+"/events/")
		if resp.StatusCode != 200 {
			t.Fatalf("/events/: %d", resp.StatusCode)
		}
		if i, j := strings.Index(body, "Seminar on the Ports"), strings.Index(body, "Online Book Launch"); i < 0 || j < 0 || i > j {
			t.Errorf("/events/ does not list the seminar, then the launch (soonest first)")
		}
		if !strings.Contains(body, "18:30–20:00 CET") {
			t.Errorf("/events/ does not show the seminar's time in Paris (18:30–20:00 CET)")
		}

		resp, body = get(t, base+"/events/ports-seminar/")
		if resp.StatusCode != 200 {
			t.Fatalf("event page: %d", resp.StatusCode)
		}
		for _, want := range []string{"Thursday 4 March 2027", "18:30–20:00 CET", "Salle Dussane", "45 rue d&#39;Ulm", `href="https://example.org/register"`, `href="/events/ports-seminar.ics"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the event's page does not show %s", want)
			}
		}
		ld := jsonLDOf(t, body, "Event")
		if ld["startDate"] != "2027-03-04T18:30:00+01:00" || ld["eventStatus"] != "https://schema.org/EventScheduled" ||
			ld["eventAttendanceMode"] != "https://schema.org/OfflineEventAttendanceMode" {
			t.Errorf("Event: %v", ld)
		}
		if loc, _ := ld["location"].([]any); len(loc) != 1 || loc[0].(map[string]any)["@type"] != "Place" {
			t.Errorf("Event's location: %v, want a Place", ld["location"])
		}
		_, body = get(t, base+"/events/book-launch/")
		if ld := jsonLDOf(t, body, "Event"); ld["eventStatus"] != "https://schema.org/EventCancelled" ||
			ld["eventAttendanceMode"] != "https://schema.org/OnlineEventAttendanceMode" {
			t.Errorf("cancelled online Event: %v", ld)
		}
		if !strings.Contains(body, "Cancelled") || strings.Contains(body, "Register") {
			t.Errorf("the cancelled event's page does not say so, or still offers registration")
		}

		_, body = get(t, base+"/")
		if !strings.Contains(body, "Upcoming events") || !strings.Contains(body, `href="/events/ports-seminar/"`) {
			t.Errorf("the front page does not show the upcoming events")
		}

		resp, body = get(t, base+"/books/")
		if resp.StatusCode != 200 || !strings.Contains(body, "The Long Road") || !strings.Contains(body, "Essays from the Coast") {
			t.Errorf("/books/: %d, book listed: %v", resp.StatusCode, strings.Contains(body, "The Long Road"))
		}
		_, body = get(t, base+"/books/the-long-road/")
		for _, want := range []string{"Broad Press", "978-0306406157", "1 May 2026", `href="https://shop.example/long-road"`, "Essays on the coast."} {
			if !strings.Contains(body, want) {
				t.Errorf("the book's page does not show %s", want)
			}
		}
		if ld := jsonLDOf(t, body, "Book"); ld["isbn"] != "9780306406157" || ld["numberOfPages"] != float64(320) {
			t.Errorf("Book: %v", ld)
		}

		for path, want := range map[string]string{
			"/sitemaps/events.xml": base + "/events/ports-seminar/", "/sitemaps/books.xml": base + "/books/the-long-road/",
			"/sitemap.xml": "/sitemaps/events.xml", "/events/feed/": "/events/ports-seminar/", "/books/feed/atom/": "/books/the-long-road/",
		} {
			resp, body := get(t, base+path)
			if resp.StatusCode != 200 || !strings.Contains(body, want) {
				t.Errorf("%s: %d, names %s: %v", path, resp.StatusCode, want, strings.Contains(body, want))
			}
		}
		if resp, _ := get(t, base+"/events/no-such-event/"); resp.StatusCode != 404 {
			t.Errorf("an unknown event: %d, want 404", resp.StatusCode)
		}
	})
}

// TestEventsMoveToThePastWhenTheyEnd: once an event ends, /events/ no
// longer lists it and /events/past/ does, with the store remembering
// listings between changes as in serve.
func TestEventsMoveToThePastWhenTheyEnd(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock, seminar, _, _ := eventsFixture(t, db)
		base := serve(t, db, site.DefaultTheme()).URL
		relay(t, db)
		_, upcoming := get(t, base+"/events/")
		_, past := get(t, base+"/events/past/")
		if !strings.Contains(upcoming, seminar.Title) || strings.Contains(past, seminar.Title) {
			t.Fatalf("before it ends, the seminar is not upcoming")
		}
		*clock = seminar.Event.EndsAt
		_, upcoming = get(t, base+"/events/")
		_, past = get(t, base+"/events/past/")
		if strings.Contains(upcoming, seminar.Title) || !strings.Contains(past, seminar.Title) {
			t.Errorf("once ended, the seminar is still upcoming (%v) or not past (%v)", strings.Contains(upcoming, seminar.Title), !strings.Contains(past, seminar.Title))
		}
		_, front := get(t, base+"/")
		if strings.Contains(front, `href="/events/ports-seminar/"`) {
			t.Errorf("once ended, the seminar is still among the front page's upcoming events")
		}
		_, page := get(t, base+"/events/ports-seminar/")
		if !strings.Contains(page, "This event has ended.") || strings.Contains(page, `href="https://example.org/register"`) {
			t.Errorf("the ended event's page does not say so, or still offers registration")
		}
	})
}

// TestEventCalendars reads /events.ics and an event's .ics with an
// iCalendar parser other than the one that writes them: stable UIDs, the
// sequence of changes, cancelled events, and times in the events' zones
// described by VTIMEZONE.
func TestEventCalendars(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		_, seminar, cancelled, _ := eventsFixture(t, db)
		base := serve(t, db, site.DefaultTheme()).URL
		parse := func(path string) *ical.Calendar {
			t.Helper()
			resp, body := get(t, base+path)
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
				t.Fatalf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			cal, err := ical.NewDecoder(strings.NewReader(body)).Decode()
			if err != nil {
				t.Fatalf("%s is not iCalendar: %v\n%s", path, err, body)
			}
			return cal
		}
		cal := parse("/events.ics")
		events := cal.Events()
		if len(events) != 2 {
			t.Fatalf("/events.ics has %d events, want 2", len(events))
		}
		zones := map[string]bool{}
		for _, c := range cal.Children {
			if c.Name == ical.CompTimezone {
				zones[c.Props.Get(ical.PropTimezoneID).Value] = true
			}
		}
		if !zones["Europe/Paris"] || !zones["America/New_York"] {
			t.Errorf("VTIMEZONEs: %v, want Europe/Paris and America/New_York", zones)
		}
		byUID := map[string]ical.Event{}
		for _, e := range events {
			byUID[e.Props.Get(ical.PropUID).Value] = e
		}
		one := parse("/events/ports-seminar.ics").Events()
		if len(one) != 1 {
			t.Fatalf("the seminar's .ics has %d events", len(one))
		}
		uid := one[0].Props.Get(ical.PropUID).Value
		e, ok := byUID[uid]
		if !ok {
			t.Fatalf("the seminar's UID %q is not the one of /events.ics", uid)
		}
		start, err := e.DateTimeStart(nil)
		if err != nil || !start.Equal(seminar.Event.StartsAt) {
			t.Errorf("DTSTART %v (%v), want %v", start, err, seminar.Event.StartsAt)
		}
		if tzid := e.Props.Get(ical.PropDateTimeStart).Params.Get(ical.ParamTimezoneID); tzid != "Europe/Paris" {
			t.Errorf("DTSTART's TZID %q, want Europe/Paris", tzid)
		}
		if s := e.Props.Get(ical.PropSummary).Value; s != seminar.Title {
			t.Errorf("SUMMARY %q", s)
		}
		if loc := e.Props.Get(ical.PropLocation).Value; !strings.Contains(loc, "Salle Dussane") {
			t.Errorf("LOCATION %q", loc)
		}
		for _, e := range events {
			if e.Props.Get(ical.PropSummary).Value == cancelled.Title {
				if st, _ := e.Status(); st != ical.EventCancelled {
					t.Errorf("the cancelled event's STATUS is %q", st)
				}
			}
		}

		// Moving the seminar keeps its UID and raises its SEQUENCE.
		err = db.Update(context.Background(), func(tx *store.Tx) error {
			p, err := tx.FindPostByID(context.Background(), seminar.ID)
			if err != nil {
				return err
			}
			p.Event.EndsAt = p.Event.EndsAt.Add(time.Hour)
			return tx.UpdatePost(context.Background(), p)
		})
		if err != nil {
			t.Fatal(err)
		}
		moved := parse("/events/ports-seminar.ics").Events()[0]
		seq, err := moved.Props.Get(ical.PropSequence).Int()
		if moved.Props.Get(ical.PropUID).Value != uid || err != nil || seq != 1 {
			t.Errorf("after a move: UID %q, SEQUENCE %d (%v); want %q and 1", moved.Props.Get(ical.PropUID).Value, seq, err, uid)
		}
	})
}

// TestSearchFindsEventsAndBooks: the site's search looks through events
// or books when asked, and its next pages keep asking for them.
func TestSearchFindsEventsAndBooks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		eventsFixture(t, db)
		base := serve(t, db, site.DefaultTheme()).URL
		for q, want := range map[string]string{"q=speakers&kind=event": "/events/ports-seminar/", "q=coast&kind=book": "/books/the-long-road/"} {
			resp, body := get(t, base+"/search?"+q)
			if resp.StatusCode != 200 || !strings.Contains(body, `href="`+want+`"`) {
				t.Errorf("/search?%s: %d, finds %s: %v", q, resp.StatusCode, want, strings.Contains(body, want))
			}
		}
		if _, body := get(t, base+"/search?q=speakers"); strings.Contains(body, `href="/events/ports-seminar/"`) {
			t.Errorf("a search of articles finds an event")
		}
		if resp, body := get(t, base+"/search?q=speakers&kind=podcast"); resp.StatusCode != 400 || !strings.Contains(body, "podcast") {
			t.Errorf("an unknown kind: %d, want 400 naming it", resp.StatusCode)
		}
	})
}
