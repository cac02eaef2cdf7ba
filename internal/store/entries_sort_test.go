package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestFindEntriesSorted: the admin's list is sorted by date, newest
// first, unless another column or direction is asked for; an unknown
// column is refused naming the field.
func TestFindEntriesSorted(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		day := func(d int) time.Time { return time.Date(2025, 12, d, 9, 0, 0, 0, time.UTC) }
		for _, e := range []struct {
			title, author string
			status        content.Status
			published     time.Time
		}{
			{"banana", "Zed", content.StatusPublished, day(3)},
			{"Apple", "Amara", content.StatusDraft, time.Time{}},
			{"cherry", "Bola", content.StatusScheduled, day(5)},
		} {
			err := db.Update(ctx, func(tx *store.Tx) error {
				u := &content.User{Slug: strings.ToLower(e.author), Name: e.author, Role: content.RoleAuthor}
				if err := tx.UpsertUser(ctx, u); err != nil {
					return err
				}
				return tx.CreatePost(ctx, &content.Post{Kind: content.KindPost, Title: e.title, Slug: strings.ToLower(e.title),
					Status: e.status, PublishedAt: e.published, Format: content.FormatHTML, Body: "<p>x</p>",
					BodyHTML: "<p>x</p>", TeaserHTML: "<p>x</p>", Authors: []content.User{*u}})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			sort string
			asc  bool
			want string
		}{
			{"", false, "Apple cherry banana"}, // the draft was created after the others' dates
			{"date", true, "banana cherry Apple"},
			{"title", true, "Apple banana cherry"},
			{"title", false, "cherry banana Apple"},
			{"author", true, "Apple cherry banana"},
			{"status", true, "Apple banana cherry"},
			{"modified", false, "cherry Apple banana"},
		} {
			posts, total, err := db.FindEntries(ctx, store.EntryFilter{Sort: c.sort, Asc: c.asc, Limit: 10})
			if err != nil {
				t.Fatalf("sort %q: %v", c.sort, err)
			}
			var got []string
			for _, p := range posts {
				got = append(got, p.Title)
			}
			if strings.Join(got, " ") != c.want || total != 3 {
				t.Errorf("sort %q asc=%v: %q (%d), want %q", c.sort, c.asc, got, total, c.want)
			}
		}
		_, _, err := db.FindEntries(ctx, store.EntryFilter{Sort: "wordcount"})
		if content.ErrorCode(err) != content.EInvalid || !strings.Contains(err.Error(), `"wordcount"`) {
			t.Errorf("an unknown sort: %v", err)
		}
	})
}
