package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestImportedMediaAndPostStructure stores what a WordPress import brings
// beyond the basics: media files with caption and import key, featured
// images, the page tree, sticky posts, SEO fields, and reads them back.
func TestImportedMediaAndPostStructure(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		m := &content.Media{Key: "2024/05/port.jpg", Filename: "port.jpg", MIME: "image/jpeg", Size: 1234,
			Alt: "Cranes at dawn", Caption: "Apapa", ImportKey: "https://old.example.org/wp-content/uploads/2024/05/port.jpg"}
		var parent, child *content.Post
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.CreateMedia(ctx, m); err != nil {
				return err
			}
			parent = &content.Post{Kind: content.KindPage, Title: "About", Slug: "about", Status: content.StatusPublished,
				PublishedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Format: content.FormatHTML, Body: "<p>a</p>", MenuOrder: 1}
			if err := tx.CreatePost(ctx, parent); err != nil {
				return err
			}
			child = &content.Post{Kind: content.KindPage, Title: "Team", Slug: "team", Status: content.StatusPublished,
				PublishedAt: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), Format: content.FormatHTML, Body: "<p>b</p>",
				ParentID: parent.ID, MenuOrder: 2, Sticky: true, SEOTitle: "Our team – Times", SEODescription: "Who we are."}
			if err := tx.CreatePost(ctx, child); err != nil {
				return err
			}
			if err := tx.SetFeatured(ctx, child.ID, m.ID); err != nil {
				return err
			}
			return tx.PutAlias(ctx, &content.Alias{Path: "/about/team/", PostID: child.ID})
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.FindPostByID(ctx, child.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ParentID != parent.ID || got.MenuOrder != 2 || !got.Sticky || got.SEOTitle != "Our team – Times" ||
			got.SEODescription != "Who we are." {
			t.Errorf("post structure: got %+v", got)
		}
		gm, err := db.FindMediaByImportKey(ctx, m.ImportKey)
		if err != nil {
			t.Fatal(err)
		}
		want := *m
		want.CreatedAt = db.Now().UTC().Truncate(time.Second)
		if diff := cmp.Diff(&want, gm); diff != "" {
			t.Errorf("media (-want +got):\n%s", diff)
		}
		if f, err := db.FindFeatured(ctx, child.ID); err != nil || f == nil || f.ID != m.ID {
			t.Errorf("featured: %+v, %v", f, err)
		}
		// A re-import's update of the description keeps the file.
		err = db.Update(ctx, func(tx *store.Tx) error {
			u := *gm
			u.Alt, u.Caption = "Cranes", "Apapa, at dawn"
			return tx.UpdateImportedMedia(ctx, &u)
		})
		if err != nil {
			t.Fatal(err)
		}
		if gm, err = db.FindMediaByStorageKey(ctx, "2024/05/port.jpg"); err != nil || gm.Alt != "Cranes" || gm.Caption != "Apapa, at dawn" {
			t.Errorf("after update: %+v, %v", gm, err)
		}
		if target, err := db.FindAliasTarget(ctx, "/about/team/"); err != nil || target != "/team/" {
			t.Errorf("alias target: %q, %v", target, err)
		}
		if target, err := db.FindAliasTarget(ctx, "/nowhere/"); err != nil || target != "" {
			t.Errorf("missing alias: %q, %v", target, err)
		}
		if path, err := db.FindSlugPath(ctx, content.KindPage, "about"); err != nil || path != "/about/" {
			t.Errorf("slug path: %q, %v", path, err)
		}
		// A second file under the same key is a conflict, not a 500.
		err = db.Update(ctx, func(tx *store.Tx) error {
			return tx.CreateMedia(ctx, &content.Media{Key: "2024/05/port.jpg", Filename: "x.jpg", MIME: "image/jpeg"})
		})
		if content.ErrorCode(err) != content.EConflict {
			t.Errorf("duplicate media key: %v", err)
		}
		// Walking the site in pages sees every entry once.
		var seen []string
		var after int64
		for {
			page, err := db.FindPostsPage(ctx, after, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			seen = append(seen, page[0].Slug)
			after = page[0].ID
		}
		if diff := cmp.Diff([]string{"about", "team"}, seen); diff != "" {
			t.Errorf("walk (-want +got):\n%s", diff)
		}
	})
}

// TestRepeatedStatementsInOneTransaction runs the same statements many
// times in one transaction, as a bulk import does, with a failure midway
// that must roll everything back.
func TestRepeatedStatementsInOneTransaction(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		err := db.Update(ctx, func(tx *store.Tx) error {
			for i := 0; i < 100; i++ {
				p := &content.Post{Kind: content.KindPost, Title: "T", Slug: "t-" + string(rune('a'+i%26)) + string(rune('a'+i/26)),
					Status: content.StatusDraft, Format: content.FormatHTML, Body: "x"}
				if err := tx.CreatePost(ctx, p); err != nil {
					return err
				}
				if _, err := tx.FindPostByID(ctx, p.ID); err != nil {
					return err
				}
			}
			// The same slug again: a conflict, through a prepared statement.
			return tx.CreatePost(ctx, &content.Post{Kind: content.KindPost, Title: "T", Slug: "t-aa",
				Status: content.StatusDraft, Format: content.FormatHTML, Body: "x"})
		})
		if content.ErrorCode(err) != content.EConflict {
			t.Fatalf("got %v, want a conflict", err)
		}
		if n, err := db.CountPosts(ctx, content.KindPost); err != nil || n != 0 {
			t.Errorf("after the rollback: %d posts, %v", n, err)
		}
	})
}

// TestPostPasswordIsKept stores a password-protected post, changes its
// password and removes it, reading each back on both engines; a listing
// reads it too, so pages of teasers know the post is protected.
func TestPostPasswordIsKept(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		p := &content.Post{Kind: content.KindPost, Title: "Members only", Slug: "members", Status: content.StatusPublished,
			PublishedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Format: content.FormatHTML, Body: "<p>fees</p>", Password: "hunter2"}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.CreatePost(ctx, p) }); err != nil {
			t.Fatal(err)
		}
		for _, pw := range []string{"hunter2", "s3cret ü", ""} {
			if pw != p.Password {
				p.Password = pw
				if err := db.Update(ctx, func(tx *store.Tx) error { return tx.UpdatePost(ctx, p) }); err != nil {
					t.Fatal(err)
				}
			}
			got, err := db.FindPostByID(ctx, p.ID)
			if err != nil || got.Password != pw {
				t.Errorf("password read back = %q (%v), want %q", got.Password, err, pw)
			}
			listed, _, err := db.FindPosts(ctx, store.PostFilter{Limit: 10})
			if err != nil || len(listed) != 1 || listed[0].Password != pw {
				t.Errorf("listing: %+v, %v; want the password %q", listed, err, pw)
			}
		}
		p.Password = strings.Repeat("x", content.MaxPasswordLen+1)
		err := db.Update(ctx, func(tx *store.Tx) error { return tx.UpdatePost(ctx, p) })
		if content.ErrorCode(err) != content.EInvalid || !strings.Contains(err.Error(), "password") {
			t.Errorf("an over-long password: %v, want an invalid-field error naming it", err)
		}
	})
}
