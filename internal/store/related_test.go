package store_test

import (
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// republish links post to a new inbox item of outlet o, as the source
// desk does when an editor republishes the item.
func republish(t *testing.T, db *store.DB, o *content.Outlet, post *content.Post) {
	t.Helper()
	it := &content.Item{OutletID: o.ID, OutletName: o.Name, GUID: "guid-" + post.Slug,
		URL: "https://" + o.Slug + ".example/" + post.Slug, Title: post.Title, PublishedAt: post.PublishedAt}
	err := db.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.AddItem(ctx, it); err != nil {
			return err
		}
		return tx.MarkItemRepublished(ctx, it.ID, post.ID, content.CanonicalOriginal)
	})
	if err != nil {
		t.Fatalf("republish %s from %s: %v", post.Slug, o.Name, err)
	}
}

func TestOutletSlugsAreUniqueAndFilled(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := addOutlet(t, db, &content.Outlet{Name: "Le Monde", Homepage: "https://lemonde.example/"})
		b := addOutlet(t, db, &content.Outlet{Name: "Le Monde!", Homepage: "https://lemonde2.example/"})
		if a.Slug != "le-monde" || b.Slug != "le-monde-2" {
			t.Fatalf("slugs = %q, %q; want le-monde, le-monde-2", a.Slug, b.Slug)
		}
		// A source renamed keeps its address.
		a.Name = "Le Monde diplomatique"
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.UpdateOutlet(ctx, a) }); err != nil {
			t.Fatal(err)
		}
		if got, err := db.FindOutlet(ctx, "le-monde"); err != nil || got.ID != a.ID || got.Name != "Le Monde diplomatique" {
			t.Fatalf("FindOutlet(le-monde) = %+v, %v", got, err)
		}
		if _, err := db.FindOutlet(ctx, "nobody"); !content.IsNotFound(err) {
			t.Errorf("FindOutlet(nobody) = %v, want not found", err)
		}
		// Sources stored before slugs existed get theirs when the
		// database is migrated, oldest first.
		if err := store.FillOutletSlugs(db); err != nil {
			t.Fatal(err)
		}
		for id, want := range map[int64]string{a.ID: "le-monde-diplomatique", b.ID: "le-monde"} {
			if got, _ := db.FindOutletByID(ctx, id); got.Slug != want {
				t.Errorf("filled slug of %d = %q, want %q", id, got.Slug, want)
			}
		}
	})
}

func TestOutletArchiveAndRelatedPosts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		posts := seed(t, db, 5) // post-e (newest) … post-a
		wire := addOutlet(t, db, &content.Outlet{Name: "Wire", Homepage: "https://wire.example/"})
		daily := addOutlet(t, db, &content.Outlet{Name: "Daily", Homepage: "https://daily.example/"})
		republish(t, db, wire, posts[0])  // post-e
		republish(t, db, wire, posts[2])  // post-c
		republish(t, db, daily, posts[1]) // post-d
		now := db.Now()

		f := store.Published(now)
		f.Outlet = wire.ID
		got, total, err := db.FindPosts(ctx, f)
		if err != nil || total != 2 || len(got) != 2 || got[0].Slug != "post-e" || got[1].Slug != "post-c" {
			t.Fatalf("wire's archive = %v (total %d, %v), want post-e, post-c", slugs(got), total, err)
		}
		if got[0].OutletID != wire.ID {
			t.Errorf("post-e's outlet = %d, want %d", got[0].OutletID, wire.ID)
		}
		// Pages of an outlet's archive, and an outlet within a category.
		f.Limit, f.Offset = 1, 1
		if got, total, _ := db.FindPosts(ctx, f); total != 2 || len(got) != 1 || got[0].Slug != "post-c" {
			t.Errorf("wire's second page = %v (total %d), want post-c", slugs(got), total)
		}
		econ, _ := db.FindTermBySlug(ctx, content.TaxCategory, "economy")
		f = store.Published(now)
		f.Outlet, f.TermID = daily.ID, econ.ID
		if got, _, _ := db.FindPosts(ctx, f); len(got) != 1 || got[0].Slug != "post-d" {
			t.Errorf("daily's economy posts = %v, want post-d", slugs(got))
		}

		stamps, err := db.FindOutletStamps(ctx, now)
		if err != nil || len(stamps) != 2 || stamps[0].Slug != "daily" || stamps[0].Posts != 1 ||
			stamps[1].Slug != "wire" || stamps[1].Posts != 2 {
			t.Errorf("outlet stamps = %+v, %v", stamps, err)
		}
		// An outlet whose posts are all drafts has no archive.
		draft := posts[1]
		draft.Status = content.StatusDraft
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.UpdatePost(ctx, draft) }); err != nil {
			t.Fatal(err)
		}
		if stamps, _ := db.FindOutletStamps(ctx, now); len(stamps) != 1 || stamps[0].Slug != "wire" {
			t.Errorf("outlet stamps with daily's post a draft = %+v", stamps)
		}
		if p, _ := db.FindPostByID(ctx, draft.ID); p.OutletID != daily.ID {
			t.Errorf("an edit lost the post's outlet: %d, want %d", p.OutletID, daily.ID)
		}

		// Related: posts sharing a category or tag, newest first, never
		// the post itself nor a draft.
		rel, err := db.FindRelatedPosts(ctx, posts[2], 10, now)
		if err != nil {
			t.Fatal(err)
		}
		if s := slugs(rel.Posts); len(s) != 3 || s[0] != "post-e" || s[1] != "post-b" || s[2] != "post-a" {
			t.Errorf("related to post-c = %v, want [post-e post-b post-a]", s)
		}
		if rel.Outlet == nil || rel.Outlet.Slug != "wire" || rel.Outlet.Name != "Wire" || len(rel.FromOutlet) != 1 ||
			rel.FromOutlet[0].Slug != "post-e" {
			t.Errorf("more from post-c's outlet = %+v, %v; want wire, [post-e]", rel.Outlet, slugs(rel.FromOutlet))
		}
		if rel, _ := db.FindRelatedPosts(ctx, posts[2], 1, now); len(rel.Posts) != 1 || rel.Posts[0].Slug != "post-e" {
			t.Errorf("one related to post-c = %v, want post-e", slugs(rel.Posts))
		}
		// Deleting an outlet leaves its posts to no archive, and tells the
		// site, which shows its name.
		rec := record(db)
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.DeleteOutlet(ctx, wire.ID) }); err != nil {
			t.Fatal(err)
		}
		rec.waitFor(t, "a site change", func(cs []store.Change) bool { return len(cs) > 0 && cs[len(cs)-1].Site })
		if p, _ := db.FindPostByID(ctx, posts[0].ID); p.OutletID != 0 {
			t.Errorf("a post of a deleted outlet still names it: %d", p.OutletID)
		}
		if rel, _ := db.FindRelatedPosts(ctx, posts[2], 5, now); rel.Outlet != nil {
			t.Errorf("more from a deleted outlet: %+v", rel.Outlet)
		}

		// A post republished from no outlet has related posts alone.
		rel, err = db.FindRelatedPosts(ctx, posts[3], 5, now)
		if err != nil || rel.Outlet != nil || rel.FromOutlet != nil || len(rel.Posts) != 3 {
			t.Errorf("related to post-b = %v, outlet %+v, %v, %v", slugs(rel.Posts), rel.Outlet, slugs(rel.FromOutlet), err)
		}
	})
}
