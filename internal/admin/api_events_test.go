package admin_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestAPIEventsAndBooks creates an event and a book through the Admin
// API, reads them back with their details and addresses, moves the event
// (its sequence counts the change), and checks each bad value is refused
// with 422 naming its field, leaving nothing stored.
func TestAPIEventsAndBooks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		event := map[string]any{
			"starts_at": "2027-03-04T18:30:00+01:00", "ends_at": "2027-03-04T20:00:00+01:00", "time_zone": "Europe/Paris",
			"location":         map[string]any{"name": "Salle Dussane", "address": "45 rue d'Ulm, 75005 Paris"},
			"registration_url": "https://example.org/register", "status": "scheduled",
		}
		status, out := e.call("editor", "POST", "/api/v1/posts", map[string]any{
			"kind": "event", "title": "Seminar on Ports", "status": "published", "event": event})
		if status != 201 {
			t.Fatalf("create event: %d %v", status, out)
		}
		if !strings.HasSuffix(out["url"].(string), "/events/seminar-on-ports/") {
			t.Errorf("event url %v", out["url"])
		}
		ev := out["event"].(map[string]any)
		if ev["starts_at"] != "2027-03-04T18:30:00+01:00" || ev["time_zone"] != "Europe/Paris" || ev["status"] != "scheduled" ||
			ev["location"].(map[string]any)["name"] != "Salle Dussane" || ev["sequence"].(float64) != 0 {
			t.Errorf("event read back: %v", ev)
		}
		id := int64(out["id"].(float64))
		event["ends_at"] = "2027-03-04T21:00:00+01:00"
		status, out = e.call("editor", "PATCH", fmt.Sprintf("/api/v1/posts/%d", id), map[string]any{"event": event})
		if status != 200 || out["event"].(map[string]any)["ends_at"] != "2027-03-04T21:00:00+01:00" || out["event"].(map[string]any)["sequence"].(float64) != 1 {
			t.Errorf("move the event: %d %v", status, out["event"])
		}

		status, out = e.call("editor", "POST", "/api/v1/posts", map[string]any{
			"kind": "book", "title": "The Long Road", "status": "published",
			"book": map[string]any{"subtitle": "Essays", "authors": []string{"A. Writer"}, "isbn": "978-0-306-40615-7",
				"publisher": "Broad Press", "published_on": "2026-05-01", "pages": 320,
				"buy_links": []map[string]any{{"label": "Bookshop", "url": "https://shop.example/long-road"}}}})
		if status != 201 {
			t.Fatalf("create book: %d %v", status, out)
		}
		bk := out["book"].(map[string]any)
		if !strings.HasSuffix(out["url"].(string), "/books/the-long-road/") || bk["isbn"] != "9780306406157" || bk["pages"].(float64) != 320 {
			t.Errorf("book read back: url %v, %v", out["url"], bk)
		}
		status, list := e.call("editor", "GET", "/api/v1/posts?kind=event", nil)
		if status != 200 || list["total"].(float64) != 1 {
			t.Errorf("list events: %d %v", status, list)
		}

		bad := func(change func(m map[string]any)) map[string]any {
			m := map[string]any{}
			for k, v := range event {
				m[k] = v
			}
			change(m)
			return map[string]any{"kind": "event", "title": "Bad", "event": m}
		}
		book := func(k string, v any) map[string]any {
			return map[string]any{"kind": "book", "title": "Bad", "book": map[string]any{k: v}}
		}
		cases := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"end before start", bad(func(m map[string]any) { m["ends_at"] = "2027-03-04T17:00:00+01:00" }), "event.ends_at"},
			{"unknown zone", bad(func(m map[string]any) { m["time_zone"] = "Mars/Olympus_Mons" }), "event.time_zone"},
			{"bad start", bad(func(m map[string]any) { m["starts_at"] = "next Tuesday" }), "event.starts_at"},
			{"no end", bad(func(m map[string]any) { delete(m, "ends_at") }), "event.ends_at"},
			{"unknown status", bad(func(m map[string]any) { m["status"] = "maybe" }), "event.status"},
			{"bad registration link", bad(func(m map[string]any) { m["registration_url"] = "javascript:alert(1)" }), "event.registration_url"},
			{"event without its details", map[string]any{"kind": "event", "title": "Bare"}, "event"},
			{"bad ISBN checksum", book("isbn", "978-0-306-40615-8"), "book.isbn"},
			{"bad ISBN-10 checksum", book("isbn", "0-306-40615-3"), "book.isbn"},
			{"bad publication date", book("published_on", "2026-13-01"), "book.published_on"},
			{"negative pages", book("pages", -3), "book.pages"},
			{"no such cover", book("cover", 4242), "book.cover"},
			{"buy link without URL", book("buy_links", []map[string]any{{"label": "Shop", "url": "shop"}}), "book.buy_links"},
			{"unknown kind", map[string]any{"kind": "podcast", "title": "x"}, "kind"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				events, _ := db.CountPosts(ctx, content.KindEvent)
				books, _ := db.CountPosts(ctx, content.KindBook)
				status, out := e.call("editor", "POST", "/api/v1/posts", c.body)
				er := errorOf(out)
				if status != 422 || er["field"] != c.field {
					t.Fatalf("got %d %v, want 422 naming %s", status, out, c.field)
				}
				if e2, _ := db.CountPosts(ctx, content.KindEvent); e2 != events {
					t.Errorf("a refused event was stored")
				}
				if b2, _ := db.CountPosts(ctx, content.KindBook); b2 != books {
					t.Errorf("a refused book was stored")
				}
			})
		}
		// An author may not create events or books (like pages).
		if status, _ := e.call("author", "POST", "/api/v1/posts", map[string]any{"kind": "event", "title": "Mine", "event": event}); status != 403 {
			t.Errorf("an author creating an event: %d, want 403", status)
		}
	})
}
