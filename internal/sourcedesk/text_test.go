package sourcedesk_test

import (
	"context"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/sourcedesk"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestFeedTextNoDatabaseCanStoreIsCleaned reads a JSON Feed whose items
// carry NUL characters, as an outlet's feed may: the items reach the inbox
// on every engine with those characters dropped, rather than the feed
// failing to poll.
func TestFeedTextNoDatabaseCanStoreIsCleaned(t *testing.T) {
	feed := `{"version": "https://jsonfeed.org/version/1.1", "title": "Wire", "items": [
		{"id": "a\u0000", "url": "https://wire.example/a", "title": "Port\u0000 reopens",
		 "summary": "Ships\u0000 sail.", "content_html": "<p>Ships\u0000 sail.</p>", "authors": [{"name": "Lin\u0000 Wei"}]}]}`
	items, _, err := (&sourcedesk.Desk{}).ParseFeed([]byte(feed), "https://wire.example/feed.json")
	if err != nil || len(items) != 1 {
		t.Fatalf("ParseFeed: %d items, %v", len(items), err)
	}
	it := items[0]
	for name, s := range map[string]string{"guid": it.GUID, "title": it.Title, "summary": it.Summary, "content": it.Content, "author": it.Author} {
		if err := content.StorableText(name, s); err != nil {
			t.Errorf("%s %q: %v", name, s, err)
		}
	}
	if it.Title != "Port reopens" || it.Author != "Lin Wei" {
		t.Errorf("title %q, author %q: want the NULs dropped and nothing else", it.Title, it.Author)
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Update(ctx, func(tx *store.Tx) error {
			o := &content.Outlet{Name: "Wire", Homepage: "https://wire.example/"}
			if err := tx.CreateOutlet(ctx, o); err != nil {
				return err
			}
			item := *it
			item.OutletID = o.ID
			_, err := tx.AddItem(ctx, &item)
			return err
		})
		if err != nil {
			t.Fatalf("storing the item: %v", err)
		}
		got, _, err := db.FindItems(ctx, store.ItemFilter{Limit: 10})
		if err != nil || len(got) != 1 || !strings.HasPrefix(got[0].Title, "Port") {
			t.Errorf("inbox: %v %v", got, err)
		}
	})
}
