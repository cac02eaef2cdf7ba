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
