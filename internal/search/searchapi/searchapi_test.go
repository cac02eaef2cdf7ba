package searchapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/search/searchapi"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestHandler drives the Admin API's search as an editor would: over every
// status by default, narrowed by status, with JSON errors for bad input.
func TestHandler(t *testing.T) {
	ctx := context.Background()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		err := db.Update(ctx, func(tx *store.Tx) error {
			for i, st := range []content.Status{content.StatusPublished, content.StatusDraft} {
				p := &content.Post{Kind: content.KindPost, Title: "Ceasefire talks " + string(st), Slug: "ceasefire-" + string(st),
					Status: st, Format: content.FormatHTML, Body: "<p>Mediators met in Doha.</p>",
					BodyHTML: "<p>Mediators met in Doha.</p>", TeaserHTML: "<p>x</p>",
					Source: &content.Source{Name: "Al Jazeera", URL: "https://example.org/a"}}
				if st == content.StatusPublished {
					p.PublishedAt = time.Date(2025, 6, 1+i, 0, 0, 0, 0, time.UTC)
				}
				if err := tx.CreatePost(ctx, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(searchapi.Handler(db, slog.New(slog.NewTextHandler(io.Discard, nil))))
		defer srv.Close()
		call := func(params string) (int, searchapi.Response, map[string]map[string]string) {
			t.Helper()
			res, err := http.Get(srv.URL + "?" + params)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			var ok searchapi.Response
			var bad map[string]map[string]string
			if res.StatusCode == 200 {
				err = json.Unmarshal(body, &ok)
			} else {
				err = json.Unmarshal(body, &bad)
			}
			if err != nil {
				t.Fatalf("%s: %v in %s", params, err, body)
			}
			return res.StatusCode, ok, bad
		}
		status, res, _ := call("q=" + url.QueryEscape("doha"))
		if status != 200 || res.Total != 2 || len(res.Results) != 2 {
			t.Fatalf("doha over every status: %d %+v", status, res)
		}
		// Editors find a republished piece by its outlet.
		if _, res, _ = call("q=" + url.QueryEscape(`"al jazeera"`)); res.Total != 2 || res.Results[0].Source != "Al Jazeera" {
			t.Errorf("by outlet: %+v", res)
		}
		_, res, _ = call("q=doha&status=draft")
		if res.Total != 1 || res.Results[0].Status != content.StatusDraft || !strings.HasPrefix(res.Results[0].SnippetHTML, "Mediators met in <mark>Doha</mark>.") || res.Results[0].Path != "" {
			t.Errorf("drafts only: %+v", res)
		}
		// An author sees their own drafts only, and everyone's published posts.
		author := &content.User{ID: 9999, Slug: "someone", Name: "Someone", Role: content.RoleAuthor}
		got, err := searchapi.SearchFor(ctx, db, url.Values{"q": {"doha"}}, author)
		if err != nil || got.Total != 0 {
			t.Errorf("an author searching others' entries: %+v, %v", got, err)
		}
		got, err = searchapi.SearchFor(ctx, db, url.Values{"q": {"doha"}, "status": {"published"}}, author)
		if err != nil || got.Total != 1 {
			t.Errorf("an author searching published posts: %+v, %v", got, err)
		}
		status, _, bad := call("q=doha&status=lost")
		if status != 400 || bad["error"]["field"] != "status" || bad["error"]["message"] == "" {
			t.Errorf("bad status: %d %v", status, bad)
		}
		status, _, bad = call("q=doha&per_page=1000")
		if status != 400 || bad["error"]["field"] != "per_page" {
			t.Errorf("bad per_page: %d %v", status, bad)
		}
	})
}
