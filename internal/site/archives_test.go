package site_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestArchivesOfUnpublishedPostsDoNotExist gives a tag, a category and an
// author posts readers may not see (a draft, a scheduled post, a private
// one): their archives answer 404, have no feeds, and no sitemap lists
// them, until one of their posts is published.
func TestArchivesOfUnpublishedPostsDoNotExist(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		ctx := context.Background()
		now := db.Now()
		var embargoed *content.Post
		err := db.Update(ctx, func(tx *store.Tx) error {
			ghost := &content.User{Slug: "ghost", Name: "Ghost Writer", Role: content.RoleAuthor}
			if err := tx.UpsertUser(ctx, ghost); err != nil {
				return err
			}
			embargo := &content.Term{Taxonomy: content.TaxTag, Slug: "embargo", Name: "Merger embargo"}
			desk := &content.Term{Taxonomy: content.TaxCategory, Slug: "secret-desk", Name: "Secret desk"}
			for _, term := range []*content.Term{embargo, desk} {
				if err := tx.UpsertTerm(ctx, term); err != nil {
					return err
				}
			}
			for i, st := range []struct {
				status content.Status
				at     time.Time
			}{
				{content.StatusDraft, time.Time{}},
				{content.StatusScheduled, now.Add(24 * time.Hour)},
				{content.StatusPrivate, now.Add(-time.Hour)},
			} {
				p := &content.Post{Kind: content.KindPost, Status: st.status, PublishedAt: st.at, Format: content.FormatHTML,
					Title: "Unseen " + string(st.status), Slug: "unseen-" + string(rune('a'+i)), Body: "<p>Not for readers yet.</p>",
					Authors: []content.User{*ghost}, Categories: []content.Term{*desk}, Tags: []content.Term{*embargo}}
				if err := markup.RenderPost(p); err != nil {
					return err
				}
				if err := tx.CreatePost(ctx, p); err != nil {
					return err
				}
				if st.status == content.StatusDraft {
					embargoed = p
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		archives := []string{"/tag/embargo/", "/category/secret-desk/", "/author/ghost/"}
		for _, a := range archives {
			for _, path := range []string{a, a + "page/2/", a + "feed/", a + "feed/atom/", a + "feed/json/"} {
				resp, body := fx.get(path)
				if resp.StatusCode != http.StatusNotFound {
					t.Errorf("GET %s: %s, want 404", path, resp.Status)
				}
				for _, secret := range []string{"Merger embargo", "Secret desk", "Ghost Writer", "Unseen"} {
					if strings.Contains(string(body), secret) {
						t.Errorf("GET %s tells %q", path, secret)
					}
				}
			}
		}
		if resp, body := fx.get("/search?q=not"); resp.StatusCode != http.StatusOK || strings.Contains(string(body), "Ghost Writer") || strings.Contains(string(body), "Merger embargo") {
			t.Errorf("GET /search: %s, or its form offers the author or tag of unpublished posts", resp.Status)
		}
		sitemaps := func() string {
			var all strings.Builder
			for _, name := range []string{"/sitemaps/categories.xml", "/sitemaps/tags.xml", "/sitemaps/authors.xml"} {
				if resp, body := fx.get(name); resp.StatusCode == http.StatusOK {
					all.Write(body)
				}
			}
			return all.String()
		}
		for _, a := range archives {
			if strings.Contains(sitemaps(), a) {
				t.Errorf("a sitemap lists %s", a)
			}
		}

		// Published, the draft brings its archives into being.
		err = db.Update(ctx, func(tx *store.Tx) error {
			embargoed.Status, embargoed.PublishedAt = content.StatusPublished, now.Add(-time.Minute)
			return tx.UpdatePost(ctx, embargoed)
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range archives {
			for _, path := range []string{a, a + "feed/", a + "feed/atom/", a + "feed/json/"} {
				if resp, _ := fx.get(path); resp.StatusCode != http.StatusOK {
					t.Errorf("GET %s once a post is published: %s, want 200", path, resp.Status)
				}
			}
			if !strings.Contains(sitemaps(), a) {
				t.Errorf("once a post is published, no sitemap lists %s", a)
			}
		}
	})
}
