package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// BenchmarkCopy measures moving a 2,000-post site from SQLite to
// PostgreSQL with store.Copy (what `broadsheet migrate` runs, verification
// included), beside the baseline of writing the same posts into
// PostgreSQL one CreatePost at a time in one transaction. Run with
// BROADSHEET_TEST_POSTGRES set:
//
//	go test -run '^$' -bench Copy -benchtime 3x ./internal/store/
func BenchmarkCopy(b *testing.B) {
	if !slices.Contains(storetest.Engines(b), "postgres") {
		b.Skip("copies into PostgreSQL")
	}
	const n = 2000
	src := storetest.Open(b, "sqlite")
	var posts []*content.Post
	err := src.Update(ctx, func(tx *store.Tx) error {
		u := &content.User{Slug: "amara", Name: "Amara Okafor", Role: content.RoleAuthor}
		if err := tx.UpsertUser(ctx, u); err != nil {
			return err
		}
		tag := &content.Term{Taxonomy: content.TaxTag, Slug: "trade", Name: "trade"}
		if err := tx.UpsertTerm(ctx, tag); err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			p := publishedPost(fmt.Sprintf("post-%d", i))
			p.Body = strings.Repeat("words ", 350) // an article's worth
			p.Authors, p.Tags = []content.User{*u}, []content.Term{*tag}
			if err := tx.CreatePost(ctx, p); err != nil {
				return err
			}
			posts = append(posts, p)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("baseline-createpost", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			dst := storetest.Open(b, "postgres")
			var users []*content.User
			b.StartTimer()
			err := dst.Update(ctx, func(tx *store.Tx) error {
				u := &content.User{Slug: "amara", Name: "Amara Okafor", Role: content.RoleAuthor}
				if err := tx.UpsertUser(ctx, u); err != nil {
					return err
				}
				users = append(users, u)
				tag := &content.Term{Taxonomy: content.TaxTag, Slug: "trade", Name: "trade"}
				if err := tx.UpsertTerm(ctx, tag); err != nil {
					return err
				}
				for _, p := range posts {
					q := *p
					q.ID, q.Authors, q.Tags = 0, []content.User{*u}, []content.Term{*tag}
					if err := tx.CreatePost(ctx, &q); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "posts/s")
	})
	b.Run("copy-verified", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			dst := storetest.Open(b, "postgres")
			b.StartTimer()
			if _, err := store.Copy(ctx, src, dst, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "posts/s")
	})
}
