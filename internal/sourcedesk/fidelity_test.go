package sourcedesk_test

import (
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
