package store_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// categoryCounts maps the categories' slugs to their published posts.
func categoryCounts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	terms, err := db.FindTerms(ctx, content.TaxCategory)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, term := range terms {
		counts[term.Slug] = term.Count
	}
	return counts
}

func TestTermRenameMergeDelete(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		posts := seed(t, db, 3)
		africa, err := db.FindTermByName(ctx, content.TaxCategory, "AFRICA")
		if err != nil || africa.Slug != "africa" {
			t.Fatalf("find by name ignoring case = %+v, %v", africa, err)
		}
		if _, err := db.FindTermByName(ctx, content.TaxCategory, "Economics"); !content.IsNotFound(err) {
			t.Errorf("unknown name: err = %v, want not found", err)
		}

		// Creating a category whose slug is taken is a conflict.
		err = db.Update(ctx, func(tx *store.Tx) error {
			return tx.CreateTerm(ctx, &content.Term{Taxonomy: content.TaxCategory, Slug: "africa", Name: "Africa again"})
		})
		if content.ErrorCode(err) != content.EConflict {
			t.Errorf("create with a taken slug: err = %v, want conflict", err)
		}

		// Renaming keeps the old slug as an alias of the same term.
		renamed := *africa
		renamed.Name, renamed.Slug, renamed.Description = "African affairs", "african-affairs", "The continent"
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.UpdateTerm(ctx, &renamed) }); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindTermBySlug(ctx, content.TaxCategory, "africa"); !content.IsNotFound(err) {
			t.Errorf("old slug still finds a term: %v", err)
		}
		got, err := db.FindTermByAlias(ctx, content.TaxCategory, "africa")
		if err != nil || got.ID != africa.ID || got.Slug != "african-affairs" || got.Description != "The continent" {
			t.Errorf("alias africa = %+v, %v; want term %d now african-affairs", got, err, africa.ID)
		}
		p, err := db.FindPostByID(ctx, posts[0].ID)
		if err != nil || p.Categories[len(p.Categories)-1].Name != "African affairs" {
			t.Errorf("post's categories after rename = %+v, %v", p.Categories, err)
		}

		// Renaming onto another term's slug is a conflict and changes nothing.
		clash := renamed
		clash.Slug = "economy"
		err = db.Update(ctx, func(tx *store.Tx) error { return tx.UpdateTerm(ctx, &clash) })
		if content.ErrorCode(err) != content.EConflict {
			t.Errorf("rename onto economy: err = %v, want conflict", err)
		}

		// Merging economy into african-affairs moves its posts, and both
		// of economy's addresses lead to african-affairs.
		econ, err := db.FindTermBySlug(ctx, content.TaxCategory, "economy")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.MergeTerm(ctx, econ.ID, africa.ID) }); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[string]int{"african-affairs": 3}, categoryCounts(t, db)); diff != "" {
			t.Errorf("counts after merge (-want +got):\n%s", diff)
		}
		for _, old := range []string{"africa", "economy"} {
			if got, err := db.FindTermByAlias(ctx, content.TaxCategory, old); err != nil || got.ID != africa.ID {
				t.Errorf("alias %s after merge = %+v, %v; want term %d", old, got, err, africa.ID)
			}
		}
		aliases, err := db.FindTermAliases(ctx, africa.ID)
		if diff := cmp.Diff([]string{"africa", "economy"}, aliases); err != nil || diff != "" {
			t.Errorf("aliases (-want +got):\n%s %v", diff, err)
		}
		list, err := db.FindTermAliasList(ctx)
		if err != nil || len(list) != 2 || list[0].Slug != "africa" || list[1].Slug != "economy" ||
			list[0].Term.Slug != "african-affairs" || list[1].Term.ID != africa.ID {
			t.Errorf("alias list = %+v, %v; want africa and economy, both african-affairs", list, err)
		}
		if p, err := db.FindPostByID(ctx, posts[1].ID); err != nil || len(p.Categories) != 1 {
			t.Errorf("a post in both keeps the merged one once: %+v, %v", p.Categories, err)
		}

		// Taking back an old slug drops that alias.
		back := renamed
		back.Slug = "africa"
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.UpdateTerm(ctx, &back) }); err != nil {
			t.Fatal(err)
		}
		aliases, _ = db.FindTermAliases(ctx, africa.ID)
		if diff := cmp.Diff([]string{"african-affairs", "economy"}, aliases); diff != "" {
			t.Errorf("aliases after taking back africa (-want +got):\n%s", diff)
		}

		// Merging a category into its own grandchild leaves no cycle: the
		// grandchild takes its place, the child moves under it.
		var world, region, country *content.Term
		err = db.Update(ctx, func(tx *store.Tx) error {
			world = &content.Term{Taxonomy: content.TaxCategory, Slug: "world", Name: "World"}
			if err := tx.CreateTerm(ctx, world); err != nil {
				return err
			}
			region = &content.Term{Taxonomy: content.TaxCategory, Slug: "region", Name: "Region", ParentID: world.ID}
			if err := tx.CreateTerm(ctx, region); err != nil {
				return err
			}
			country = &content.Term{Taxonomy: content.TaxCategory, Slug: "country", Name: "Country", ParentID: region.ID}
			if err := tx.CreateTerm(ctx, country); err != nil {
				return err
			}
			return tx.MergeTerm(ctx, world.ID, country.ID)
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := db.FindTermByID(ctx, country.ID); err != nil || got.ParentID != 0 {
			t.Errorf("grandchild merged into = %+v, %v; want it at the top", got, err)
		}
		if got, err := db.FindTermByID(ctx, region.ID); err != nil || got.ParentID != country.ID {
			t.Errorf("child = %+v, %v; want it under %d", got, err, country.ID)
		}

		// A tag and a category do not merge.
		trade, err := db.FindTermBySlug(ctx, content.TaxTag, "trade")
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(ctx, func(tx *store.Tx) error { return tx.MergeTerm(ctx, trade.ID, africa.ID) })
		if content.ErrorCode(err) != content.EInvalid {
			t.Errorf("merge a tag into a category: err = %v, want invalid", err)
		}

		// Deleting the category: posts lose it, its addresses are gone,
		// subcategories move up.
		sub := &content.Term{Taxonomy: content.TaxCategory, Slug: "nigeria", Name: "Nigeria", ParentID: africa.ID}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.CreateTerm(ctx, sub) }); err != nil {
			t.Fatal(err)
		}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.DeleteTerm(ctx, africa.ID) }); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindTermByID(ctx, africa.ID); !content.IsNotFound(err) {
			t.Errorf("deleted term: err = %v, want not found", err)
		}
		if _, err := db.FindTermByAlias(ctx, content.TaxCategory, "economy"); !content.IsNotFound(err) {
			t.Errorf("deleted term's alias: err = %v, want not found", err)
		}
		if p, err := db.FindPostByID(ctx, posts[0].ID); err != nil || len(p.Categories) != 0 {
			t.Errorf("post's categories after delete = %+v, %v", p.Categories, err)
		}
		if got, err := db.FindTermByID(ctx, sub.ID); err != nil || got.ParentID != 0 {
			t.Errorf("subcategory after delete = %+v, %v; want no parent", got, err)
		}
		err = db.Update(ctx, func(tx *store.Tx) error { return tx.DeleteTerm(ctx, africa.ID) })
		if !content.IsNotFound(err) {
			t.Errorf("deleting twice: err = %v, want not found", err)
		}
	})
}
