package editorial_test

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestLongTitlesGetTwoAddresses creates two posts whose long titles agree
// past the longest slug allowed: the second must be saved all the same,
// at a numbered address of its own within the limit.
func TestLongTitlesGetTwoAddresses(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var admin content.User
		err := db.Update(ctx, func(tx *store.Tx) error {
			admin = content.User{Name: "Ada Editor", Email: "ada@example.org", Role: content.RoleAdmin}
			return tx.CreateAccount(ctx, &admin, "ada-editor", "x")
		})
		if err != nil {
			t.Fatal(err)
		}
		s := &editorial.Service{DB: db}
		long := strings.Repeat("Parliament debates the budget once more ", 8)
		var slugs []string
		for _, end := range []string{"in the morning", "in the evening"} {
			title := long + end
			e, err := s.Create(ctx, &admin, editorial.Input{Title: &title})
			if err != nil {
				t.Fatalf("create %q: %v", end, err)
			}
			if n := utf8.RuneCountInString(e.Slug); n > content.MaxSlugLen {
				t.Errorf("slug of %d characters, over the limit of %d: %q", n, content.MaxSlugLen, e.Slug)
			}
			if e.Version != 1 {
				t.Errorf("a new post is at version %d, want 1", e.Version)
			}
			slugs = append(slugs, e.Slug)
		}
		if slugs[0] == slugs[1] {
			t.Fatalf("both posts have the slug %q", slugs[0])
		}
		if !strings.HasSuffix(slugs[1], "-2") || !strings.HasPrefix(slugs[0], strings.TrimSuffix(slugs[1], "-2")) {
			t.Errorf("the second post's slug is %q, want the first's (%q) shortened and numbered -2", slugs[1], slugs[0])
		}
	})
}

// TestWriteNumbersATakenSlugWhenAsked: a slug given that another post has
// is refused with a conflict, or, for an import (NumberSlug), numbered, the
// post saved at version 1 either way it is saved.
func TestWriteNumbersATakenSlugWhenAsked(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		post := func() *content.Post {
			return &content.Post{Kind: content.KindPost, Title: "Port reopens", Slug: "port-reopens", Status: content.StatusDraft,
				Format: content.FormatHTML, Body: "<p>Cranes.</p>"}
		}
		var slugs []string
		var versions []int
		err := db.Update(ctx, func(tx *store.Tx) error {
			for range 2 {
				p := post()
				w, err := editorial.Write(ctx, tx, p, editorial.WriteOptions{New: true, NumberSlug: true})
				if err != nil {
					return err
				}
				slugs, versions = append(slugs, p.Slug), append(versions, w.Version)
			}
			_, err := editorial.Write(ctx, tx, post(), editorial.WriteOptions{New: true})
			if content.ErrorCode(err) != content.EConflict {
				t.Errorf("a taken slug without NumberSlug: %v, want a conflict", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if slugs[0] != "port-reopens" || slugs[1] != "port-reopens-2" || versions[0] != 1 || versions[1] != 1 {
			t.Errorf("slugs %v, versions %v; want port-reopens and port-reopens-2, both at version 1", slugs, versions)
		}
	})
}

// TestDatedAddressIsOnTheSitesClock: a post published late in the evening
// in New York is at that evening's day, not the next day's in UTC; the
// site moving to another zone later moves no address, and a new
// publication time is read on the clock of the zone the site has then.
func TestDatedAddressIsOnTheSitesClock(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var admin content.User
		setZone := func(zone string) {
			t.Helper()
			err := db.Update(ctx, func(tx *store.Tx) error {
				set, err := tx.LoadSettings(ctx)
				if err != nil {
					return err
				}
				set.TimeZone = zone
				return tx.SaveSettings(ctx, set)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		err := db.Update(ctx, func(tx *store.Tx) error {
			admin = content.User{Name: "Ada Editor", Email: "ada@example.org", Role: content.RoleAdmin}
			return tx.CreateAccount(ctx, &admin, "ada-editor", "x")
		})
		if err != nil {
			t.Fatal(err)
		}
		setZone("America/New_York")
		s := &editorial.Service{DB: db}
		title, status := "Late vote in the assembly", content.StatusPublished
		at := time.Date(2021, 3, 6, 3, 30, 0, 0, time.UTC) // 22:30 on 5 March in New York
		e, err := s.Create(ctx, &admin, editorial.Input{Title: &title, Status: &status, PublishAt: &at})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := e.Path(), "/2021/03/05/late-vote-in-the-assembly/"; got != want {
			t.Errorf("published 22:30 in New York: at %s, want %s", got, want)
		}

		setZone("Asia/Tokyo")
		edited := "Late vote in the assembly, results"
		e, err = s.Update(ctx, &admin, e.ID, editorial.Input{Title: &edited})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := e.Path(), "/2021/03/05/late-vote-in-the-assembly/"; got != want {
			t.Errorf("after the site moved to Tokyo's time an edit moved the post to %s, want it left at %s", got, want)
		}
		stored, err := db.FindPostByID(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := stored.PublishedLocal().Format("2006-01-02 15:04 -07:00"), "2021-03-05 22:30 -05:00"; got != want {
			t.Errorf("stored publication on the site's clock = %s, want %s", got, want)
		}

		later := time.Date(2021, 3, 6, 16, 0, 0, 0, time.UTC) // 01:00 on 7 March in Tokyo
		e, err = s.Update(ctx, &admin, e.ID, editorial.Input{PublishAt: &later})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := e.Path(), "/2021/03/07/late-vote-in-the-assembly/"; got != want {
			t.Errorf("republished at 01:00 on 7 March in Tokyo: at %s, want %s", got, want)
		}
	})
}
