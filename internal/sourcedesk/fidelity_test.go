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

// Items named only by a permalink guid, an a10:link or an Atom id are
// kept; one source's items sharing an address are told apart by their
// guids, while an address another source already brought stays one item.
func TestPollKeepsItemsByEveryAddress(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := newOutlets(t)
		d := newDesk(t, db, 5*time.Second)
		wire := &content.Outlet{Name: "Wire Live", Feeds: []content.Feed{{URL: o.URL("/wire/rss.xml")}, {URL: o.URL("/notes/atom.xml")}}}
		if err := d.AddOutlet(ctx, wire); err != nil {
			t.Fatal(err)
		}
		res, err := d.PollNow(ctx, wire.ID)
		if err != nil || res.Err != nil {
			t.Fatalf("poll: %v, %v", res.Err, err)
		}
		items, _, err := db.FindItems(ctx, store.ItemFilter{OutletID: wire.ID})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, it := range items {
			got[it.Title] = strings.TrimPrefix(it.URL, o.srv.URL)
		}
		want := map[string]string{
			"Only a permalink guid names this story":                 "/wire/2026/permalink.html",
			"Only an a10:link names this story":                      "/wire/2026/a10.html",
			"Live: the first update from the summit floor":           "/wire/live",
			"Live: delegates break for lunch after a long morning":   "/wire/live",
			"Live: the declaration is signed in the evening session": "/wire/live",
			"A note named only by its id":                            "/notes/2026/id-only",
			"A note with a tag id and a link":                        "/notes/2026/linked",
		}
		for title, path := range want {
			if got[title] != path {
				t.Errorf("%q: address %q, want %q", title, got[title], path)
			}
		}
		if len(items) != len(want) || res.Added != len(want) {
			t.Errorf("%d items (%d added), want %d: %v", len(items), res.Added, len(want), got)
		}

		// Another source linking to the live page is the same article.
		if err := db.Update(ctx, func(tx *store.Tx) error {
			dup, err := tx.AddItem(ctx, &content.Item{OutletName: "Elsewhere", GUID: "elsewhere-1",
				URL: o.URL("/wire/live?utm_source=rss"), Title: "Summit live coverage, shared"})
			if dup != store.DupURL {
				t.Errorf("another source's item with the live address: duplicate %q, want %q", dup, store.DupURL)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	})
}

// A feed with more new items than one poll brings in gives them all over
// several polls, saying how many are left, and none is dropped.
func TestPollBringsLongFeedsInOverSeveralPolls(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := newOutlets(t)
		d := newDesk(t, db, 5*time.Second)
		src := &content.Outlet{Name: "Market Wire", Feeds: []content.Feed{{URL: o.URL("/many/rss.xml")}}}
		if err := d.AddOutlet(ctx, src); err != nil {
			t.Fatal(err)
		}
		res, err := d.PollNow(ctx, src.ID)
		if err != nil || res.Err != nil || res.Added != sourcedesk.DefaultMaxItems || res.Pending != 50 {
			t.Fatalf("first poll: added %d, pending %d, %v, %v", res.Added, res.Pending, res.Err, err)
		}
		if !res.NextPollAt.Equal(db.Now().UTC().Truncate(time.Second)) {
			t.Errorf("with items pending the next poll is at %s, want now", res.NextPollAt)
		}
		due, err := d.PollDue(ctx)
		if err != nil || len(due) != 1 || due[0].Added != 50 || due[0].Pending != 0 || due[0].NotModified != 0 {
			t.Fatalf("second poll: %+v, %v", due, err)
		}
		items, total, err := db.FindItems(ctx, store.ItemFilter{OutletID: src.ID})
		if err != nil || total != 250 {
			t.Fatalf("%d items, want 250: %v", total, err)
		}
		if items[len(items)-1].Title != "Market report number 1 of the year" || items[0].Title != "Market report number 250 of the year" {
			t.Errorf("oldest %q, newest %q", items[len(items)-1].Title, items[0].Title)
		}
	})
}

// A republished post names the original by the address its page declares
// (rel=canonical, else og:url), not by the feed's link with its tracking
// parameters.
func TestRepublishPrefersTheDeclaredAddress(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := newOutlets(t)
		d := newDesk(t, db, 5*time.Second)
		src := &content.Outlet{Name: "Port Press", Feeds: []content.Feed{{URL: o.URL("/press/rss.xml")}}, Canonical: content.CanonicalOriginal}
		if err := d.AddOutlet(ctx, src); err != nil {
			t.Fatal(err)
		}
		if res, err := d.PollNow(ctx, src.ID); err != nil || res.Added != 2 {
			t.Fatalf("poll: %+v, %v", res, err)
		}
		items, _, err := db.FindItems(ctx, store.ItemFilter{OutletID: src.ID})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"The port signs a deal for a fourth berth":           "/press/2026/port-deal.html",
			"Shipping lines agree to pay for faster turnarounds": "/press/2026/fees.html",
		}
		for _, it := range items {
			res, err := d.Republish(ctx, it.ID, sourcedesk.RepublishOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimPrefix(res.Post.Source.URL, o.srv.URL); got != want[it.Title] {
				t.Errorf("%q: source address %q, want %q", it.Title, got, want[it.Title])
			}
			if !res.Post.CanonicalSource {
				t.Errorf("%q: the post does not name the original as canonical", it.Title)
			}
		}
	})
}

// Players from the allowlist are kept as responsive figures playing from
// the providers' privacy-friendly addresses; any other embed becomes a
// link naming what was there, with a warning.
func TestRepublishKeepsEmbeddedVideo(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := newOutlets(t)
		d := newDesk(t, db, 5*time.Second)
		res, err := d.RepublishURL(ctx, o.URL("/canal/2026/lock.html"), sourcedesk.RepublishOptions{})
		if err != nil {
			t.Fatal(err)
		}
		body := res.Post.Body
		for _, want := range []string{
			`<figure class="video-embed"><iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" title="The ship enters the lock"`,
			`<figure class="video-embed"><iframe src="https://player.vimeo.com/video/76979871?dnt=1" title="The engineers explain the lock"`,
			`<figcaption>The engineers explain the lock.</figcaption></figure>`,
			`<figure class="video-embed"><iframe src="https://www.dailymotion.com/embed/video/x8abc12" title="From the air"`,
			`<p class="embed-placeholder">Embedded content from <a href="https://maps.example/embed?route=canal">maps.example</a> (Interactive map of the route) is not shown here.</p>`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the draft lacks %s", want)
			}
		}
		if strings.Contains(body, "youtube.com/") || strings.Contains(body, "autoplay") || strings.Contains(body, "ads.example") {
			t.Errorf("the draft keeps a tracking player, autoplay or an advertisement:\n%s", body)
		}
		if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "https://maps.example/embed?route=canal") {
			t.Errorf("warnings: %q", res.Warnings)
		}
	})
}

// When the page cannot be read and the draft holds the feed's text, the
// players embedded in that text are kept the same way.
func TestRepublishFromFeedTextKeepsEmbeddedVideo(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := newOutlets(t)
		d := newDesk(t, db, 5*time.Second)
		src := &content.Outlet{Name: "Canal News", Feeds: []content.Feed{{URL: o.URL("/canal/rss.xml")}}}
		if err := d.AddOutlet(ctx, src); err != nil {
			t.Fatal(err)
		}
		if res, err := d.PollNow(ctx, src.ID); err != nil || res.Added != 1 {
			t.Fatalf("poll: %+v, %v", res, err)
		}
		items, _, err := db.FindItems(ctx, store.ItemFilter{OutletID: src.ID})
		if err != nil || len(items) != 1 {
			t.Fatalf("items: %v, %v", items, err)
		}
		res, err := d.Republish(ctx, items[0].ID, sourcedesk.RepublishOptions{})
		if err != nil {
			t.Fatal(err)
		}
		body := res.Post.Body
		if !strings.Contains(body, `<figure class="video-embed"><iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" title="The lock opens"`) ||
			!strings.Contains(body, `<p class="embed-placeholder">Embedded content from <a href="https://polls.example/embed/42">polls.example</a> (Reader poll) is not shown here.</p>`) {
			t.Errorf("the draft from the feed's text lost its embeds:\n%s", body)
		}
		warned := strings.Join(res.Warnings, "\n")
		if len(res.Warnings) != 2 || !strings.Contains(warned, "the draft holds the text the feed carried") ||
			!strings.Contains(warned, "https://polls.example/embed/42") {
			t.Errorf("warnings:\n%s", warned)
		}
	})
}
