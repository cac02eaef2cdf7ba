package store_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestMediaEditsChangeTheirFeaturingPosts: a post's page shows its
// featured image's address, alt text and caption, so editing or deleting
// the image is a change to the posts featuring it, which caches hear.
func TestMediaEditsChangeTheirFeaturingPosts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		posts := seed(t, db, 3)
		featuring := posts[0].ID
		var img, unused content.Media
		err := db.Update(ctx, func(tx *store.Tx) error {
			img = content.Media{Key: "2026/01/pier.jpg", Filename: "pier.jpg", MIME: "image/jpeg", Width: 800, Height: 600, Alt: "A pier"}
			unused = content.Media{Key: "2026/01/gull.jpg", Filename: "gull.jpg", MIME: "image/jpeg", Alt: "A gull"}
			if err := tx.CreateMedia(ctx, &img); err != nil {
				return err
			}
			if err := tx.CreateMedia(ctx, &unused); err != nil {
				return err
			}
			return tx.SetFeatured(ctx, featuring, img.ID)
		})
		if err != nil {
			t.Fatal(err)
		}
		var got []store.Change
		db.Subscribe(func(_ context.Context, c store.Change) { got = append(got, c) })
		steps := []func(tx *store.Tx) error{
			func(tx *store.Tx) error { return tx.SetMediaAlt(ctx, img.ID, "The pier at dusk") },
			func(tx *store.Tx) error {
				m := img
				m.Caption = "Photograph: the harbour office"
				return tx.UpdateImportedMedia(ctx, &m)
			},
			func(tx *store.Tx) error { return tx.SetMediaAlt(ctx, unused.ID, "A gull in flight") },
			func(tx *store.Tx) error { return tx.DeleteMedia(ctx, img.ID) },
		}
		for _, step := range steps {
			if err := db.Update(ctx, step); err != nil {
				t.Fatal(err)
			}
		}
		want := []store.Change{
			{Posts: []int64{featuring}}, // alt text
			{Posts: []int64{featuring}}, // caption
			// an image no post features changes no page
			{Posts: []int64{featuring}}, // deleted: the post loses its image
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
		if m, err := db.FindFeatured(ctx, featuring); err != nil || m != nil {
			t.Errorf("featured image after its deletion: %v, %v", m, err)
		}
	})
}

// TestFindFeaturedImages reads a listing's thumbnails at once: the
// featured image of each post that has one, with its variants, and
// nothing for the others.
func TestFindFeaturedImages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		posts := seed(t, db, 3)
		img := content.Media{Key: "2026/01/pier.jpg", Filename: "pier.jpg", MIME: "image/jpeg", Width: 1600, Height: 900, Alt: "A pier",
			Variants: []content.Variant{{Width: 400, Key: "2026/01/pier-400.jpg"}, {Width: 800, Key: "2026/01/pier-800.jpg"}}}
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.CreateMedia(ctx, &img); err != nil {
				return err
			}
			return tx.SetFeatured(ctx, posts[1].ID, img.ID)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.FindFeaturedImages(ctx, []int64{posts[0].ID, posts[1].ID, posts[2].ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[posts[1].ID] == nil {
			t.Fatalf("featured images: %v, want only post %d's", got, posts[1].ID)
		}
		if m := got[posts[1].ID]; m.Alt != "A pier" || m.Srcset() != "/media/2026/01/pier-400.jpg 400w, /media/2026/01/pier-800.jpg 800w, /media/2026/01/pier.jpg 1600w" {
			t.Errorf("featured image %+v, srcset %q", m, m.Srcset())
		}
		if none, err := db.FindFeaturedImages(ctx, nil); err != nil || len(none) != 0 {
			t.Errorf("no posts: %v, %v", none, err)
		}
	})
}
