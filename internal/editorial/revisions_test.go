package editorial_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"slices"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestRevisionsKeepTermsAndFeaturedImage files a post under one section
// with a featured image, moves it to another section without the image,
// and from Markdown to HTML, and restores the first revision: the section,
// the tags, the image and the Markdown come back with the text, as an
// editor undoing a mistake expects.
func TestRevisionsKeepTermsAndFeaturedImage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		editor := content.User{Name: "Ada Editor", Email: "ada@example.org", Role: content.RoleEditor}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.CreateAccount(ctx, &editor, "ada-editor", "x") }); err != nil {
			t.Fatal(err)
		}
		storage, err := media.OpenStorage(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var pic bytes.Buffer
		if err := png.Encode(&pic, image.NewRGBA(image.Rect(0, 0, 40, 30))); err != nil {
			t.Fatal(err)
		}
		m, err := (&editorial.Library{DB: db, Storage: storage}).Upload(ctx, &editor, "port.png", pic.Bytes(), "The port at dawn")
		if err != nil {
			t.Fatal(err)
		}

		s := &editorial.Service{DB: db}
		for _, section := range []string{"Africa", "Economy"} {
			if _, err := s.CreateTerm(ctx, &editor, content.TaxCategory, editorial.TermInput{Name: &section}); err != nil {
				t.Fatal(err)
			}
		}
		title, cats, tags, featured := "The port opens", []string{"Africa"}, []string{"trade", "ports"}, m.ID
		e, err := s.Create(ctx, &editor, editorial.Input{Title: &title, Categories: &cats, Tags: &tags, FeaturedImage: &featured})
		if err != nil {
			t.Fatal(err)
		}
		title2, cats2, tags2, none := "The port opens, late", []string{"Economy"}, []string{}, int64(0)
		html, body2 := content.FormatHTML, "<p>Late, <em>again</em>.</p>"
		if _, err := s.Update(ctx, &editor, e.ID, editorial.Input{Title: &title2, Categories: &cats2, Tags: &tags2, FeaturedImage: &none,
			Format: &html, Body: &body2}); err != nil {
			t.Fatal(err)
		}

		r1, err := db.FindRevision(ctx, e.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(r1.Categories, cats) || !slices.Equal(r1.Tags, tags) || r1.FeaturedID != m.ID {
			t.Errorf("revision 1 records %v, %v, image %d; want %v, %v, image %d", r1.Categories, r1.Tags, r1.FeaturedID, cats, tags, m.ID)
		}
		r2, err := db.FindRevision(ctx, e.ID, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(r2.Categories, cats2) || len(r2.Tags) != 0 || r2.FeaturedID != 0 {
			t.Errorf("revision 2 records %v, %v, image %d; want %v, no tags, no image", r2.Categories, r2.Tags, r2.FeaturedID, cats2)
		}

		v := 2
		restored, err := s.RestoreRevision(ctx, &editor, e.ID, 1, &v)
		if err != nil {
			t.Fatal(err)
		}
		var gotCats, gotTags []string
		for _, c := range restored.Categories {
			gotCats = append(gotCats, c.Name)
		}
		for _, c := range restored.Tags {
			gotTags = append(gotTags, c.Name)
		}
		slices.Sort(gotTags)
		if restored.Title != title || !slices.Equal(gotCats, cats) || !slices.Equal(gotTags, []string{"ports", "trade"}) {
			t.Errorf("restored %q in %v tagged %v; want %q in %v tagged ports, trade", restored.Title, gotCats, gotTags, title, cats)
		}
		if restored.Featured == nil || restored.Featured.ID != m.ID {
			t.Errorf("restored featured image %+v, want media %d", restored.Featured, m.ID)
		}
		if restored.Format != e.Format || restored.Body != e.Body {
			t.Errorf("restored a %s body %q, want the first revision's %s body %q", restored.Format, restored.Body, e.Format, e.Body)
		}
		if restored.Version != 3 {
			t.Errorf("the restore is version %d, want 3", restored.Version)
		}
	})
}
