package editorial_test

import (
	"context"
	"strings"
	"testing"
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
