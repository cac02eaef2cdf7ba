package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

func addOutlet(t *testing.T, db *store.DB, o *content.Outlet) *content.Outlet {
	t.Helper()
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.CreateOutlet(ctx, o) }); err != nil {
		t.Fatalf("create source %q: %v", o.Name, err)
	}
	return o
}

func TestOutletRoundTripAndFeeds(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := addOutlet(t, db, &content.Outlet{Name: "Xinhua", Homepage: "https://english.news.cn/",
			Feeds: []content.Feed{{URL: "https://english.news.cn/rss/world.xml"}, {URL: "https://english.news.cn/rss/china.xml"}},
			Notes: "Carried under the agency's reprint terms."})
		got, err := db.FindOutletByID(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Attribution != content.DefaultAttribution || got.Canonical != content.CanonicalOriginal ||
			got.Interval != content.DefaultPollInterval || got.Notes != o.Notes || len(got.Feeds) != 2 {
			t.Fatalf("stored source = %+v", got)
		}
		if line := got.AttributionLine(); line != "The following article was originally published by Xinhua." {
			t.Errorf("attribution line = %q", line)
		}
		if !got.NextPollAt.Equal(db.Now().UTC()) {
			t.Errorf("a new source is due at once; next poll %v", got.NextPollAt)
		}
		// Validators survive an edit that keeps the feed's URL.
		if err := db.Update(ctx, func(tx *store.Tx) error {
			f := got.Feeds[1]
			f.ETag, f.LastModified = `"abc"`, "Mon, 05 Jan 2026 10:00:00 GMT"
			return tx.SaveFeedState(ctx, f)
		}); err != nil {
			t.Fatal(err)
		}
		got.Feeds = []content.Feed{{URL: "https://english.news.cn/rss/china.xml"}, {URL: "https://english.news.cn/rss/africa.xml"}}
		got.Canonical = content.CanonicalOurs
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.UpdateOutlet(ctx, got) }); err != nil {
			t.Fatal(err)
		}
		again, _ := db.FindOutletByID(ctx, o.ID)
		if len(again.Feeds) != 2 || again.Feeds[0].URL != "https://english.news.cn/rss/china.xml" ||
			again.Feeds[0].ETag != `"abc"` || again.Feeds[1].URL != "https://english.news.cn/rss/africa.xml" || again.Canonical != content.CanonicalOurs {
			t.Errorf("after edit: %+v", again)
		}
	})
}

func TestOutletValidation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		for _, tt := range []struct {
			o     content.Outlet
			field string
		}{
			{content.Outlet{Homepage: "https://a.example/"}, "name"},
			{content.Outlet{Name: "A"}, "homepage"},
			{content.Outlet{Name: "A", Homepage: "ftp://a.example/"}, "homepage"},
			{content.Outlet{Name: "A", Feeds: []content.Feed{{URL: "/feed"}}}, "feeds"},
			{content.Outlet{Name: "A", Homepage: "https://a.example/", Canonical: "theirs"}, "canonical"},
			{content.Outlet{Name: "A", Homepage: "https://a.example/", Interval: time.Second}, "interval"},
		} {
			err := db.Update(ctx, func(tx *store.Tx) error { return tx.CreateOutlet(ctx, &tt.o) })
			var ce *content.Error
			if !asError(err, &ce) || ce.Code != content.EInvalid || ce.Field != tt.field {
				t.Errorf("%+v: got %v, want an invalid %s", tt.o, err, tt.field)
			}
		}
		if all, _ := db.FindOutlets(ctx); len(all) != 0 {
			t.Errorf("invalid sources were stored: %d", len(all))
		}
	})
}

func TestClaimOutletOnlyOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := addOutlet(t, db, &content.Outlet{Name: "A", Homepage: "https://a.example/"})
		now := db.Now()
		due, err := db.FindDueOutlets(ctx, now)
		if err != nil || len(due) != 1 {
			t.Fatalf("due = %v, %v", due, err)
		}
		first, err := db.ClaimOutlet(ctx, o.ID, now, now.Add(10*time.Minute))
		if err != nil || !first {
			t.Fatalf("first claim = %v, %v", first, err)
		}
		second, err := db.ClaimOutlet(ctx, o.ID, now, now.Add(10*time.Minute))
		if err != nil || second {
			t.Fatalf("second claim = %v, %v; want refused", second, err)
		}
		if due, _ := db.FindDueOutlets(ctx, now); len(due) != 0 {
			t.Errorf("a claimed source is still due")
		}
		// A process that died mid-poll holds the source only until its claim ends.
		if ok, _ := db.ClaimOutlet(ctx, o.ID, now.Add(5*time.Minute), now.Add(15*time.Minute)); ok {
			t.Errorf("claimed while another claim holds")
		}
		if ok, _ := db.ClaimOutlet(ctx, o.ID, now.Add(10*time.Minute), now.Add(20*time.Minute)); !ok {
			t.Errorf("an expired claim was not taken over")
		}
		if err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.RecordPoll(ctx, o.ID, "https://a.example/feed: the server answered 500", 1, now.Add(time.Hour))
		}); err != nil {
			t.Fatal(err)
		}
		if ok, _ := db.ClaimOutlet(ctx, o.ID, now.Add(2*time.Hour), now.Add(3*time.Hour)); !ok {
			t.Errorf("recording the poll did not release the claim")
		}
		got, _ := db.FindOutletByID(ctx, o.ID)
		if got.Failures != 1 || got.LastError == "" || !got.LastSuccessAt.IsZero() || !got.NextPollAt.Equal(now.Add(time.Hour).UTC().Truncate(time.Second)) {
			t.Errorf("after a failed poll: %+v", got)
		}
	})
}

func TestItemsDedupAndInbox(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := addOutlet(t, db, &content.Outlet{Name: "Agency", Homepage: "https://agency.example/"})
		b := addOutlet(t, db, &content.Outlet{Name: "Daily", Homepage: "https://daily.example/"})
		t0 := time.Date(2026, 1, 14, 8, 0, 0, 0, time.UTC)
		add := func(o *content.Outlet, guid, link, title string, at time.Time) (string, *content.Item) {
			it := &content.Item{OutletID: o.ID, OutletName: o.Name, GUID: guid, URL: link, Title: title, PublishedAt: at}
			var dup string
			err := db.Update(ctx, func(tx *store.Tx) (err error) { dup, err = tx.AddItem(ctx, it); return err })
			if err != nil {
				t.Fatalf("add %q: %v", title, err)
			}
			return dup, it
		}
		tests := []struct {
			o                 *content.Outlet
			guid, link, title string
			at                time.Time
			want              string
		}{
			{a, "a-1", "https://agency.example/2026/01/summit.html", "Leaders meet at the summit in Addis Ababa", t0, ""},
			{a, "a-1", "https://agency.example/2026/01/summit-v2.html", "Leaders meet (updated)", t0, store.DupGUID},
			{b, "b-9", "http://www.agency.example/2026/01/summit.html/?utm_source=rss&utm_medium=feed#top", "Other", t0, store.DupURL},
			{b, "b-1", "https://daily.example/summit", "Leaders meet at the summit in Addis-Ababa!", t0.Add(5 * time.Hour), store.DupTitle},
			{b, "b-2", "https://daily.example/summit-later", "Leaders meet at the summit in Addis Ababa", t0.Add(30 * 24 * time.Hour), ""},
			{a, "a-2", "https://agency.example/2026/01/brief.html", "In brief", t0.Add(time.Hour), ""},
			{b, "b-3", "https://daily.example/brief", "In brief", t0.Add(time.Hour), ""},
			{a, "a-3", "https://agency.example/2026/01/trade.html?id=7&utm_campaign=x", "Trade figures for December", t0.Add(2 * time.Hour), ""},
		}
		for _, tt := range tests {
			if dup, _ := add(tt.o, tt.guid, tt.link, tt.title, tt.at); dup != tt.want {
				t.Errorf("%s %q: duplicate = %q, want %q", tt.o.Name, tt.title, dup, tt.want)
			}
		}
		items, total, err := db.FindItems(ctx, store.ItemFilter{})
		if err != nil || total != 5 || len(items) != 5 {
			t.Fatalf("inbox: %d of %d, %v", len(items), total, err)
		}
		if items[0].Title != "Leaders meet at the summit in Addis Ababa" || items[0].OutletName != "Daily" ||
			items[1].Title != "Trade figures for December" {
			t.Errorf("inbox not newest first: %q, %q", items[0].Title, items[1].Title)
		}
		bySource, n, _ := db.FindItems(ctx, store.ItemFilter{OutletID: a.ID})
		if n != 3 || len(bySource) != 3 {
			t.Errorf("filter by source: %d", n)
		}
		found, n, _ := db.FindItems(ctx, store.ItemFilter{Query: "TRADE fig"})
		if n != 1 || found[0].Title != "Trade figures for December" {
			t.Errorf("search: %d items", n)
		}
		if _, n, _ := db.FindItems(ctx, store.ItemFilter{Query: "100%_"}); n != 0 {
			t.Errorf("search for %q found %d; wildcards must be literal", "100%_", n)
		}
		// States, filters and republishing.
		target := found[0]
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.SetItemState(ctx, target.ID, content.ItemStarred) }); err != nil {
			t.Fatal(err)
		}
		starred, n, _ := db.FindItems(ctx, store.ItemFilter{States: []content.ItemState{content.ItemStarred}})
		if n != 1 || starred[0].ID != target.ID {
			t.Errorf("starred filter: %d", n)
		}
		var post *content.Post
		err = db.Update(ctx, func(tx *store.Tx) error {
			post = &content.Post{Kind: content.KindPost, Title: target.Title, Slug: "trade", Status: content.StatusDraft, Format: content.FormatHTML}
			if err := tx.CreatePost(ctx, post); err != nil {
				return err
			}
			return tx.MarkItemRepublished(ctx, target.ID, post.ID, content.CanonicalOriginal)
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(ctx, func(tx *store.Tx) error {
			return tx.MarkItemRepublished(ctx, target.ID, post.ID+1000, content.CanonicalOurs)
		})
		if content.ErrorCode(err) != content.EConflict {
			t.Errorf("second republish: %v, want a conflict", err)
		}
		back, err := db.FindItemByPostID(ctx, post.ID)
		if err != nil || back.ID != target.ID || back.State != content.ItemRepublished || back.Canonical != content.CanonicalOriginal {
			t.Errorf("post's item: %+v, %v", back, err)
		}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.SetItemState(ctx, target.ID, content.ItemSkipped) }); content.ErrorCode(err) != content.EConflict {
			t.Errorf("skipping a republished item: %v, want a conflict", err)
		}
		// Deleting a source keeps republished items as provenance.
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.DeleteOutlet(ctx, a.ID) }); err != nil {
			t.Fatal(err)
		}
		left, n, _ := db.FindItems(ctx, store.ItemFilter{})
		if n != 3 {
			t.Errorf("after deleting a source: %d items left, want 3 (Daily's two and the republished one)", n)
		}
		for _, it := range left {
			if it.OutletName == "Agency" && it.PostID != post.ID {
				t.Errorf("item %q of the deleted source survived without a post", it.Title)
			}
		}
	})
}

func asError(err error, target **content.Error) bool { return errors.As(err, target) }

// An item whose outlet gives no date keeps none, and the inbox places it
// by when it was fetched.
func TestUndatedItemKeepsNoDate(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := addOutlet(t, db, &content.Outlet{Name: "Agency", Homepage: "https://agency.example/"})
		fetched := time.Date(2026, 1, 14, 12, 0, 0, 0, time.UTC)
		items := []*content.Item{
			{GUID: "old", URL: "https://agency.example/old", Title: "Dated the day before", PublishedAt: fetched.Add(-24 * time.Hour), FetchedAt: fetched},
			{GUID: "undated", URL: "https://agency.example/undated", Title: "No date given", FetchedAt: fetched},
			{GUID: "new", URL: "https://agency.example/new", Title: "Dated an hour later", PublishedAt: fetched.Add(time.Hour), FetchedAt: fetched},
		}
		for _, it := range items {
			it.OutletID, it.OutletName = a.ID, a.Name
			if err := db.Update(ctx, func(tx *store.Tx) error { _, err := tx.AddItem(ctx, it); return err }); err != nil {
				t.Fatal(err)
			}
		}
		got, _, err := db.FindItems(ctx, store.ItemFilter{})
		if err != nil || len(got) != 3 {
			t.Fatalf("inbox: %v, %v", got, err)
		}
		if got[0].GUID != "new" || got[1].GUID != "undated" || got[2].GUID != "old" {
			t.Errorf("inbox order %s, %s, %s; want new, undated, old", got[0].GUID, got[1].GUID, got[2].GUID)
		}
		if !got[1].PublishedAt.IsZero() || !got[1].FetchedAt.Equal(fetched) {
			t.Errorf("undated item: published %s, fetched %s", got[1].PublishedAt, got[1].FetchedAt)
		}
	})
}
