package admin_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestModerateComments: editors see comments, pending first, with counts
// on the dashboard; they approve, mark as spam, trash and reply; others
// may not; mistakes get clear answers.
func TestModerateComments(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		post := e.postBy("author", content.StatusPublished)
		at := db.Now().Add(-time.Hour)
		var old, waiting content.Comment
		if err := db.Update(ctx, func(tx *store.Tx) error {
			old = content.Comment{PostID: post.ID, Author: "Approved Reader", HTML: "Seen before.", Status: content.CommentApproved, CreatedAt: at.Add(-time.Hour)}
			if err := tx.CreateComment(ctx, &old); err != nil {
				return err
			}
			waiting = content.Comment{PostID: post.ID, Author: "Waiting Reader", Email: "w@example.org", HTML: "Please publish me.", CreatedAt: at}
			return tx.CreateComment(ctx, &waiting)
		}); err != nil {
			t.Fatal(err)
		}
		c := e.signIn("editor")
		res, _ := c.Get(e.srv.URL + "/admin/")
		dash := readAll(t, res)
		if !strings.Contains(dash, `Comments awaiting moderation</a> <span class="count">1</span>`) {
			t.Errorf("the dashboard does not count 1 comment waiting")
		}
		res, _ = c.Get(e.srv.URL + "/admin/comments")
		page := readAll(t, res)
		if res.StatusCode != 200 || strings.Index(page, "Waiting Reader") > strings.Index(page, "Approved Reader") || strings.Index(page, "Waiting Reader") < 0 {
			t.Fatalf("moderation list %d, pending not first:\n%s", res.StatusCode, page)
		}
		id := strconv.FormatInt(waiting.ID, 10)
		status := func(want content.CommentStatus) {
			t.Helper()
			got, err := db.FindComment(ctx, waiting.ID)
			if err != nil || got.Status != want {
				t.Errorf("comment is %v (%v), want %s", got.Status, err, want)
			}
		}
		for _, s := range []content.CommentStatus{content.CommentSpam, content.CommentTrash, content.CommentApproved} {
			res, _ = c.PostForm(e.srv.URL+"/admin/comments/"+id+"/status", url.Values{"status": {string(s)}, "from": {"pending"}})
			res.Body.Close()
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/admin/comments?status=pending&flash=") {
				t.Errorf("%s: %d to %q", s, res.StatusCode, res.Header.Get("Location"))
			}
			status(s)
		}
		// A reply is the editor's, approved, under the comment.
		res, _ = c.PostForm(e.srv.URL+"/admin/comments/"+id+"/reply", url.Values{"reply": {"Thank you <b>both</b>."}})
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("reply: %d", res.StatusCode)
		}
		list, _, _ := db.FindComments(ctx, store.CommentFilter{PostID: post.ID, Oldest: true})
		reply := list[len(list)-1]
		if reply.ParentID != waiting.ID || reply.Status != content.CommentApproved || reply.UserID != e.users["editor"].ID ||
			!strings.Contains(reply.HTML, "&lt;b&gt;both") {
			t.Errorf("reply stored as %+v", reply)
		}

		// Mistakes: named, never a 500.
		for _, bad := range []struct {
			path   string
			form   url.Values
			status int
		}{
			{"/admin/comments/" + id + "/status", url.Values{"status": {"hidden"}}, 400},
			{"/admin/comments/999999/status", url.Values{"status": {"approved"}}, 404},
			{"/admin/comments/abc/status", url.Values{"status": {"approved"}}, 404},
			{"/admin/comments/" + id + "/reply", url.Values{"reply": {"  "}}, 400},
		} {
			res, _ = c.PostForm(e.srv.URL+bad.path, bad.form)
			body := readAll(t, res)
			if res.StatusCode != bad.status {
				t.Errorf("%s %v: %d, want %d\n%s", bad.path, bad.form, res.StatusCode, bad.status, body)
			}
		}
		if res, _ = c.Get(e.srv.URL + "/admin/comments?status=nonsense"); res.StatusCode != 400 {
			t.Errorf("unknown status tab: %d", res.StatusCode)
		}
		res.Body.Close()

		// Authors do not moderate.
		a := e.signIn("author")
		res, _ = a.Get(e.srv.URL + "/admin/comments")
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("an author's moderation list: %d", res.StatusCode)
		}
		res, _ = a.PostForm(e.srv.URL+"/admin/comments/"+id+"/status", url.Values{"status": {"spam"}})
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("an author moderating: %d", res.StatusCode)
		}
		status(content.CommentApproved)
	})
}
