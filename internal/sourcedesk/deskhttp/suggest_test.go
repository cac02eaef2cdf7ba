package deskhttp_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/fetch"
	"github.com/broadsheet/broadsheet/internal/sourcedesk"
	"github.com/broadsheet/broadsheet/internal/sourcedesk/desktest"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// Adding a source from its homepage with no name offers the name the
// homepage gives, with its feeds, for the editor to check and send.
func TestSourcesPageSuggestsTheNameFromTheHomepage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		out := desktest.Outlet(t)
		desk := &sourcedesk.Desk{DB: db, Fetch: fetch.New(fetch.Options{AllowPrivate: true, Timeout: 5 * time.Second})}
		do := pagesClient(t, desk)
		st, _, body := do("POST", "/admin/sources", url.Values{"name": {""}, "homepage": {out.URL + "/harbour/"}, "interval": {"30"}}, true)
		if st != 200 || !strings.Contains(body, `id="name" name="name" value="Harbour Gazette"`) ||
			!strings.Contains(body, out.URL+"/harbour/rss.xml</textarea>") || !strings.Contains(body, `id="desk-notice"`) {
			t.Fatalf("suggestion: %d\n%s", st, body)
		}
		if all, _ := db.FindOutlets(context.Background()); len(all) != 0 {
			t.Errorf("the suggestion added the source before the editor sent it")
		}
		st, _, _ = do("POST", "/admin/sources", url.Values{"name": {"Harbour Gazette"}, "homepage": {out.URL + "/harbour/"},
			"feeds": {out.URL + "/harbour/rss.xml"}, "interval": {"30"}}, true)
		if st != 303 {
			t.Fatalf("add: %d", st)
		}
	})
}

// What a poll read only in part is shown beside the source.
func TestSourcesPageShowsAFeedReadInPart(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		desk := &sourcedesk.Desk{DB: db}
		do := pagesClient(t, desk)
		o := &content.Outlet{Name: "Harbour Gazette", Feeds: []content.Feed{{URL: "https://harbour.example/rss.xml"}}}
		o.Normalize()
		const warning = "https://harbour.example/rss.xml: the feed ends in the middle of an item"
		if err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.CreateOutlet(ctx, o); err != nil {
				return err
			}
			if err := tx.RecordPoll(ctx, o.ID, "", 0, tx.Now.Add(time.Hour)); err != nil {
				return err
			}
			return tx.RecordPollWarning(ctx, o.ID, warning)
		}); err != nil {
			t.Fatal(err)
		}
		if _, _, body := do("GET", "/admin/sources", nil, true); !strings.Contains(body, `<strong>Read in part</strong>: <span class="desk-source-warning">`+warning+`</span>`) {
			t.Errorf("the sources page does not show the warning:\n%s", body)
		}
	})
}
