package editorial_test

import (
	"context"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestRestoreRevisionAfterCategoryChanges restores a revision whose
// categories were since renamed and deleted: the renamed one comes back
// under its new name, the deleted one is left out, and the restore is not
// refused for it.
func TestRestoreRevisionAfterCategoryChanges(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var ed content.User
		err := db.Update(ctx, func(tx *store.Tx) error {
			ed = content.User{Name: "Ed Ward", Email: "ed@example.org", Role: content.RoleEditor}
			return tx.CreateAccount(ctx, &ed, "ed-ward", "x")
		})
		if err != nil {
			t.Fatal(err)
		}
		s := &editorial.Service{DB: db}
		name := func(s string) *string { return &s }
		econ, err := s.CreateTerm(ctx, &ed, content.TaxCategory, editorial.TermInput{Name: name("Economics")})
		if err != nil {
			t.Fatal(err)
		}
		gone, err := s.CreateTerm(ctx, &ed, content.TaxCategory, editorial.TermInput{Name: name("Weather")})
		if err != nil {
			t.Fatal(err)
		}
		title, cats := "Rain and prices", []string{"Economics", "Weather"}
		e, err := s.Create(ctx, &ed, editorial.Input{Title: &title, Categories: &cats})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateTerm(ctx, &ed, content.TaxCategory, econ.ID, editorial.TermInput{Name: name("Economy")}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteTerm(ctx, &ed, content.TaxCategory, gone.ID); err != nil {
			t.Fatal(err)
		}
		got, err := s.RestoreRevision(ctx, &ed, e.ID, 1, nil)
		if err != nil {
			t.Fatalf("restore: %v", err)
		}
		if len(got.Categories) != 1 || got.Categories[0].ID != econ.ID || got.Categories[0].Name != "Economy" {
			t.Errorf("restored categories = %+v, want Economy alone", got.Categories)
		}
		if _, err := db.FindTermBySlug(ctx, content.TaxCategory, "weather"); !content.IsNotFound(err) {
			t.Errorf("the restore brought the deleted category back: %v", err)
		}
	})
}
