package site_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// A renamed category's and a merged tag's old addresses, their pages and
// feeds, with or without the slash, answer 301 to the same page under the
// term's current slug.
func TestRenamedTermAddressesRedirect(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, "sqlite")
	srv := serve(t, db, site.DefaultTheme())
	err := db.Update(ctx, func(tx *store.Tx) error {
		u := &content.User{Slug: "amara", Name: "Amara Okafor", Role: content.RoleAuthor}
		if err := tx.UpsertUser(ctx, u); err != nil {
			return err
		}
		andes := &content.Term{Taxonomy: content.TaxCategory, Slug: "andes", Name: "Andes"}
		water := &content.Term{Taxonomy: content.TaxTag, Slug: "water", Name: "water"}
		for _, term := range []*content.Term{andes, water} {
			if err := tx.CreateTerm(ctx, term); err != nil {
				return err
			}
		}
		for i := range 3 {
			p := &content.Post{Kind: content.KindPost, Status: content.StatusPublished, PublishedAt: db.Now().Add(-time.Duration(i+1) * time.Hour),
				Format: content.FormatHTML, Title: "Glacier " + string(rune('A'+i)), Slug: "glacier-" + string(rune('a'+i)), Body: "<p>Ice.</p>",
				Authors: []content.User{*u}, Categories: []content.Term{*andes}, Tags: []content.Term{*water}}
			if err := markup.RenderPost(p); err != nil {
				return err
			}
			if err := tx.CreatePost(ctx, p); err != nil {
				return err
			}
		}
		s := content.DefaultSettings()
		s.PostsPerPage = 2
		if err := tx.SaveSettings(ctx, s); err != nil {
			return err
		}
		andes.Name, andes.Slug = "Andean region", "andean-region"
		if err := tx.UpdateTerm(ctx, andes); err != nil {
			return err
		}
		rivers := &content.Term{Taxonomy: content.TaxTag, Slug: "rivers-and-water", Name: "rivers and water"}
		if err := tx.CreateTerm(ctx, rivers); err != nil {
			return err
		}
		return tx.MergeTerm(ctx, water.ID, rivers.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	for old, want := range map[string]string{
		"/category/andes/":           "/category/andean-region/",
		"/category/andes":            "/category/andean-region/",
		"/category/andes/page/2/":    "/category/andean-region/page/2/",
		"/category/andes/feed/":      "/category/andean-region/feed/",
		"/category/andes/feed/atom/": "/category/andean-region/feed/atom/",
		"/tag/water/":                "/tag/rivers-and-water/",
		"/tag/water/feed/json/":      "/tag/rivers-and-water/feed/json/",
	} {
		resp, _ := get(t, srv.URL+old)
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
			t.Errorf("GET %s = %d to %q; want 301 to %q", old, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	for _, now := range []string{"/category/andean-region/", "/category/andean-region/feed/", "/category/andean-region/page/2/", "/tag/rivers-and-water/"} {
		if resp, _ := get(t, srv.URL+now); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", now, resp.StatusCode)
		}
	}
	// A saved search naming the old slug still finds the posts.
	if resp, body := get(t, srv.URL+"/search?q=glacier&category=andes&tag=water"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "3 results") {
		t.Errorf("search in the old category = %d; want 200 with the posts\n%s", resp.StatusCode, body)
	}
	if resp, _ := get(t, srv.URL+"/category/never-was/"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET an unknown category = %d, want 404", resp.StatusCode)
	}
}
