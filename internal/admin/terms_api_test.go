package admin_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestAPITerms walks a category through what an editor does with it: it
// must exist before a post is filed under it, it is renamed (its old name
// still finds it, its old address answers 301), nested, merged and deleted.
func TestAPITerms(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		status, out := e.call("author", "POST", "/api/v1/posts", map[string]any{"title": "Filed", "categories": []string{"Economics"}})
		if status != http.StatusUnprocessableEntity || errorOf(out)["field"] != "categories" {
			t.Fatalf("post in an unknown category = %d %v; want 422 on categories", status, out)
		}
		status, out = e.call("editor", "POST", "/api/v1/categories", map[string]any{"name": "  Economics ", "description": "Money"})
		if status != http.StatusCreated || out["slug"] != "economics" || out["name"] != "Economics" {
			t.Fatalf("create = %d %v", status, out)
		}
		econ := int64(out["id"].(float64))
		if status, out = e.call("editor", "POST", "/api/v1/categories", map[string]any{"name": "ECONOMICS"}); status != http.StatusConflict || errorOf(out)["field"] != "name" {
			t.Errorf("create a second Economics = %d %v; want 409 on name", status, out)
		}
		status, out = e.call("author", "POST", "/api/v1/posts", map[string]any{"title": "Filed", "status": "published",
			"categories": []string{"economics"}, "tags": []string{"markets"}})
		if status != http.StatusCreated {
			t.Fatalf("post in Economics = %d %v", status, out)
		}
		post := int64(out["id"].(float64))

		status, out = e.call("editor", "PATCH", fmt.Sprintf("/api/v1/categories/%d", econ), map[string]any{"name": "Economy"})
		if status != http.StatusOK || out["slug"] != "economy" || out["description"] != "Money" ||
			!cmp.Equal(out["aliases"], []any{"economics"}) || out["count"] != float64(1) {
			t.Fatalf("rename = %d %v; want economy with alias economics and its post", status, out)
		}
		res, err := e.browser().Get(e.srv.URL + "/category/economics/")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/category/economy/" {
			t.Errorf("old address = %d to %q; want 301 to /category/economy/", res.StatusCode, res.Header.Get("Location"))
		}
		// A client still sending the old name files the post under the renamed one.
		status, out = e.call("editor", "PATCH", fmt.Sprintf("/api/v1/posts/%d", post), map[string]any{"categories": []string{"Economics"}})
		if status != http.StatusOK || !cmp.Equal(out["categories"], []any{"Economy"}) {
			t.Errorf("post under the old name = %d %v", status, out["categories"])
		}

		// Nesting: a category under its own subcategory is refused.
		_, out = e.call("editor", "POST", "/api/v1/categories", map[string]any{"name": "Trade", "parent": econ})
		trade := int64(out["id"].(float64))
		if out["parent"] != float64(econ) {
			t.Errorf("nested category = %v", out)
		}
		status, out = e.call("editor", "PATCH", fmt.Sprintf("/api/v1/categories/%d", econ), map[string]any{"parent": trade})
		if status != http.StatusUnprocessableEntity || errorOf(out)["field"] != "parent" {
			t.Errorf("cycle = %d %v; want 422 on parent", status, out)
		}
		_, out = e.call("editor", "GET", "/api/v1/tags", nil)
		tags := out["tags"].([]any)
		markets := int64(tags[0].(map[string]any)["id"].(float64))
		if status, out = e.call("editor", "PATCH", fmt.Sprintf("/api/v1/tags/%d", markets), map[string]any{"parent": econ}); status != http.StatusUnprocessableEntity {
			t.Errorf("a tag with a parent = %d %v; want 422", status, out)
		}
		if status, _ = e.call("editor", "GET", fmt.Sprintf("/api/v1/categories/%d", markets), nil); status != http.StatusNotFound {
			t.Errorf("a tag read as a category = %d, want 404", status)
		}

		// Merging Economy into Trade: the post moves, both old addresses lead to trade.
		if status, out = e.call("author", "POST", fmt.Sprintf("/api/v1/categories/%d/merge", econ), map[string]any{"into": trade}); status != http.StatusForbidden {
			t.Errorf("an author merging = %d %v; want 403", status, out)
		}
		status, out = e.call("editor", "POST", fmt.Sprintf("/api/v1/categories/%d/merge", econ), map[string]any{"into": trade})
		if status != http.StatusOK || !cmp.Equal(out["aliases"], []any{"economics", "economy"}) || out["count"] != float64(1) || out["parent"] != float64(0) {
			t.Fatalf("merge = %d %v", status, out)
		}
		if status, _ = e.call("editor", "GET", fmt.Sprintf("/api/v1/categories/%d", econ), nil); status != http.StatusNotFound {
			t.Errorf("merged category = %d, want 404", status)
		}
		if status, out = e.call("editor", "POST", fmt.Sprintf("/api/v1/categories/%d/merge", trade), map[string]any{"into": trade}); status != http.StatusUnprocessableEntity {
			t.Errorf("merge into itself = %d %v; want 422", status, out)
		}

		if status, _ = e.call("editor", "DELETE", fmt.Sprintf("/api/v1/categories/%d", trade), nil); status != http.StatusNoContent {
			t.Fatalf("delete = %d", status)
		}
		_, out = e.call("editor", "GET", fmt.Sprintf("/api/v1/posts/%d", post), nil)
		if !cmp.Equal(out["categories"], []any{}) {
			t.Errorf("post's categories after delete = %v", out["categories"])
		}
	})
}
