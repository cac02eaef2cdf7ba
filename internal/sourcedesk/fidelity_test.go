package sourcedesk_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/sourcedesk"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// Pages in Central European encodings read as their readers see them:
// one declares windows-1250 only in its HTTP header, the other
// ISO-8859-2 only in its <meta>.
func TestRepublishDecodesLegacyEncodings(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := newOutlets(t)
		d := newDesk(t, db, 5*time.Second)
		for _, tt := range []struct{ path, title, site, text string }{
			{"/stred/2026/rozpocet.html", "Vláda schválila rozpočet: škrty i nové výdaje", "Deník Střed",
				"žluťoučký kůň úpěl ďábelské ódy"},
			{"/gazeta/2026/ustawa.html", "Sejm przyjął ustawę o ochronie środowiska", "Gazeta Łódź",
				"Zażółć gęślą jaźń, mówili posłowie"},
		} {
			res, err := d.RepublishURL(ctx, o.URL(tt.path), sourcedesk.RepublishOptions{})
			if err != nil {
				t.Fatalf("%s: %v", tt.path, err)
			}
			p := res.Post
			if p.Title != tt.title || !strings.Contains(p.Body, tt.text) || p.Source.Name != tt.site {
				t.Errorf("%s: title %q, source %q, body:\n%s", tt.path, p.Title, p.Source.Name, p.Body)
			}
			if strings.ContainsRune(p.Body, '\uFFFD') {
				t.Errorf("%s: the body holds replacement characters:\n%s", tt.path, p.Body)
			}
		}
	})
}

// A Latin-1 feed whose server names the charset, and whose XML says
// nothing, is read.
func TestPollReadsFeedInHeaderCharset(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := newOutlets(t)
		d := newDesk(t, db, 5*time.Second)
		src := &content.Outlet{Name: "Le Hebdo", Feeds: []content.Feed{{URL: o.URL("/hebdo/rss.xml")}}}
		if err := d.AddOutlet(ctx, src); err != nil {
			t.Fatal(err)
		}
		res, err := d.PollNow(ctx, src.ID)
		if err != nil || res.Err != nil || res.Added != 1 {
			t.Fatalf("poll: added %d, %v, %v", res.Added, res.Err, err)
		}
		items, _, err := db.FindItems(ctx, store.ItemFilter{OutletID: src.ID})
		if err != nil || len(items) != 1 {
			t.Fatalf("items %v, %v", items, err)
		}
		if items[0].Title != "Été : les cafés de Genève à l'heure du marché" ||
			items[0].Summary != "Les terrasses résistent à la hausse des prix." {
			t.Errorf("item %q: %q", items[0].Title, items[0].Summary)
		}
	})
}

// When neither the feed nor the page gives a date, the original's date
// stays unknown: the inbox sorts the item by when it was fetched, and the
// draft's source has no date to show readers.
func TestUndatedItemsKeepNoDate(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := newOutlets(t)
		d := newDesk(t, db, 5*time.Second)
		pollAgency(t, d, o, content.CanonicalOriginal)
		src := &content.Outlet{Name: "The Archive Review", Feeds: []content.Feed{{URL: o.URL("/review/rss.xml")}}}
		if err := d.AddOutlet(ctx, src); err != nil {
			t.Fatal(err)
		}
		if res, err := d.PollNow(ctx, src.ID); err != nil || res.Added != 1 {
			t.Fatalf("poll: %+v, %v", res, err)
		}
		items, _, err := db.FindItems(ctx, store.ItemFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var undated *content.Item
		for i, it := range items {
			if it.Title == "On the history of the corridor railway" {
				undated = it
				if !it.PublishedAt.IsZero() {
					t.Errorf("the undated item was given the date %s", it.PublishedAt)
				}
				if it.FetchedAt.IsZero() {
					t.Errorf("the undated item has no fetch time")
				}
			}
			if i > 0 {
				prev, cur := items[i-1], it
				if sortTime(cur).After(sortTime(prev)) {
					t.Errorf("inbox order: %q (%s) after %q (%s)", cur.Title, sortTime(cur), prev.Title, sortTime(prev))
				}
			}
		}
		if undated == nil {
			t.Fatalf("the undated item is not in the inbox: %v", items)
		}
		res, err := d.Republish(ctx, undated.ID, sourcedesk.RepublishOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if s := res.Post.Source; !s.PublishedAt.IsZero() || s.Author != "Tomas Berg" {
			t.Errorf("source %+v: want Tomas Berg and no date", s)
		}
	})
}

func sortTime(it *content.Item) time.Time {
	if it.PublishedAt.IsZero() {
		return it.FetchedAt
	}
	return it.PublishedAt
}

// Lazily loaded images (data-src, data-srcset, a <noscript> fallback,
// data-lazy-src) come with the article; every image left out is named in
// a warning.
func TestRepublishKeepsLazyImages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := newOutlets(t)
		d := newDesk(t, db, 5*time.Second)
		res, err := d.RepublishURL(ctx, o.URL("/lazy/2026/night-shift.html"), sourcedesk.RepublishOptions{})
		if err != nil {
			t.Fatal(err)
		}
		body := res.Post.Body
		for _, name := range []string{"harbour.png", "crane.png", "quay.png", "ship.png"} {
			if !regexp.MustCompile(`<img src="/media/sourcedesk/[^"]+-` + regexp.QuoteMeta(name) + `"`).MatchString(body) {
				t.Errorf("the image %s is not in the draft:\n%s", name, body)
			}
		}
		if strings.Contains(body, "127.0.0.1") || strings.Contains(body, "data:") || strings.Contains(body, "blank.gif") {
			t.Errorf("the draft points outside or at a placeholder:\n%s", body)
		}
		warned := strings.Join(res.Warnings, "\n")
		if len(res.Warnings) != 2 || !strings.Contains(warned, "/lazy/images/missing.png was left out") ||
			!strings.Contains(warned, `An image ("A chart of waiting times") was left out`) {
			t.Errorf("warnings:\n%s", warned)
		}
	})
}
