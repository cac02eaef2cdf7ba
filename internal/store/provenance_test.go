package store_test

import (
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// What the desk records of a republished article's provenance is kept on
// both engines: an inbox item's feed, a post's original headline and
// feed, and what a source's last poll read only in part.
func TestDeskProvenanceRoundTrip(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := addOutlet(t, db, &content.Outlet{Name: "Wire", Homepage: "https://wire.example/",
			Feeds: []content.Feed{{URL: "https://wire.example/rss.xml"}}, Canonical: content.CanonicalOriginal,
			Interval: time.Hour, Attribution: content.DefaultAttribution})
		it := &content.Item{OutletID: o.ID, OutletName: o.Name, GUID: "w-1", URL: "https://wire.example/2026/port.html",
			Title: "Port opens to ships", FeedURL: "https://wire.example/rss.xml"}
		src := &content.Source{Name: "Wire", URL: it.URL, Title: "Port opens to ships",
			Feed: "https://wire.example/rss.xml", FeedTitle: "Wire – World"}
		p := &content.Post{Kind: content.KindPost, Title: "The port opens", Slug: "the-port-opens", Status: content.StatusDraft,
			Format: content.FormatHTML, Source: src}
		if err := db.Update(ctx, func(tx *store.Tx) error {
			if _, err := tx.AddItem(ctx, it); err != nil {
				return err
			}
			if err := tx.CreatePost(ctx, p); err != nil {
				return err
			}
			if err := tx.RecordPoll(ctx, o.ID, "", 0, tx.Now.Add(time.Hour)); err != nil {
				return err
			}
			return tx.RecordPollWarning(ctx, o.ID, "https://wire.example/rss.xml: the feed ends in the middle of an item")
		}); err != nil {
			t.Fatal(err)
		}
		if got, err := db.FindItemByID(ctx, it.ID); err != nil || got.FeedURL != it.FeedURL {
			t.Errorf("item's feed = %q, %v; want %q", got.FeedURL, err, it.FeedURL)
		}
		if got, err := db.FindPostByID(ctx, p.ID); err != nil || got.Source == nil || *got.Source != *src {
			t.Errorf("post's source = %+v, %v; want %+v", got.Source, err, src)
		}
		got, _ := db.FindOutletByID(ctx, o.ID)
		if got.LastWarning == "" || got.LastError != "" || got.LastSuccessAt.IsZero() {
			t.Errorf("after a poll read in part: %+v", got)
		}
		// The next poll clears it.
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.RecordPoll(ctx, o.ID, "", 0, tx.Now.Add(time.Hour)) }); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FindOutletByID(ctx, o.ID); got.LastWarning != "" {
			t.Errorf("the warning outlived the next poll: %q", got.LastWarning)
		}
	})
}
