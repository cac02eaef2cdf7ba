package admin

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
)

// taxonomyPage is one of the two term areas: categories or tags.
type taxonomyPage struct {
	Tax    content.Taxonomy
	Path   string // "categories" or "tags": /admin/PATH
	Plural string // "Categories" or "Tags"
}

var taxonomyPages = []taxonomyPage{
	{content.TaxCategory, "categories", "Categories"},
	{content.TaxTag, "tags", "Tags"},
}

func (a *Admin) termRoutes(mux *http.ServeMux) {
	for _, tp := range taxonomyPages {
		base := "/admin/" + tp.Path
		mux.Handle("GET "+base, a.page(a.termsList(tp)))
		mux.Handle("POST "+base, a.page(a.termCreate(tp)))
		mux.Handle("GET "+base+"/{id}", a.page(a.termEdit(tp)))
		mux.Handle("POST "+base+"/{id}", a.page(a.termUpdate(tp)))
		mux.Handle("POST "+base+"/{id}/merge", a.page(a.termMerge(tp)))
		mux.Handle("GET "+base+"/{id}/delete", a.page(a.termDeleteConfirm(tp)))
		mux.Handle("POST "+base+"/{id}/delete", a.page(a.termDelete(tp)))
	}
}

// TreeTerm is a term in its place in the tree of categories: Depth is the
// number of categories above it (0 for tags and top-level categories).
type TreeTerm struct {
	*content.Term
	Depth int
	// Parent is the parent category's name, "" for none.
	Parent string
}

// DepthClass is the class that indents the term by its depth, at most 4.
func (t TreeTerm) DepthClass() string { return "depth-" + strconv.Itoa(min(t.Depth, 4)) }

// termTree orders terms as a tree: each category followed by its
// subcategories, by name at each level. Terms whose parent is missing, or
// in a cycle, are placed at the top level.
func termTree(terms []*content.Term) []TreeTerm {
	byID := map[int64]*content.Term{}
	for _, t := range terms {
		byID[t.ID] = t
	}
	children := map[int64][]*content.Term{}
	for _, t := range terms {
		parent := t.ParentID
		if _, ok := byID[parent]; !ok || parent == t.ID {
			parent = 0
		}
		children[parent] = append(children[parent], t)
	}
	var out []TreeTerm
	placed := map[int64]bool{}
	var walk func(parent int64, depth int)
	walk = func(parent int64, depth int) {
		for _, t := range children[parent] {
			if placed[t.ID] {
				continue
			}
			placed[t.ID] = true
			tt := TreeTerm{Term: t, Depth: depth}
			if p, ok := byID[t.ParentID]; ok {
				tt.Parent = p.Name
			}
			out = append(out, tt)
			walk(t.ID, depth+1)
		}
	}
	walk(0, 0)
	for _, t := range terms { // cycles left out by the walk
		if !placed[t.ID] {
			placed[t.ID] = true
			out = append(out, TreeTerm{Term: t})
			walk(t.ID, 1)
		}
	}
	return out
}

// TermForm holds a term's fields as typed.
type TermForm struct {
	Name, Slug, Description, Parent string
}

// TermsPage lists the categories or the tags, with the form to add one.
type TermsPage struct {
	Layout
	Area  taxonomyPage
	Terms []TreeTerm
	New   TermForm
}

// TermPage edits one category or tag: rename, describe, nest, merge, and
// the way to delete it.
type TermPage struct {
	Layout
	Area    taxonomyPage
	Term    *content.Term
	Form    TermForm
	Aliases []string   // earlier addresses, which redirect to Term's
	Others  []TreeTerm // the terms it may be merged into or placed under
	// Parents are the categories it may be placed under: not itself nor
	// one of its subcategories.
	Parents []TreeTerm
}

// TermDeletePage asks before a term is deleted.
type TermDeletePage struct {
	Layout
	Area taxonomyPage
	Term *content.Term
}

func (a *Admin) mayManageTerms(u *content.User, tp taxonomyPage) error {
	if !u.CanManageTerms() {
		return content.Errorf(content.EForbidden, "Your role (%s) may not manage %s: ask an editor.", u.Role, strings.ToLower(tp.Plural))
	}
	return nil
}

func (a *Admin) termsList(tp taxonomyPage) PageFunc {
	return func(w http.ResponseWriter, r *http.Request, u *content.User) error {
		return a.termsPage(w, r, u, tp, http.StatusOK, TermForm{}, "", "")
	}
}

func (a *Admin) termsPage(w http.ResponseWriter, r *http.Request, u *content.User, tp taxonomyPage, status int, f TermForm, msg, field string) error {
	if err := a.mayManageTerms(u, tp); err != nil {
		return err
	}
	terms, err := a.cfg.DB.FindTerms(r.Context(), tp.Tax)
	if err != nil {
		return err
	}
	return a.tmpl.Render(w, status, "terms", TermsPage{Layout: Layout{Title: tp.Plural, User: u, Section: tp.Path,
		Flash: r.URL.Query().Get("flash"), Error: msg, Field: field}, Area: tp, Terms: termTree(terms), New: f})
}

func termFormFrom(r *http.Request) TermForm {
	v := r.PostFormValue
	return TermForm{Name: v("name"), Slug: v("slug"), Description: v("description"), Parent: v("parent")}
}

// input turns the form into an editorial change; tags have no parent field.
func (f TermForm) input(tp taxonomyPage) (editorial.TermInput, error) {
	in := editorial.TermInput{Name: &f.Name, Slug: &f.Slug, Description: &f.Description}
	if tp.Tax == content.TaxCategory {
		var parent int64
		if f.Parent != "" {
			n, err := strconv.ParseInt(f.Parent, 10, 64)
			if err != nil {
				return in, content.FieldError("parent", "%q is not a category", f.Parent)
			}
			parent = n
		}
		in.Parent = &parent
	}
	return in, nil
}

func (a *Admin) termCreate(tp taxonomyPage) PageFunc {
	return func(w http.ResponseWriter, r *http.Request, u *content.User) error {
		f := termFormFrom(r)
		in, err := f.input(tp)
		var t *content.Term
		if err == nil {
			t, err = a.svc.CreateTerm(r.Context(), u, tp.Tax, in)
		}
		if err != nil {
			msg, field, unexpected := errorFor(err)
			if unexpected != nil {
				return unexpected
			}
			return a.termsPage(w, r, u, tp, statusFor(err), f, msg, field)
		}
		http.Redirect(w, r, "/admin/"+tp.Path+"?flash="+url.QueryEscape(fmt.Sprintf("Created %q (%s).", t.Name, t.Path())), http.StatusSeeOther)
		return nil
	}
}

// termOf loads the term named by the path's id, of the area's taxonomy,
// for u, who must be allowed to manage it.
func (a *Admin) termOf(r *http.Request, u *content.User, tp taxonomyPage) (*content.Term, error) {
	if err := a.mayManageTerms(u, tp); err != nil {
		return nil, err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil && id > 0 {
		t, err := a.cfg.DB.FindTermByID(r.Context(), id)
		if err == nil && t.Taxonomy == tp.Tax {
			return t, nil
		}
		if err != nil && !content.IsNotFound(err) {
			return nil, err
		}
	}
	return nil, content.Errorf(content.ENotFound, "There is no %s %q.", tp.Tax, r.PathValue("id"))
}

func (a *Admin) termEdit(tp taxonomyPage) PageFunc {
	return func(w http.ResponseWriter, r *http.Request, u *content.User) error {
		t, err := a.termOf(r, u, tp)
		if err != nil {
			return err
		}
		f := TermForm{Name: t.Name, Slug: t.Slug, Description: t.Description}
		if t.ParentID != 0 {
			f.Parent = strconv.FormatInt(t.ParentID, 10)
		}
		return a.termPage(w, r, u, tp, t, http.StatusOK, f, "", "")
	}
}

func (a *Admin) termPage(w http.ResponseWriter, r *http.Request, u *content.User, tp taxonomyPage, t *content.Term, status int, f TermForm, msg, field string) error {
	terms, err := a.cfg.DB.FindTerms(r.Context(), tp.Tax)
	if err != nil {
		return err
	}
	slugs, err := a.cfg.DB.FindTermAliases(r.Context(), t.ID)
	if err != nil {
		return err
	}
	var aliases []string
	for _, s := range slugs {
		aliases = append(aliases, (&content.Term{Taxonomy: t.Taxonomy, Slug: s}).Path())
	}
	tree := termTree(terms)
	var others, parents []TreeTerm
	inside := map[int64]bool{t.ID: true} // t and its subcategories, in tree order
	for _, o := range tree {
		if o.ID != t.ID {
			others = append(others, o)
		}
		if inside[o.ParentID] || o.ID == t.ID {
			inside[o.ID] = true
			continue
		}
		parents = append(parents, o)
	}
	return a.tmpl.Render(w, status, "term", TermPage{Layout: Layout{Title: t.Name + " · " + tp.Plural, User: u, Section: tp.Path,
		Flash: r.URL.Query().Get("flash"), Error: msg, Field: field}, Area: tp, Term: t, Form: f, Aliases: aliases,
		Others: others, Parents: parents})
}

func (a *Admin) termUpdate(tp taxonomyPage) PageFunc {
	return func(w http.ResponseWriter, r *http.Request, u *content.User) error {
		t, err := a.termOf(r, u, tp)
		if err != nil {
			return err
		}
		f := termFormFrom(r)
		if f.Slug == t.Slug && f.Name != t.Name {
			// The slug field still shows the old slug: a rename moves the
			// address unless the editor typed a slug of their own.
			f.Slug = ""
		}
		in, err := f.input(tp)
		var saved *content.Term
		if err == nil {
			saved, err = a.svc.UpdateTerm(r.Context(), u, tp.Tax, t.ID, in)
		}
		if err != nil {
			msg, field, unexpected := errorFor(err)
			if unexpected != nil {
				return unexpected
			}
			return a.termPage(w, r, u, tp, t, statusFor(err), f, msg, field)
		}
		note := fmt.Sprintf("Saved %q.", saved.Name)
		if saved.Slug != t.Slug {
			note = fmt.Sprintf("Saved %q: its address is now %s, and %s answers with a permanent redirect.", saved.Name, saved.Path(), t.Path())
		}
		http.Redirect(w, r, fmt.Sprintf("/admin/%s/%d?flash=%s", tp.Path, t.ID, url.QueryEscape(note)), http.StatusSeeOther)
		return nil
	}
}

func (a *Admin) termMerge(tp taxonomyPage) PageFunc {
	return func(w http.ResponseWriter, r *http.Request, u *content.User) error {
		t, err := a.termOf(r, u, tp)
		if err != nil {
			return err
		}
		var into int64
		if v := r.PostFormValue("into"); v != "" {
			if into, err = strconv.ParseInt(v, 10, 64); err != nil {
				into = -1
			}
		}
		target, err := a.svc.MergeTerm(r.Context(), u, tp.Tax, t.ID, into)
		if err != nil {
			msg, field, unexpected := errorFor(err)
			if unexpected != nil {
				return unexpected
			}
			f := TermForm{Name: t.Name, Slug: t.Slug, Description: t.Description}
			if t.ParentID != 0 {
				f.Parent = strconv.FormatInt(t.ParentID, 10)
			}
			return a.termPage(w, r, u, tp, t, statusFor(err), f, msg, field)
		}
		note := fmt.Sprintf("Merged %q into %q: its posts are filed under %q, and %s answers with a permanent redirect to %s.",
			t.Name, target.Name, target.Name, t.Path(), target.Path())
		http.Redirect(w, r, fmt.Sprintf("/admin/%s/%d?flash=%s", tp.Path, target.ID, url.QueryEscape(note)), http.StatusSeeOther)
		return nil
	}
}

func (a *Admin) termDeleteConfirm(tp taxonomyPage) PageFunc {
	return func(w http.ResponseWriter, r *http.Request, u *content.User) error {
		t, err := a.termOf(r, u, tp)
		if err != nil {
			return err
		}
		terms, err := a.cfg.DB.FindTerms(r.Context(), tp.Tax)
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(terms, func(o *content.Term) bool { return o.ID == t.ID }); i >= 0 {
			t.Count = terms[i].Count
		}
		return a.render(w, "term-delete", TermDeletePage{Layout: Layout{Title: "Delete " + t.Name, User: u, Section: tp.Path},
			Area: tp, Term: t})
	}
}

func (a *Admin) termDelete(tp taxonomyPage) PageFunc {
	return func(w http.ResponseWriter, r *http.Request, u *content.User) error {
		t, err := a.termOf(r, u, tp)
		if err != nil {
			return err
		}
		if err := a.svc.DeleteTerm(r.Context(), u, tp.Tax, t.ID); err != nil {
			return err
		}
		http.Redirect(w, r, "/admin/"+tp.Path+"?flash="+url.QueryEscape(fmt.Sprintf("Deleted %q; its posts are no longer filed under it.", t.Name)), http.StatusSeeOther)
		return nil
	}
}
