package editorial_test

import (
	"context"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// An editor saving a republished post sends the attribution the form
// shows (outlet, address, author, date); the original's headline and the
// feed that carried it, which the form does not show, are kept while the
// post names the same original, and dropped when it names another.
func TestSavingKeepsTheOriginalsProvenance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		editor := content.User{Name: "Ada Editor", Email: "ada@example.org", Role: content.RoleEditor}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.CreateAccount(ctx, &editor, "ada-editor", "x") }); err != nil {
			t.Fatal(err)
		}
		s := &editorial.Service{DB: db}
		const orig = "https://wire.example/2026/port.html"
		title := "The port opens"
		full := &content.Source{Name: "Wire", URL: orig, Author: "Lin Wei", Title: "Port opens to ships",
			Feed: "https://wire.example/rss.xml", FeedTitle: "Wire – World"}
		e, err := s.Create(ctx, &editor, editorial.Input{Title: &title, Source: full})
		if err != nil {
			t.Fatal(err)
		}
		// The form sends what it shows.
		if _, err := s.Update(ctx, &editor, e.ID, editorial.Input{Source: &content.Source{Name: "Wire Agency", URL: orig, Author: "Lin Wei"}}); err != nil {
			t.Fatal(err)
		}
		p, err := db.FindPostByID(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Source.Name != "Wire Agency" || p.Source.Title != full.Title || p.Source.Feed != full.Feed || p.Source.FeedTitle != full.FeedTitle {
			t.Errorf("after an edit of the attribution: %+v, want the headline and feed kept", p.Source)
		}
		other := "https://elsewhere.example/a.html"
		if _, err := s.Update(ctx, &editor, e.ID, editorial.Input{Source: &content.Source{Name: "Elsewhere", URL: other}}); err != nil {
			t.Fatal(err)
		}
		p, _ = db.FindPostByID(ctx, e.ID)
		if p.Source.Title != "" || p.Source.Feed != "" {
			t.Errorf("naming another original kept the first one's provenance: %+v", p.Source)
		}
	})
}
