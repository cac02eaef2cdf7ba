package sourcedesk_test

import (
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// A feed cut off in the middle of an item gives its complete items, and
// the source says, where the editor reads its errors, that the feed was
// read only in part; the next poll reads it whole again.
func TestPollKeepsTheCompleteItemsOfATruncatedFeed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := newOutlets(t)
		d := newDesk(t, db, 5*time.Second)
		for _, tt := range []struct {
			path  string
			items []string
		}{
			{"/harbour/rss.xml", []string{"Night ferries return to the harbour", "Dock workers agree a new contract"}},
			{"/canalnotes/atom.xml", []string{"The lock keepers' rota"}},
		} {
			src := &content.Outlet{Name: "Cut " + tt.path, Feeds: []content.Feed{{URL: o.URL(tt.path)}}}
			if err := d.AddOutlet(ctx, src); err != nil {
				t.Fatal(err)
			}
			res, err := d.PollNow(ctx, src.ID)
			if err != nil || res.Err != nil {
				t.Fatalf("%s: poll failed: %v, %v", tt.path, res.Err, err)
			}
			if res.Added != len(tt.items) || len(res.Warnings) != 1 {
				t.Fatalf("%s: added %d with warnings %q; want %d and one warning", tt.path, res.Added, res.Warnings, len(tt.items))
			}
			items, _, err := db.FindItems(ctx, store.ItemFilter{OutletID: src.ID})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range items {
				got = append(got, it.Title)
			}
			if strings.Join(got, "|") != strings.Join(tt.items, "|") {
				t.Errorf("%s: items %q, want %q", tt.path, got, tt.items)
			}
			saved, _ := db.FindOutletByID(ctx, src.ID)
			if saved.LastError != "" || saved.Failures != 0 {
				t.Errorf("%s: the source is marked failing: %q (%d)", tt.path, saved.LastError, saved.Failures)
			}
			if !strings.Contains(saved.LastWarning, "ends in the middle of an item") || !strings.Contains(saved.LastWarning, tt.path) ||
				!strings.Contains(saved.LastWarning, "complete items were read") {
				t.Errorf("%s: the source's warning is %q, want it to name the feed and say it was cut off", tt.path, saved.LastWarning)
			}
			if saved.Feeds[0].ETag != "" {
				t.Errorf("%s: the cut-off answer's ETag was kept, so the next poll would not read the whole feed", tt.path)
			}
			// Read whole again, the warning goes.
			if err := db.Update(ctx, func(tx *store.Tx) error {
				return tx.RecordPoll(ctx, src.ID, "", 0, db.Now())
			}); err != nil {
				t.Fatal(err)
			}
			if again, _ := db.FindOutletByID(ctx, src.ID); again.LastWarning != "" {
				t.Errorf("%s: the warning outlives the next poll: %q", tt.path, again.LastWarning)
			}
		}
	})
}
