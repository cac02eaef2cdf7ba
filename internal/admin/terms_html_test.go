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

// TestAdminCategoriesPages creates, nests, renames, merges and deletes
// categories through the admin's forms, and files a post through the
// editor's category checkboxes, which refuse a category that does not
// exist.
func TestAdminCategoriesPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		au := e.signIn("author")
		res, _ := au.Get(e.srv.URL + "/admin/categories")
		if body := readAll(t, res); res.StatusCode != http.StatusForbidden || !strings.Contains(body, "may not manage categories") {
			t.Errorf("author on /admin/categories: %d", res.StatusCode)
		}
		res, _ = au.Get(e.srv.URL + "/admin/posts")
		if body := readAll(t, res); strings.Contains(body, `href="/admin/categories"`) {
			t.Errorf("an author's navigation links to the categories")
		}

		ed := e.signIn("editor")
		create := func(form url.Values) *content.Term {
			t.Helper()
			res, _ := ed.PostForm(e.srv.URL+"/admin/categories", form)
			body := readAll(t, res)
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("create %v: %d %s", form, res.StatusCode, body)
			}
			c, err := db.FindTermByName(ctx, content.TaxCategory, form.Get("name"))
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		money := create(url.Values{"name": {"Money, markets"}, "description": {"Where it goes"}})
		africa := create(url.Values{"name": {"Africa"}})
		nigeria := create(url.Values{"name": {"Nigeria"}, "parent": {fmt.Sprint(africa.ID)}})
		if nigeria.ParentID != africa.ID {
			t.Errorf("Nigeria's parent = %d, want Africa (%d)", nigeria.ParentID, africa.ID)
		}
		res, _ = ed.PostForm(e.srv.URL+"/admin/categories", url.Values{"name": {"africa"}})
		if body := readAll(t, res); res.StatusCode != http.StatusConflict || !strings.Contains(body, "already a category named") {
			t.Errorf("a second Africa: %d", res.StatusCode)
		}
		res, _ = ed.Get(e.srv.URL + "/admin/categories")
		body := readAll(t, res)
		if !strings.Contains(body, `href="/admin/tags"`) || !strings.Contains(body, "Money, markets") ||
			!strings.Contains(body, `class="depth-1"><a href="/admin/categories/`+fmt.Sprint(nigeria.ID)) {
			t.Errorf("categories page lacks the new ones, nested:\n%s", body)
		}

		// A form sent from another site is refused.
		req, _ := http.NewRequest("POST", e.srv.URL+"/admin/categories", strings.NewReader("name=Spam"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if res, _ = ed.Do(req); readAll(t, res) == "" || res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site form: %d, want 403", res.StatusCode)
		}

		// The editor's picker: a checkbox per category; a name with a
		// comma is one category.
		p := e.post("editor", editorial.Input{})
		loc := fmt.Sprintf("/admin/posts/%d", p.ID)
		res, _ = ed.Get(e.srv.URL + loc)
		body = readAll(t, res)
		if !strings.Contains(body, `<input type="checkbox" name="categories" value="Money, markets">`) || !strings.Contains(body, `list="tag-names"`) {
			t.Errorf("editor lacks the category checkboxes:\n%s", body)
		}
		form := url.Values{"title": {"Naira slides"}, "body": {"Text."}, "version": {fmt.Sprint(p.Version)},
			"categories": {"Money, markets", "Nigeria"}, "tags": {"currency"}, "action": {"save"}}
		res, _ = ed.PostForm(e.srv.URL+loc, form)
		if body := readAll(t, res); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save with categories: %d %s", res.StatusCode, body)
		}
		got, _ := db.FindPostByID(ctx, p.ID)
		if len(got.Categories) != 2 || got.Categories[0].Name != "Money, markets" || got.Categories[1].Name != "Nigeria" {
			t.Errorf("categories stored: %+v", got.Categories)
		}
		form.Set("version", fmt.Sprint(p.Version+1))
		form["categories"] = []string{"Economics"}
		form.Set("title", "My typed title")
		res, _ = ed.PostForm(e.srv.URL+loc, form)
		body = readAll(t, res)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "there is no category &#34;Economics&#34;") ||
			!strings.Contains(body, "My typed title") {
			t.Errorf("unknown category: %d\n%s", res.StatusCode, body)
		}

		// Africa under its own subcategory is refused.
		res, _ = ed.PostForm(e.srv.URL+fmt.Sprintf("/admin/categories/%d", africa.ID), url.Values{"name": {"Africa"}, "slug": {"africa"}, "parent": {fmt.Sprint(nigeria.ID)}})
		if body := readAll(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "own subcategories") {
			t.Errorf("cycle: %d", res.StatusCode)
		}

		// Renaming moves the address; the old one answers 301.
		res, _ = ed.PostForm(e.srv.URL+fmt.Sprintf("/admin/categories/%d", money.ID), url.Values{"name": {"Economy"}, "slug": {money.Slug}, "description": {"Where it goes"}})
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("rename: %d", res.StatusCode)
		}
		res, _ = ed.Get(e.srv.URL + res.Header.Get("Location"))
		body = readAll(t, res)
		if !strings.Contains(body, "its address is now /category/economy/") || !strings.Contains(body, "<code>/category/money-markets/</code>") {
			t.Errorf("after rename:\n%s", body)
		}

		// Merging Nigeria into Africa files the post under Africa.
		res, _ = ed.PostForm(e.srv.URL+fmt.Sprintf("/admin/categories/%d/merge", nigeria.ID), url.Values{"into": {fmt.Sprint(africa.ID)}})
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("merge: %d", res.StatusCode)
		}
		got, _ = db.FindPostByID(ctx, p.ID)
		if len(got.Categories) != 2 || got.Categories[1].Name != "Africa" {
			t.Errorf("categories after merge: %+v", got.Categories)
		}

		// Deleting asks first, then removes the category from the post.
		res, _ = ed.Get(e.srv.URL + fmt.Sprintf("/admin/categories/%d/delete", money.ID))
		if body := readAll(t, res); res.StatusCode != 200 || !strings.Contains(body, `Delete “Economy”?`) {
			t.Errorf("delete confirmation: %d", res.StatusCode)
		}
		res, _ = ed.PostForm(e.srv.URL+fmt.Sprintf("/admin/categories/%d/delete", money.ID), nil)
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete: %d", res.StatusCode)
		}
		got, _ = db.FindPostByID(ctx, p.ID)
		if len(got.Categories) != 1 || got.Categories[0].Name != "Africa" {
			t.Errorf("categories after delete: %+v", got.Categories)
		}
		res, _ = ed.Get(e.srv.URL + fmt.Sprintf("/admin/tags/%d", africa.ID))
		if readAll(t, res); res.StatusCode != http.StatusNotFound {
			t.Errorf("a category under /admin/tags/: %d, want 404", res.StatusCode)
		}
	})
}
