package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// order returns the titles in the order the list page shows them.
func order(body string, titles ...string) []string {
	type at struct {
		i int
		t string
	}
	var found []at
	for _, t := range titles {
		if i := strings.Index(body, ">"+t+"</a>"); i >= 0 {
			found = append(found, at{i, t})
		}
	}
	for i := range found {
		for j := i + 1; j < len(found); j++ {
			if found[j].i < found[i].i {
				found[i], found[j] = found[j], found[i]
			}
		}
	}
	var out []string
	for _, f := range found {
		out = append(out, f.t)
	}
	return out
}

// threePostsOldestEditedLast publishes "Oldest", "Middle" and "Newest" on
// three days, then edits "Oldest" an hour later, so that sorting by
// modification and by date disagree.
func threePostsOldestEditedLast(t *testing.T, db *store.DB, e *env) {
	t.Helper()
	pub := content.StatusPublished
	for i, title := range []string{"Oldest", "Middle", "Newest"} {
		when := time.Date(2025, 11, 1+i, 9, 0, 0, 0, time.UTC)
		e.post("editor", editorial.Input{Title: &title, Status: &pub, PublishAt: &when})
	}
	posts, _, _ := db.FindEntries(ctx, store.EntryFilter{Title: "Oldest"})
	later := db.Now().Add(time.Hour)
	db.Now = func() time.Time { return later }
	body := "Edited."
	if _, err := (&editorial.Service{DB: db}).Update(ctx, e.users["editor"], posts[0].ID, editorial.Input{Body: &body}); err != nil {
		t.Fatal(err)
	}
}

// TestPostListSortAndRowActions: the list opens newest first by date, even
// when an old post was edited last; a column header sorts by it and says
// so with aria-sort; each row publishes, unpublishes and deletes (after a
// confirmation page) on its own; an unknown column is refused in words.
func TestPostListSortAndRowActions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		threePostsOldestEditedLast(t, db, e) // the list still puts it last
		ed := e.signIn("editor")
		get := func(path string) (int, string) {
			res, err := ed.Get(e.srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			return res.StatusCode, readAll(t, res)
		}
		status, page := get("/admin/posts")
		if got := order(page, "Oldest", "Middle", "Newest"); status != 200 || strings.Join(got, ",") != "Newest,Middle,Oldest" {
			t.Errorf("default order: %d %v, want newest first", status, got)
		}
		if !strings.Contains(page, `<th aria-sort="descending"><a href="/admin/posts?dir=asc&amp;sort=date"`) {
			t.Errorf("the date header is not marked descending with a link to sort ascending")
		}
		// Counted as a person counts: 3 posts, 1 post.
		if !strings.Contains(page, `<span class="muted">3 posts</span>`) {
			t.Errorf("the list does not say it holds 3 posts")
		}
		if _, one := get("/admin/posts?q=Middle"); !strings.Contains(one, `<span class="muted">1 post</span>`) {
			t.Errorf("a search finding one post does not say 1 post")
		}
		status, page = get("/admin/posts?sort=title&dir=asc")
		if got := order(page, "Oldest", "Middle", "Newest"); status != 200 || strings.Join(got, ",") != "Middle,Newest,Oldest" {
			t.Errorf("by title: %d %v", status, got)
		}
		if !strings.Contains(page, `<th aria-sort="ascending"><a href="/admin/posts?dir=desc&amp;sort=title"`) || strings.Contains(page, `aria-sort="descending"`) {
			t.Errorf("the title header is not the one marked ascending")
		}
		status, page = get("/admin/posts?sort=wordcount")
		if status != 400 || !strings.Contains(page, "cannot be sorted by &#34;wordcount&#34;") {
			t.Errorf("an unknown sort: %d", status)
		}

		// Row actions.
		posts, _, _ := db.FindEntries(ctx, store.EntryFilter{Title: "Middle"})
		id := posts[0].ID
		post := func(path string, form url.Values) *http.Response {
			res, err := ed.PostForm(e.srv.URL+path, form)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res
		}
		res := post(fmt.Sprintf("/admin/posts/%d/unpublish", id), url.Values{"back": {"/admin/posts?sort=title&dir=asc"}})
		if p, _ := db.FindPostByID(ctx, id); res.StatusCode != 303 || p.Status != content.StatusDraft ||
			!strings.HasPrefix(res.Header.Get("Location"), "/admin/posts?sort=title&dir=asc&flash=") {
			t.Errorf("unpublish: %d %s, back to %s", res.StatusCode, p.Status, res.Header.Get("Location"))
		}
		_, page = get("/admin/posts")
		if !strings.Contains(page, fmt.Sprintf(`formaction="/admin/posts/%d/publish"`, id)) {
			t.Errorf("the draft's row offers no Publish")
		}
		res = post(fmt.Sprintf("/admin/posts/%d/publish", id), nil)
		if p, _ := db.FindPostByID(ctx, id); res.StatusCode != 303 || p.Status != content.StatusPublished {
			t.Errorf("publish: %d %s", res.StatusCode, p.Status)
		}
		status, page = get(fmt.Sprintf("/admin/posts/%d/delete", id))
		if status != 200 || !strings.Contains(page, "Delete “Middle”?") || !strings.Contains(page, "moves to the trash") {
			t.Errorf("the delete confirmation: %d", status)
		}
		if p, _ := db.FindPostByID(ctx, id); p.Status != content.StatusPublished {
			t.Errorf("opening the confirmation changed the post: %s", p.Status)
		}
		res = post(fmt.Sprintf("/admin/posts/%d/delete", id), nil)
		if p, _ := db.FindPostByID(ctx, id); res.StatusCode != 303 || p.Status != content.StatusTrash {
			t.Errorf("delete: %d %s", res.StatusCode, p.Status)
		}
		// From another site, refused.
		req, _ := http.NewRequest("POST", e.srv.URL+fmt.Sprintf("/admin/posts/%d/delete", id), nil)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		res, _ = ed.Do(req)
		res.Body.Close()
		if p, err := db.FindPostByID(ctx, id); res.StatusCode != 403 || err != nil || p.Status != content.StatusTrash {
			t.Errorf("a cross-site delete: %d", res.StatusCode)
		}
		// A contributor cannot publish another's post from a row.
		co := e.signIn("contributor")
		res, _ = co.PostForm(e.srv.URL+fmt.Sprintf("/admin/posts/%d/publish", id), nil)
		res.Body.Close()
		if p, _ := db.FindPostByID(ctx, id); res.StatusCode == 303 || p.Status != content.StatusTrash {
			t.Errorf("a contributor publishing: %d %s", res.StatusCode, p.Status)
		}
	})
}

// TestAPIPostsSorted: the API lists posts newest first by date, or by the
// column and direction asked; an unknown column is refused naming it.
func TestAPIPostsSorted(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		threePostsOldestEditedLast(t, db, e)
		titles := func(query string) []string {
			status, out := e.call("editor", "GET", "/api/v1/posts"+query, nil)
			if status != 200 {
				t.Fatalf("GET /api/v1/posts%s: %d %v", query, status, out)
			}
			var got []string
			for _, p := range out["posts"].([]any) {
				got = append(got, p.(map[string]any)["title"].(string))
			}
			return got
		}
		for query, want := range map[string]string{
			"":                        "Newest,Middle,Oldest",
			"?sort=title&dir=asc":     "Middle,Newest,Oldest",
			"?sort=modified&dir=desc": "Oldest,Newest,Middle",
		} {
			if got := strings.Join(titles(query), ","); got != want {
				t.Errorf("GET /api/v1/posts%s: %s, want %s", query, got, want)
			}
		}
		status, out := e.call("editor", "GET", "/api/v1/posts?sort=wordcount", nil)
		if er := errorOf(out); status/100 != 4 || er["field"] != "sort" || !strings.Contains(er["message"].(string), `"wordcount"`) {
			t.Errorf("an unknown sort: %d %v", status, out)
		}
	})
}
