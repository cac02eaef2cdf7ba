package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// BenchmarkSavePost measures one save of a 5,000-word post through each
// layer, on SQLite: the bare store write as the baseline, the editorial
// service (role checks, rendering, revision), and the Admin API over HTTP.
//
//	go test -run '^$' -bench SavePost ./internal/admin/
func BenchmarkSavePost(b *testing.B) {
	db := storetest.Open(b, "sqlite")
	e := newEnv(b, db)
	body := strings.Repeat("Words of the article, one after another. ", 700) + "\n\n<!--more-->\n\n" + strings.Repeat("More words. ", 400)
	p := e.post("editor", editorial.Input{Body: &body})
	b.Run("baseline-store-update", func(b *testing.B) {
		q, _ := db.FindPostByID(ctx, p.ID)
		markup.RenderPost(q)
		for i := 0; i < b.N; i++ {
			q.Title = fmt.Sprintf("Title %d", i)
			if err := db.Update(ctx, func(tx *store.Tx) error { return tx.UpdatePost(ctx, q) }); err != nil {
				b.Fatal(err)
			}
		}
	})
	s := &editorial.Service{DB: db}
	b.Run("editorial-service", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			title := fmt.Sprintf("Title %d", i)
			if _, err := s.Update(ctx, e.users["editor"], p.ID, editorial.Input{Title: &title, Body: &body}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("api-patch", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if status, out := e.call("editor", "PATCH", fmt.Sprintf("/api/v1/posts/%d", p.ID),
				map[string]any{"title": fmt.Sprintf("Title %d", i), "body": body}); status != 200 {
				b.Fatal(status, out)
			}
		}
	})
}

// BenchmarkAuthenticate compares a sign-in (an argon2id verification, slow
// on purpose) with the baseline of an API call authenticated by token.
//
//	go test -run '^$' -bench Authenticate ./internal/admin/
func BenchmarkAuthenticate(b *testing.B) {
	db := storetest.Open(b, "sqlite")
	e := newEnv(b, db)
	b.Run("baseline-token-call", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if status, _ := e.call("editor", "GET", "/api/v1/me", nil); status != 200 {
				b.Fatal(status)
			}
		}
	})
	b.Run("sign-in", func(b *testing.B) {
		c := e.browser()
		for i := 0; i < b.N; i++ {
			res, err := c.PostForm(e.srv.URL+"/admin/login", url.Values{"email": {"editor@example.org"}, "password": {testPassword}})
			if err != nil || res.StatusCode != http.StatusSeeOther {
				b.Fatal(err, res.StatusCode)
			}
			res.Body.Close()
		}
	})
}
