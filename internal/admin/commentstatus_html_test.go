package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestEditorOpensAndClosesComments: the editor's box says whether
// readers may comment on the post; leaving it unticked closes the post,
// ticking it opens it again, and a form without the box (an older page
// left open in a tab) changes nothing.
func TestEditorOpensAndClosesComments(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ed := e.signIn("editor")
		p := e.post("editor", editorial.Input{})
		loc := fmt.Sprintf("/admin/posts/%d", p.ID)
		res, _ := ed.Get(e.srv.URL + loc)
		if body := readAll(t, res); !strings.Contains(body, `<input type="checkbox" name="comments" id="comments" value="open" checked>`) {
			t.Fatalf("the editor of a new post lacks the ticked comments box:\n%s", body)
		}
		save := func(form url.Values) *content.Post {
			t.Helper()
			form.Set("title", "Harbour dues")
			form.Set("body", "Text.")
			form.Set("action", "save")
			res, _ := ed.PostForm(e.srv.URL+loc, form)
			if body := readAll(t, res); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("save: %d %s", res.StatusCode, body)
			}
			got, err := db.FindPostByID(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		version := func() string {
			v, err := db.PostVersion(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(v)
		}
		if got := save(url.Values{"version": {version()}, "comments_field": {"1"}}); !got.CommentsClosed {
			t.Error("saved with the box unticked, the post is still open to comments")
		}
		if got := save(url.Values{"version": {version()}}); !got.CommentsClosed {
			t.Error("a form without the box opened the post to comments")
		}
		if got := save(url.Values{"version": {version()}, "comments_field": {"1"}, "comments": {"open"}}); got.CommentsClosed {
			t.Error("saved with the box ticked, the post is still closed to comments")
		}
	})
}
