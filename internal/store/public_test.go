package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestListingCountsFollowChanges checks that remembered listing counts are
// forgotten by every change, and that a transaction counts its own writes.
func TestListingCountsFollowChanges(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		posts := seed(t, db, 4)
		econ := posts[0].Categories[0] // the newest post is odd: economy first
		author := posts[0].Authors[0]
		total := func(f store.PostFilter) int {
			t.Helper()
			_, n, err := db.FindPosts(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		byTerm := store.Published(db.Now())
		byTerm.TermID = econ.ID
		byAuthor := store.Published(db.Now())
		byAuthor.AuthorID = author.ID
		both := byTerm
		both.AuthorID = author.ID
		for name, want := range map[string][2]int{"all": {4, 3}, "term": {2, 1}, "author": {4, 3}, "term and author": {2, 1}} {
			f := map[string]store.PostFilter{"all": store.Published(db.Now()), "term": byTerm, "author": byAuthor, "term and author": both}[name]
			if got := total(f); got != want[0] {
				t.Errorf("%s: %d posts, want %d", name, got, want[0])
			}
			total(f) // remembered now
		}
		err := db.Update(ctx, func(tx *store.Tx) error {
			p, err := tx.FindPostByID(ctx, posts[0].ID)
			if err != nil {
				return err
			}
			p.Status = content.StatusDraft
			if err := tx.UpdatePost(ctx, p); err != nil {
				return err
			}
			if _, n, err := tx.FindPosts(ctx, byTerm); err != nil || n != 1 {
				t.Errorf("inside the transaction the economy count is %d (%v), want 1", n, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string][2]int{"all": {4, 3}, "term": {2, 1}, "author": {4, 3}, "term and author": {2, 1}} {
			f := map[string]store.PostFilter{"all": store.Published(db.Now()), "term": byTerm, "author": byAuthor, "term and author": both}[name]
			if got := total(f); got != want[1] {
				t.Errorf("after unpublishing one, %s: %d posts, want %d", name, got, want[1])
			}
		}
	})
}

func TestScheduledAndPublicIndex(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		posts := seed(t, db, 3)
		now := posts[0].PublishedAt // the newest is just public
		if _, _, ok, err := db.NextScheduled(ctx, now); err != nil || ok {
			t.Errorf("nothing is scheduled, yet NextScheduled says %v (%v)", ok, err)
		}
		id, at, ok, err := db.NextScheduled(ctx, now.Add(-30*time.Minute))
		if err != nil || !ok || id != posts[0].ID || !at.Equal(posts[0].PublishedAt) {
			t.Errorf("NextScheduled before the newest: %d at %v, %v (%v); want %d", id, at, ok, err, posts[0].ID)
		}
		ids, err := db.FindPublishedBetween(ctx, now.Add(-30*time.Minute), now)
		if err != nil || len(ids) != 1 || ids[0] != posts[0].ID {
			t.Errorf("FindPublishedBetween: %v (%v), want only the newest", ids, err)
		}
		ix, err := db.FindPublicIndex(ctx, now.Add(-time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if len(ix.Entries) != 2 || ix.Entries[0].ID != posts[1].ID || ix.Entries[0].Path() != posts[1].Path() {
			t.Errorf("public index a minute before the newest: %+v", ix.Entries)
		}
		if n := ix.AuthorCounts[posts[0].Authors[0].ID]; n != 2 {
			t.Errorf("author count %d, want 2", n)
		}
		if n := ix.TermCounts[posts[1].Tags[0].ID]; n != 2 {
			t.Errorf("tag count %d, want 2", n)
		}
		err = db.Update(ctx, func(tx *store.Tx) error {
			return tx.PutAlias(ctx, &content.Alias{Path: "/old/", Target: "/new/"})
		})
		if err != nil {
			t.Fatal(err)
		}
		if as, err := db.FindAliases(ctx); err != nil || len(as) != 1 || as[0].Target != "/new/" {
			t.Errorf("FindAliases: %+v (%v)", as, err)
		}
	})
}

// TestPagingPageAfterPage checks that pages read one after another (which
// start where the previous ended) hold what reading at an offset holds,
// before and after a change.
func TestPagingPageAfterPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		posts := seed(t, db, 11)
		africa := posts[0].Categories[0] // every post is in Africa
		ids := func(ps []*content.Post) (out []int64) {
			for _, p := range ps {
				out = append(out, p.ID)
			}
			return out
		}
		check := func(step string) {
			t.Helper()
			for _, term := range []int64{0, africa.ID, posts[1].Categories[0].ID} { // all, every, every other
				f := store.Published(db.Now())
				f.TermID, f.Limit = term, 3
				for round := range 2 { // the second round reads with cursors
					for off := 0; off < 12; off += 3 {
						f.Offset = off
						got, _, err := db.FindPosts(ctx, f)
						if err != nil {
							t.Fatal(err)
						}
						var want []*content.Post
						db.Update(ctx, func(tx *store.Tx) error { // a Tx reads by offset alone
							want, _, err = tx.FindPosts(ctx, f)
							return err
						})
						if a, b := ids(got), ids(want); len(a) != len(b) || fmt.Sprint(a) != fmt.Sprint(b) {
							t.Errorf("%s, term %d, round %d, offset %d: %v, want %v", step, term, round, off, a, b)
						}
					}
				}
			}
		}
		check("as seeded")
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.DeletePost(ctx, posts[4].ID) }); err != nil {
			t.Fatal(err)
		}
		check("after a delete")
	})
}

// TestRememberedCountsMeetScheduledPosts: counts are shared between
// instants only until the next scheduled post goes public.
func TestRememberedCountsMeetScheduledPosts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		posts := seed(t, db, 3)
		now := posts[0].PublishedAt.Add(time.Minute)
		err := db.Update(ctx, func(tx *store.Tx) error {
			p := *posts[0]
			p.ID, p.Slug, p.PublishedAt = 0, "tomorrow", now.Add(time.Hour)
			return tx.CreatePost(ctx, &p)
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			at   time.Time
			want int
		}{{now, 3}, {now.Add(30 * time.Minute), 3}, {now.Add(time.Hour), 4}, {now.Add(2 * time.Hour), 4}, {now, 3}} {
			f := store.Published(tc.at)
			f.Limit = 2
			got, n, err := db.FindPosts(ctx, f)
			if err != nil || n != tc.want {
				t.Errorf("at %s: %d posts (%v), want %d", tc.at.Format(time.Kitchen), n, err, tc.want)
			}
			if newest := got[0].Slug; (tc.want == 4) != (newest == "tomorrow") {
				t.Errorf("at %s the newest post is %q", tc.at.Format(time.Kitchen), newest)
			}
		}
	})
}

// TestArchivesFollowPostWrites checks that a category's, tag's or author's
// archive, which is read from the post's links, lists what the site-wide
// listing holds of that term or author, in the same order, after writes
// that move a post in time, unpublish it, make it a page or change its
// terms.
func TestArchivesFollowPostWrites(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		posts := seed(t, db, 6)
		var archives []store.PostFilter
		for _, term := range append(append([]content.Term{}, posts[0].Categories...), append(posts[1].Categories, posts[0].Tags...)...) {
			f := store.Published(db.Now())
			f.TermID = term.ID
			archives = append(archives, f)
		}
		f := store.Published(db.Now())
		f.AuthorID = posts[0].Authors[0].ID
		archives = append(archives, f)
		both := archives[0]
		both.AuthorID = f.AuthorID
		archives = append(archives, both)
		in := func(f store.PostFilter, p *content.Post) bool {
			has := f.TermID == 0
			for _, t := range append(append([]content.Term{}, p.Categories...), p.Tags...) {
				has = has || t.ID == f.TermID
			}
			by := f.AuthorID == 0
			for _, a := range p.Authors {
				by = by || a.ID == f.AuthorID
			}
			return has && by
		}
		check := func(step string) {
			t.Helper()
			all, _, err := db.FindPosts(ctx, store.Published(db.Now()))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range archives {
				var want []int64
				for _, p := range all {
					if in(f, p) {
						want = append(want, p.ID)
					}
				}
				var got []int64
				f.Limit = 2
				for f.Offset = 0; f.Offset < 8; f.Offset += 2 {
					page, n, err := db.FindPosts(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					if n != len(want) {
						t.Errorf("%s: term %d, author %d: %d posts, want %d", step, f.TermID, f.AuthorID, n, len(want))
					}
					for _, p := range page {
						got = append(got, p.ID)
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s: term %d, author %d: %v, want %v", step, f.TermID, f.AuthorID, got, want)
				}
			}
		}
		check("as seeded")
		update := func(id int64, change func(p *content.Post)) {
			t.Helper()
			err := db.Update(ctx, func(tx *store.Tx) error {
				p, err := tx.FindPostByID(ctx, id)
				if err != nil {
					return err
				}
				change(p)
				return tx.UpdatePost(ctx, p)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		update(posts[5].ID, func(p *content.Post) { p.PublishedAt = posts[0].PublishedAt.Add(time.Hour) })
		check("after the oldest became the newest")
		update(posts[2].ID, func(p *content.Post) { p.Status = content.StatusDraft })
		check("after unpublishing one")
		update(posts[3].ID, func(p *content.Post) { p.Kind = content.KindPage })
		check("after making one a page")
		update(posts[1].ID, func(p *content.Post) { p.Categories, p.Tags = p.Categories[1:], nil })
		check("after changing one's terms")
		update(posts[2].ID, func(p *content.Post) { p.Status = content.StatusPublished })
		check("after publishing one again")
	})
}
