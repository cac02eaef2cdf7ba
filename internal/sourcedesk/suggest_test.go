package sourcedesk_test

import (
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// A source added from its homepage alone is named as the homepage names
// its outlet: og:site_name, else the publisher in its JSON-LD.
func TestAddSourceFromHomepageSuggestsItsName(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := newOutlets(t)
		d := newDesk(t, db, 5*time.Second)
		for _, tt := range []struct{ path, name, feed string }{
			{"/harbour/", "Harbour Gazette", "/harbour/rss.xml"},
			{"/kanal/", "Kanálové noviny", "/canalnotes/atom.xml"},
		} {
			s, err := d.Suggest(ctx, o.URL(tt.path))
			if err != nil || s.Name != tt.name || len(s.Feeds) != 1 || s.Feeds[0] != o.URL(tt.feed) {
				t.Errorf("%s: suggested %+v, %v; want %q and its feed", tt.path, s, err, tt.name)
			}
			src := &content.Outlet{Homepage: o.URL(tt.path)}
			if err := d.AddOutlet(ctx, src); err != nil {
				t.Fatalf("%s: %v", tt.path, err)
			}
			saved, err := db.FindOutletByID(ctx, src.ID)
			if err != nil || saved.Name != tt.name || len(saved.Feeds) != 1 {
				t.Errorf("%s: added as %+v, %v; want it named %q with its feed", tt.path, saved, err, tt.name)
			}
		}
		// A name typed by the editor stands.
		typed := &content.Outlet{Name: "The Gazette", Homepage: o.URL("/harbour/")}
		if err := d.AddOutlet(ctx, typed); err != nil || typed.Name != "The Gazette" {
			t.Errorf("typed name: %q, %v", typed.Name, err)
		}
		// A homepage that names no outlet asks for the name.
		err := d.AddOutlet(ctx, &content.Outlet{Homepage: o.URL("/plain/")})
		if ce, ok := err.(*content.Error); !ok || ce.Field != "name" {
			t.Errorf("homepage with no name: %v, want an error on the name", err)
		}
	})
}
