package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestRepublishedDraftIntroduction: the editor says where a republished
// draft's introduction goes while it is still empty, and publishing it
// empty is allowed but said in the note after publishing.
func TestRepublishedDraftIntroduction(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		body := "<!-- Editorial introduction: write it here. -->\n" + content.EmptyIntroduction +
			"\n<p class=\"attribution-line\">The following article was originally published by Agency Wire.</p>\n<p>The article.</p>\n"
		p := &content.Post{Kind: content.KindPost, Title: "Leaders meet", Slug: "leaders-meet", Status: content.StatusDraft,
			Format: content.FormatHTML, Body: body, Authors: []content.User{*e.users["editor"]},
			Source: &content.Source{Name: "Agency Wire", URL: "https://agency.example/summit"}}
		if err := markup.RenderPost(p); err != nil {
			t.Fatal(err)
		}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.CreatePost(ctx, p) }); err != nil {
			t.Fatal(err)
		}
		c := e.signIn("editor")
		edit := fmt.Sprintf("%s/admin/posts/%d", e.srv.URL, p.ID)
		res, _ := c.Get(edit)
		if page := readAll(t, res); !strings.Contains(page, `id="intro-note"`) {
			t.Errorf("the editor of a republished draft without its introduction does not say where to write it")
		}

		publish := func(body string) string {
			t.Helper()
			cur, _ := db.FindPostByID(ctx, p.ID)
			ver, err := db.PostVersion(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			res, err := c.PostForm(edit, url.Values{"title": {cur.Title}, "body": {body}, "version": {fmt.Sprint(ver)},
				"source_name": {"Agency Wire"}, "source_url": {"https://agency.example/summit"}, "action": {"publish"}})
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("publish: %d", res.StatusCode)
			}
			u, _ := url.Parse(res.Header.Get("Location"))
			return u.Query().Get("flash")
		}
		if flash := publish(body); !strings.HasPrefix(flash, "Published.") || !strings.Contains(flash, "no editorial introduction") {
			t.Errorf("publishing without the introduction: note %q, want it said", flash)
		}

		written := strings.Replace(body, content.EmptyIntroduction, `<p class="editorial-introduction">Why we carry this.</p>`, 1)
		if flash := publish(written); flash != "Published." {
			t.Errorf("saving with the introduction written: note %q", flash)
		}
		res, _ = c.Get(edit)
		if page := readAll(t, res); strings.Contains(page, `id="intro-note"`) {
			t.Errorf("the editor still asks for the introduction once it is written")
		}
	})
}
