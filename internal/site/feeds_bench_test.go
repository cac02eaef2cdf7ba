package site_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// BenchmarkFeeds measures the feeds and sitemaps of a site of 500 posts on
// SQLite beside a baseline measured in the same run: the HTML front page,
// the page readers ask for most.
//
//	go test -run '^$' -bench Feeds ./internal/site/
func BenchmarkFeeds(b *testing.B) {
	db := storetest.Open(b, "sqlite")
	ctx := context.Background()
	err := db.Update(ctx, func(tx *store.Tx) error {
		u := &content.User{Slug: "zoe", Name: "Zoë Ångström", Role: content.RoleAuthor}
		if err := tx.UpsertUser(ctx, u); err != nil {
			return err
		}
		cat := &content.Term{Taxonomy: content.TaxCategory, Slug: "africa", Name: "Africa"}
		if err := tx.UpsertTerm(ctx, cat); err != nil {
			return err
		}
		body := strings.Repeat("<p>A paragraph of “reporting” – with an <a href=\"/elsewhere/\">internal link</a>.</p>\n", 12)
		for i := range 500 {
			p := &content.Post{Kind: content.KindPost, Title: fmt.Sprintf("Story %d", i), Slug: fmt.Sprintf("story-%d", i),
				Status: content.StatusPublished, PublishedAt: db.Now().Add(-time.Duration(i) * time.Hour),
				Format: content.FormatHTML, Body: "<p>Lead.</p><!--more-->" + body,
				Authors: []content.User{*u}, Categories: []content.Term{*cat}}
			if err := markup.RenderPost(p); err != nil {
				return err
			}
			if err := tx.CreatePost(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	s, err := site.New(site.Config{DB: db, Theme: site.DefaultTheme(), BaseURL: fxBase,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: db.Now})
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	for _, bc := range []struct{ name, path string }{
		{"baseline-front-page-html", "/"},
		{"rss", "/feed/"},
		{"atom", "/feed/atom/"},
		{"json", "/feed/json/"},
		{"category-atom", "/category/africa/feed/atom/"},
		{"sitemap-index", "/sitemap.xml"},
		{"sitemap-posts", "/sitemaps/posts-1.xml"},
		{"news-sitemap", "/sitemaps/news.xml"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var size int
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, bc.path, nil))
				if w.Code != http.StatusOK {
					b.Fatalf("GET %s: %d", bc.path, w.Code)
				}
				size = w.Body.Len()
			}
			b.SetBytes(int64(size))
		})
	}
}
