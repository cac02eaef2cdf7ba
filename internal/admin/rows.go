package admin

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/store"
)

// The post list's order and its rows' own actions: publish, unpublish and
// delete, each a form of its own so that a row is changed without
// selecting it.

func (a *Admin) rowRoutes(mux *http.ServeMux) {
	mux.Handle("POST /admin/posts/{id}/publish", a.page(a.rowStatus(content.StatusPublished)))
	mux.Handle("POST /admin/posts/{id}/unpublish", a.page(a.rowStatus(content.StatusDraft)))
	mux.Handle("GET /admin/posts/{id}/delete", a.page(a.deleteForm))
	mux.Handle("POST /admin/posts/{id}/delete", a.page(a.deleteEntry))
}

// Column is a sortable header of the post list.
type Column struct {
	Label string
	Key   string
	URL   string // the list sorted by this column (the other way when it is the current one)
	Aria  string // aria-sort: ascending, descending or "" when not the current column
}

var listColumns = []struct{ key, label string }{
	{"title", "Title"}, {"author", "Author"}, {"status", "Status"}, {"date", "Date"}, {"modified", "Modified"},
}

// listOrder reads ?sort= and ?dir= into f: date, newest first, by default.
func listOrder(f *store.EntryFilter, q url.Values) error {
	f.Sort = q.Get("sort")
	if f.Sort == "" {
		f.Sort = "date"
	}
	known := false
	for _, c := range listColumns {
		known = known || c.key == f.Sort
	}
	if !known {
		return content.FieldError("sort", "the list cannot be sorted by %q: choose title, author, status, date or modified", f.Sort)
	}
	switch q.Get("dir") {
	case "asc":
		f.Asc = true
	case "", "desc":
	default:
		return content.FieldError("dir", "the order %q is neither asc nor desc", q.Get("dir"))
	}
	return nil
}

// sortColumns returns the current order and each column's header.
func sortColumns(base string, q url.Values, f store.EntryFilter) (sort, dir string, cols []Column) {
	dir = "desc"
	if f.Asc {
		dir = "asc"
	}
	for _, c := range listColumns {
		v := url.Values{}
		for k, vs := range q {
			if k != "page" && k != "flash" {
				v[k] = vs
			}
		}
		col := Column{Label: c.label, Key: c.key}
		// A new column starts A to Z for words and newest first for times.
		next := "asc"
		if c.key == "date" || c.key == "modified" {
			next = "desc"
		}
		if c.key == f.Sort {
			col.Aria = map[bool]string{true: "ascending", false: "descending"}[f.Asc]
			next = map[bool]string{true: "desc", false: "asc"}[f.Asc]
		}
		v.Set("sort", c.key)
		v.Set("dir", next)
		col.URL = base + "?" + v.Encode()
		cols = append(cols, col)
	}
	return f.Sort, dir, cols
}

// listBack is the list as shown, without its note.
func listBack(base string, q url.Values) string {
	v := url.Values{}
	for k, vs := range q {
		if k != "flash" {
			v[k] = vs
		}
	}
	if len(v) == 0 {
		return base
	}
	return base + "?" + v.Encode()
}

// back is where a row action returns: the list it was sent from.
func back(r *http.Request) string {
	b := r.PostFormValue("back")
	if !strings.HasPrefix(b, "/admin/") || strings.HasPrefix(b, "//") {
		return "/admin/posts"
	}
	return b
}

func withFlash(to, flash string) string {
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	return to + sep + "flash=" + url.QueryEscape(flash)
}

// rowStatus publishes or takes back to draft one entry.
func (a *Admin) rowStatus(status content.Status) PageFunc {
	return func(w http.ResponseWriter, r *http.Request, u *content.User) error {
		id, err := entryID(r)
		if err != nil {
			return err
		}
		e, err := a.svc.Update(r.Context(), u, id, editorial.Input{Status: &status})
		if err != nil {
			return err
		}
		what := "Published"
		if status != content.StatusPublished {
			what = "Unpublished (back to draft)"
		}
		http.Redirect(w, r, withFlash(back(r), fmt.Sprintf("%s %q.", what, e.Post.Title)), http.StatusSeeOther)
		return nil
	}
}

// DeletePage asks before an entry is deleted.
type DeletePage struct {
	Layout
	Post *content.Post
	Back string
}

func (a *Admin) deleteForm(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := entryID(r)
	if err != nil {
		return err
	}
	e, err := a.svc.Get(r.Context(), u, id)
	if err != nil {
		return err
	}
	if !u.CanEdit(e.Post) {
		return content.Errorf(content.EForbidden, "Your role (%s) may not delete %q.", u.Role, e.Post.Title)
	}
	b := r.URL.Query().Get("back")
	if !strings.HasPrefix(b, "/admin/") || strings.HasPrefix(b, "//") {
		b = "/admin/" + string(e.Post.Kind) + "s"
	}
	return a.render(w, "delete", DeletePage{Layout: Layout{Title: "Delete " + e.Post.Title, User: u, Section: string(e.Post.Kind)},
		Post: e.Post, Back: b})
}

// deleteEntry moves an entry to the trash, or deletes it for good when it
// is there already.
func (a *Admin) deleteEntry(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := entryID(r)
	if err != nil {
		return err
	}
	e, err := a.svc.Get(r.Context(), u, id)
	if err != nil {
		return err
	}
	trashed, err := a.svc.Delete(r.Context(), u, id)
	if err != nil {
		return err
	}
	flash := fmt.Sprintf("Deleted %q for good.", e.Post.Title)
	if trashed {
		flash = fmt.Sprintf("Moved %q to the trash; delete it there to remove it for good.", e.Post.Title)
	}
	http.Redirect(w, r, withFlash(back(r), flash), http.StatusSeeOther)
	return nil
}
