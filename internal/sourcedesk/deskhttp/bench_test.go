package deskhttp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/fetch"
	"github.com/broadsheet/broadsheet/internal/sourcedesk"
	"github.com/broadsheet/broadsheet/internal/sourcedesk/deskhttp"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// BenchmarkInboxPage renders the inbox (50 items shown of 200) on its own
// (the baseline) and inside a frame, as the admin shows it: the frame's
// cost is one more buffer and one more template.
func BenchmarkInboxPage(b *testing.B) {
	ctx := context.Background()
	db := storetest.Open(b, "sqlite")
	o := &content.Outlet{Name: "Agency Wire", Feeds: []content.Feed{{URL: "https://wire.example/feed.xml"}}}
	o.Normalize()
	err := db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CreateOutlet(ctx, o); err != nil {
			return err
		}
		for i := 0; i < 200; i++ {
			it := &content.Item{OutletID: o.ID, GUID: fmt.Sprintf("wire-%d", i), URL: fmt.Sprintf("https://wire.example/story-%d.html", i),
				Title: fmt.Sprintf("Story %d: leaders meet at the summit on trade number %d", i, i), Summary: "Leaders gathered on Wednesday for a summit on trade and security.",
				PublishedAt: time.Date(2026, 1, 14, 9, 0, 0, 0, time.UTC).Add(-time.Duration(i) * time.Hour), State: content.ItemNew}
			if _, err := tx.AddItem(ctx, it); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	ed := &content.User{ID: 1, Name: "Eda", Role: content.RoleEditor}
	base := deskhttp.Config{Desk: &sourcedesk.Desk{DB: db, Fetch: fetch.New(fetch.Options{})},
		Authorise: func(*http.Request) (*content.User, error) { return ed, nil }}
	framed := base
	framed.Frame = func(w http.ResponseWriter, r *http.Request, status int, f deskhttp.Frame) error {
		w.WriteHeader(status)
		_, err := fmt.Fprintf(w, "<!DOCTYPE html><title>%s</title><header>%s</header><main>%s</main>", f.Title, f.User.Name, f.Body)
		return err
	}
	for _, c := range []struct {
		name string
		cfg  deskhttp.Config
	}{{"baseline=own-layout", base}, {"in-a-frame", framed}} {
		b.Run(c.name, func(b *testing.B) {
			pages, err := deskhttp.NewPages(c.cfg, "/admin")
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				rec := httptest.NewRecorder()
				pages.ServeHTTP(rec, httptest.NewRequest("GET", "/admin/inbox", nil))
				if rec.Code != 200 {
					b.Fatalf("inbox: %d", rec.Code)
				}
				io.Copy(io.Discard, rec.Body)
			}
		})
	}
}
