package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestComments: comments are stored sanitised, threaded by parent,
// moderated by status, counted, and found again by their WordPress id on
// a re-import, on both engines.
func TestComments(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		posts := seed(t, db, 2)
		post, other := posts[0], posts[1]
		when := time.Date(2025, 12, 2, 10, 0, 0, 0, time.UTC)
		var first, reply content.Comment
		err := db.Update(ctx, func(tx *store.Tx) error {
			first = content.Comment{PostID: post.ID, Author: "Ngozi", Email: "ngozi@example.org", URL: "https://ngozi.example/",
				HTML:   `<p onclick="x()">Good <a href="https://example.org/">piece</a><script>alert(1)</script></p>`,
				Status: content.CommentApproved, CreatedAt: when}
			if err := tx.CreateComment(ctx, &first); err != nil {
				return err
			}
			reply = content.Comment{PostID: post.ID, ParentID: first.ID, Author: "Kofi", HTML: "<p>Agreed.</p>", CreatedAt: when.Add(time.Hour)}
			return tx.CreateComment(ctx, &reply)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.FindComment(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(got.HTML, "script") || strings.Contains(got.HTML, "onclick") || !strings.Contains(got.HTML, `rel="nofollow ugc`) {
			t.Errorf("stored HTML not sanitised: %s", got.HTML)
		}
		if got.Author != "Ngozi" || got.URL != "https://ngozi.example/" || !got.CreatedAt.Equal(when) || got.Status != content.CommentApproved {
			t.Errorf("comment read back as %+v", got)
		}
		r, _ := db.FindComment(ctx, reply.ID)
		if r.ParentID != first.ID || r.Status != content.CommentPending {
			t.Errorf("reply: parent %d status %s, want %d pending", r.ParentID, r.Status, first.ID)
		}

		// Moderation: pending first, then newest.
		list, total, err := db.FindComments(ctx, store.CommentFilter{})
		if err != nil || total != 2 || list[0].ID != reply.ID {
			t.Fatalf("moderation list: %v total %d err %v, want the pending reply first", list, total, err)
		}
		err = db.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.SetCommentStatus(ctx, reply.ID, content.CommentApproved)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		thread, _, err := db.FindComments(ctx, store.CommentFilter{PostID: post.ID, Status: content.CommentApproved, Oldest: true})
		if err != nil {
			t.Fatal(err)
		}
		top := content.Thread(thread)
		if len(top) != 1 || len(top[0].Children) != 1 || top[0].Children[0].ID != reply.ID {
			t.Errorf("thread: %+v", top)
		}
		counts, err := db.CountCommentsByStatus(ctx)
		if err != nil || counts[content.CommentApproved] != 2 || counts[content.CommentPending] != 0 {
			t.Errorf("counts %v %v", counts, err)
		}
		public, _, err := db.FindComments(ctx, store.CommentFilter{Status: content.CommentApproved, Public: true, Now: when.AddDate(1, 0, 0)})
		if err != nil || len(public) != 2 {
			t.Errorf("public comments: %d %v", len(public), err)
		}

		// Bad input: errors naming the field, nothing stored.
		for _, bad := range []struct {
			c     content.Comment
			field string
		}{
			{content.Comment{PostID: post.ID, HTML: "<p>x</p>"}, "author"},
			{content.Comment{PostID: post.ID, Author: "A", HTML: "<script>x</script>"}, "content"},
			{content.Comment{PostID: post.ID, Author: "A", HTML: "x", Email: "not an address"}, "email"},
			{content.Comment{PostID: post.ID, Author: "A", HTML: "x", URL: "javascript:alert(1)"}, "url"},
			{content.Comment{PostID: 999999, Author: "A", HTML: "x"}, "post_id"},
			{content.Comment{PostID: other.ID, ParentID: first.ID, Author: "A", HTML: "x"}, "parent_id"},
			{content.Comment{PostID: post.ID, Author: "A", HTML: "x", Status: "hidden"}, "status"},
		} {
			err := db.Update(ctx, func(tx *store.Tx) error { return tx.CreateComment(ctx, &bad.c) })
			var ce *content.Error
			if !errors.As(err, &ce) || ce.Field != bad.field {
				t.Errorf("%+v: error %v, want one about %s", bad.c, err, bad.field)
			}
		}
		if _, n, _ := db.FindComments(ctx, store.CommentFilter{}); n != 2 {
			t.Errorf("%d comments after refused ones, want 2", n)
		}

		// An imported comment is found again by its WordPress id.
		imported := func(text string) string {
			var how string
			err := db.Update(ctx, func(tx *store.Tx) error {
				c := content.Comment{PostID: other.ID, Author: "Old reader", HTML: text, Status: content.CommentApproved,
					CreatedAt: when, WordPressID: 7}
				var err error
				how, err = tx.PutImportedComment(ctx, &c, false)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return how
		}
		for i, want := range []string{store.CommentCreated, store.CommentUnchanged, store.CommentUpdated} {
			text := "<p>Hello</p>"
			if i == 2 {
				text = "<p>Hello again</p>"
			}
			if got := imported(text); got != want {
				t.Errorf("import %d: %s, want %s", i, got, want)
			}
		}
		if _, n, _ := db.FindComments(ctx, store.CommentFilter{PostID: other.ID}); n != 1 {
			t.Errorf("re-imports left %d comments, want 1", n)
		}

		// Settings: comments are off on a new site, and saved on.
		set, _ := db.LoadSettings(ctx)
		if set.CommentsEnabled {
			t.Error("comments enabled on a new site")
		}
		set.CommentsEnabled = true
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.SaveSettings(ctx, set) }); err != nil {
			t.Fatal(err)
		}
		if set, _ = db.LoadSettings(ctx); !set.CommentsEnabled {
			t.Error("comments enabled not kept")
		}
	})
}
