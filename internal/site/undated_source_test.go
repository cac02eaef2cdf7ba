package site_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// A republished post whose original has no known date says nothing of
// one: no "on <date>" in the attribution, no datePublished for the
// original in the structured data.
func TestUndatedSourceShowsNoDate(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		ctx := context.Background()
		p := &content.Post{Kind: content.KindPost, Status: content.StatusPublished, Format: content.FormatHTML,
			Title: "An essay from the archive", Slug: "archive-essay", PublishedAt: db.Now().Add(-time.Hour),
			Body:   "<p>Our introduction.</p><p>The essay.</p>",
			Source: &content.Source{Name: "The Archive Review", URL: "https://review.example/essay", Author: "Tomas Berg"}}
		if err := markup.RenderPost(p); err != nil {
			t.Fatal(err)
		}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.CreatePost(ctx, p) }); err != nil {
			t.Fatal(err)
		}
		page := string(fx.mustGet(p.Path()))
		_, aside, _ := strings.Cut(page, `<aside class="attribution"`)
		aside, _, _ = strings.Cut(aside, `</aside>`)
		if !strings.Contains(aside, `Originally published by <strong>The Archive Review</strong>, written by Tomas Berg — <a href="https://review.example/essay"`) ||
			strings.Contains(aside, "<time") || strings.Contains(aside, ", on ") {
			t.Errorf("attribution is not \"Originally published by The Archive Review, written by Tomas Berg — read the original\" without a date:\n%s", aside)
		}
		a := fx.head(p.Path()).ld("NewsArticle")
		based, _ := a["isBasedOn"].(map[string]any)
		if based == nil || based["url"] != "https://review.example/essay" {
			t.Fatalf("isBasedOn: %v", a["isBasedOn"])
		}
		if _, ok := based["datePublished"]; ok {
			t.Errorf("isBasedOn has a date: %v", based)
		}
	})
}
