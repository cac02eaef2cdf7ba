package admin_test

import (
	"strconv"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestCommentsAPI: editors list comments (pending first), moderate and
// reply to them through the Admin API; authors may not; mistakes come
// back in the one error envelope with the field named.
func TestCommentsAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		post := e.postBy("author", content.StatusPublished)
		var first, second content.Comment
		if err := db.Update(ctx, func(tx *store.Tx) error {
			first = content.Comment{PostID: post.ID, Author: "Early", HTML: "First!", Status: content.CommentApproved, CreatedAt: db.Now().Add(-7200e9)}
			if err := tx.CreateComment(ctx, &first); err != nil {
				return err
			}
			second = content.Comment{PostID: post.ID, Author: "Later", HTML: "Second.", CreatedAt: db.Now().Add(-3600e9)}
			return tx.CreateComment(ctx, &second)
		}); err != nil {
			t.Fatal(err)
		}
		status, out := e.call("editor", "GET", "/api/v1/comments", nil)
		list, _ := out["comments"].([]any)
		if status != 200 || len(list) != 2 || out["total"] != float64(2) {
			t.Fatalf("list: %d %v", status, out)
		}
		top := list[0].(map[string]any)
		if top["author"] != "Later" || top["status"] != "pending" || top["link"] == "" {
			t.Errorf("first listed: %v, want the pending one", top)
		}
		id := strconv.FormatInt(second.ID, 10)
		status, out = e.call("editor", "PATCH", "/api/v1/comments/"+id, map[string]any{"status": "approved"})
		if status != 200 || out["status"] != "approved" {
			t.Errorf("approve: %d %v", status, out)
		}
		status, out = e.call("editor", "POST", "/api/v1/comments/"+id+"/replies", map[string]any{"content": "Thanks!"})
		if status != 201 || out["parent"] != float64(second.ID) || out["status"] != "approved" || out["author"] != e.users["editor"].Name {
			t.Errorf("reply: %d %v", status, out)
		}
		status, out = e.call("editor", "GET", "/api/v1/comments?status=approved&post="+strconv.FormatInt(post.ID, 10), nil)
		if list, _ := out["comments"].([]any); status != 200 || len(list) != 3 {
			t.Errorf("approved on the post: %d %v", status, out)
		}

		for _, bad := range []struct {
			method, path string
			body         any
			status       int
			field        string
		}{
			{"PATCH", "/api/v1/comments/" + id, map[string]any{"status": "hidden"}, 422, "status"},
			{"PATCH", "/api/v1/comments/" + id, map[string]any{}, 400, "status"},
			{"PATCH", "/api/v1/comments/999999", map[string]any{"status": "spam"}, 404, ""},
			{"POST", "/api/v1/comments/" + id + "/replies", map[string]any{"content": " "}, 422, "content"},
			{"GET", "/api/v1/comments?status=hidden", nil, 400, "status"},
			{"GET", "/api/v1/comments?post=x", nil, 400, "post"},
		} {
			status, out := e.call("editor", bad.method, bad.path, bad.body)
			if status != bad.status || (bad.field != "" && errorOf(out)["field"] != bad.field) {
				t.Errorf("%s %s %v: %d %v, want %d on %q", bad.method, bad.path, bad.body, status, out, bad.status, bad.field)
			}
		}
		if status, _ := e.call("author", "GET", "/api/v1/comments", nil); status != 403 {
			t.Errorf("an author lists comments: %d", status)
		}
		if status, _ := e.call("author", "PATCH", "/api/v1/comments/"+id, map[string]any{"status": "spam"}); status != 403 {
			t.Errorf("an author moderates: %d", status)
		}
	})
}
