package store_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestFindPostPage checks that a post's page reads what FindPostBySlug
// and FindAdjacentPosts read apart: for the newest, oldest and middle
// posts, a post sharing its neighbour's second, a draft, a scheduled post
// and a missing one.
func TestFindPostPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		posts := seed(t, db, 4)
		err := db.Update(ctx, func(tx *store.Tx) error {
			u, err := tx.FindUserBySlug(ctx, "amara")
			if err != nil {
				return err
			}
			for _, p := range []*content.Post{
				{Slug: "same-second", Status: content.StatusPublished, PublishedAt: posts[1].PublishedAt},
				{Slug: "a-draft", Status: content.StatusDraft},
				{Slug: "scheduled", Status: content.StatusPublished, PublishedAt: db.Now().Add(time.Hour)},
			} {
				p.Kind, p.Title, p.Format, p.Body, p.BodyHTML = content.KindPost, "Also "+p.Slug, content.FormatHTML, "<p>B</p>", "<p>B</p>"
				p.Authors = []content.User{*u}
				if err := tx.CreatePost(ctx, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		now := db.Now()
		for _, slug := range []string{posts[0].Slug, posts[1].Slug, posts[2].Slug, posts[3].Slug, "same-second", "a-draft", "scheduled"} {
			want, err := db.FindPostBySlug(ctx, content.KindPost, slug)
			if err != nil {
				t.Fatal(err)
			}
			wantOlder, wantNewer, err := db.FindAdjacentPosts(ctx, want, now)
			if err != nil {
				t.Fatal(err)
			}
			got, older, newer, err := db.FindPostPage(ctx, slug, now)
			if err != nil {
				t.Fatalf("%s: %v", slug, err)
			}
			if got.Body != "" {
				t.Errorf("%s: the post's page read its source %q, which no page shows", slug, got.Body)
			}
			wantPage := *want
			wantPage.Body = ""
			if diff := cmp.Diff(&wantPage, got); diff != "" {
				t.Errorf("%s: post (-FindPostBySlug +FindPostPage):\n%s", slug, diff)
			}
			if diff := cmp.Diff([]*content.Post{wantOlder, wantNewer}, []*content.Post{older, newer}); diff != "" {
				t.Errorf("%s: neighbours (-FindAdjacentPosts +FindPostPage):\n%s", slug, diff)
			}
			got, older, newer, err = db.FindPostPageVersion(ctx, slug, now)
			if err != nil {
				t.Fatalf("%s: %v", slug, err)
			}
			if diff := cmp.Diff([]*content.Post{version(want), version(wantOlder), version(wantNewer)}, []*content.Post{got, older, newer}); diff != "" {
				t.Errorf("%s: versions (-FindPostPage +FindPostPageVersion):\n%s", slug, diff)
			}
		}
		if _, _, _, err := db.FindPostPage(ctx, "no-such-post", now); !content.IsNotFound(err) {
			t.Errorf("a missing post: %v, want not found", err)
		}
		if _, _, _, err := db.FindPostPageVersion(ctx, "no-such-post", now); !content.IsNotFound(err) {
			t.Errorf("a missing post's version: %v, want not found", err)
		}
	})
}

// version is what FindPostPageVersion reads of p, or nil.
func version(p *content.Post) *content.Post {
	if p == nil {
		return nil
	}
	return &content.Post{ID: p.ID, Kind: p.Kind, Slug: p.Slug, Title: p.Title, Status: p.Status,
		PublishedAt: p.PublishedAt, UpdatedAt: p.UpdatedAt, SEOTitle: p.SEOTitle}
}
