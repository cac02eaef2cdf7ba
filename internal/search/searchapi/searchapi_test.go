package searchapi_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/search/searchapi"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestSearchFor searches as the Admin API does for an editor: over every
// status by default, narrowed by status, with errors naming bad input.
func TestSearchFor(t *testing.T) {
	ctx := context.Background()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		err := db.Update(ctx, func(tx *store.Tx) error {
			for i, st := range []content.Status{content.StatusPublished, content.StatusDraft} {
				p := &content.Post{Kind: content.KindPost, Title: "Ceasefire talks " + string(st), Slug: "ceasefire-" + string(st),
					Status: st, Format: content.FormatHTML, Body: "<p>Mediators met in Doha.</p>",
					BodyHTML: "<p>Mediators met in Doha.</p>", TeaserHTML: "<p>x</p>",
					Source: &content.Source{Name: "Al Jazeera", URL: "https://example.org/a"}}
				if st == content.StatusPublished {
					p.PublishedAt = time.Date(2025, 6, 1+i, 0, 0, 0, 0, time.UTC)
				}
				if err := tx.CreatePost(ctx, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		call := func(params string) (*searchapi.Response, error) {
			t.Helper()
			v, err := url.ParseQuery(params)
			if err != nil {
				t.Fatal(err)
			}
			return searchapi.SearchFor(ctx, db, v, nil)
		}
		res, err := call("q=" + url.QueryEscape("doha"))
		if err != nil || res.Total != 2 || len(res.Results) != 2 {
			t.Fatalf("doha over every status: %v %+v", err, res)
		}
		// Editors find a republished piece by its outlet.
		if res, _ = call("q=" + url.QueryEscape(`"al jazeera"`)); res.Total != 2 || res.Results[0].Source != "Al Jazeera" {
			t.Errorf("by outlet: %+v", res)
		}
		res, _ = call("q=doha&status=draft")
		if res.Total != 1 || res.Results[0].Status != content.StatusDraft || !strings.HasPrefix(res.Results[0].SnippetHTML, "Mediators met in <mark>Doha</mark>.") || res.Results[0].Path != "" {
			t.Errorf("drafts only: %+v", res)
		}
		// An author sees their own drafts only, and everyone's published posts.
		author := &content.User{ID: 9999, Slug: "someone", Name: "Someone", Role: content.RoleAuthor}
		got, err := searchapi.SearchFor(ctx, db, url.Values{"q": {"doha"}}, author)
		if err != nil || got.Total != 0 {
			t.Errorf("an author searching others' entries: %+v, %v", got, err)
		}
		got, err = searchapi.SearchFor(ctx, db, url.Values{"q": {"doha"}, "status": {"published"}}, author)
		if err != nil || got.Total != 1 {
			t.Errorf("an author searching published posts: %+v, %v", got, err)
		}
		// Bad parameters are invalid values naming the parameter (the
		// Admin API answers them 422).
		for params, field := range map[string]string{"q=doha&status=lost": "status", "q=doha&per_page=1000": "per_page"} {
			_, err := call(params)
			var ce *content.Error
			if !errors.As(err, &ce) || ce.Code != content.EInvalid || ce.Field != field || ce.Message == "" {
				t.Errorf("%s: %v, want an invalid %s", params, err, field)
			}
		}
	})
}
