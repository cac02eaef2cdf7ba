package admin_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestEditorEventAndBookFields: an editor creates an event and a book from
// the admin, types their times, place, ISBN and links, publishes them, and
// sees a mistake refused with its field marked and what was typed kept.
func TestEditorEventAndBookFields(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.signIn("editor")
		create := func(kind string) int64 {
			t.Helper()
			res, err := c.PostForm(e.srv.URL+"/admin/posts/new", url.Values{"kind": {kind}})
			if err != nil {
				t.Fatal(err)
			}
			readAll(t, res)
			var id int64
			if _, err := fmt.Sscanf(res.Header.Get("Location"), "/admin/posts/%d", &id); err != nil {
				t.Fatalf("new %s: %d, Location %q", kind, res.StatusCode, res.Header.Get("Location"))
			}
			return id
		}
		save := func(id int64, fields url.Values) (int, string) {
			t.Helper()
			res, err := c.PostForm(fmt.Sprintf("%s/admin/posts/%d", e.srv.URL, id), fields)
			if err != nil {
				t.Fatal(err)
			}
			return res.StatusCode, readAll(t, res)
		}

		id := create("event")
		res, err := c.Get(fmt.Sprintf("%s/admin/posts/%d", e.srv.URL, id))
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(t, res); !strings.Contains(body, `name="event_starts_at"`) || strings.Contains(body, `name="source_url"`) {
			t.Fatalf("the event's editor lacks the event's fields, or offers a source")
		}
		event := url.Values{"kind": {"event"}, "version": {"1"}, "title": {"Seminar on Ports"}, "body": {"Three speakers."}, "action": {"publish"},
			"event_starts_at": {"2027-03-04T18:30"}, "event_ends_at": {"2027-03-04T20:00"}, "event_time_zone": {"Europe/Paris"},
			"event_place": {"Salle Dussane"}, "event_address": {"45 rue d'Ulm, Paris"}, "event_status": {"scheduled"},
			"event_registration_url": {"https://example.org/register"}}
		if status, body := save(id, event); status != 303 {
			t.Fatalf("publish the event: %d %s", status, body)
		}
		p, err := db.FindPostByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if p.Kind != content.KindEvent || p.Status != content.StatusPublished || p.Event == nil ||
			p.Event.StartsAt.Format("2006-01-02T15:04Z07:00") != "2027-03-04T17:30Z" || p.Event.Location.Name != "Salle Dussane" {
			t.Fatalf("stored event: %s %s %+v", p.Kind, p.Status, p.Event)
		}
		event.Set("event_ends_at", "2027-03-04T17:00")
		event.Set("action", "save")
		event.Set("version", "2")
		status, body := save(id, event)
		if status != 422 || !strings.Contains(body, `id="event_ends_at" value="2027-03-04T17:00" required aria-invalid="true"`) {
			t.Errorf("an end before the start: %d, the field not marked with what was typed", status)
		}

		id = create("book")
		book := url.Values{"kind": {"book"}, "version": {"1"}, "title": {"The Long Road"}, "body": {"Essays."}, "action": {"publish"},
			"book_subtitle": {"Essays"}, "book_authors": {"A. Writer\nB. Editor"}, "book_isbn": {"978-0-306-40615-8"},
			"book_published_on": {"2026-05-01"}, "book_pages": {"320"}, "book_buy_links": {"Bookshop | https://shop.example/long-road"}}
		status, body = save(id, book)
		if status != 422 || !strings.Contains(body, `aria-invalid="true"`) || !strings.Contains(body, "check digit") {
			t.Errorf("a bad ISBN: %d, not refused with its field marked", status)
		}
		book.Set("book_isbn", "978-0-306-40615-7")
		if status, body := save(id, book); status != 303 {
			t.Fatalf("publish the book: %d %s", status, body)
		}
		p, err = db.FindPostByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if p.Book == nil || p.Book.ISBN != "9780306406157" || len(p.Book.Authors) != 2 || len(p.Book.BuyLinks) != 1 || p.Book.Pages != 320 {
			t.Errorf("stored book: %+v", p.Book)
		}
		res, err = c.Get(e.srv.URL + "/admin/books")
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(t, res); res.StatusCode != 200 || !strings.Contains(body, "The Long Road") {
			t.Errorf("/admin/books: %d, lists the book: %v", res.StatusCode, strings.Contains(body, "The Long Road"))
		}
	})
}
