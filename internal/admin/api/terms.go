package api

import (
	"net/http"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
)

// Term is a category or tag as the API shows it.
type Term struct {
	ID          int64  `json:"id"`
	Taxonomy    string `json:"taxonomy"`
	Name        string `json:"name"`
	Slug        string `json:"slug"`
	Description string `json:"description"`
	Parent      int64  `json:"parent"` // categories only; 0 for none
	Count       int    `json:"count"`  // published posts
	URL         string `json:"url"`
	// Aliases are the term's earlier slugs, whose addresses answer 301
	// to its own; given by GET /{id} and after a change.
	Aliases []string `json:"aliases,omitempty"`
}

// TermInput is the body of POST and PATCH on categories and tags: absent
// (or null) fields are left as they are.
type TermInput struct {
	Name        *string `json:"name"`
	Slug        *string `json:"slug"`
	Description *string `json:"description"`
	Parent      *int64  `json:"parent"`
}

func (a *API) termJSON(r *http.Request, t *content.Term) Term {
	return Term{ID: t.ID, Taxonomy: string(t.Taxonomy), Name: t.Name, Slug: t.Slug, Description: t.Description,
		Parent: t.ParentID, Count: t.Count, URL: a.baseURL(r) + t.Path()}
}

// termRoutes are the endpoints of categories and tags, the same for both.
func (a *API) termRoutes() []struct {
	pattern string
	h       HandlerFunc
} {
	var out []struct {
		pattern string
		h       HandlerFunc
	}
	add := func(pattern string, h HandlerFunc) {
		out = append(out, struct {
			pattern string
			h       HandlerFunc
		}{pattern, h})
	}
	for _, tax := range []struct {
		path string
		tax  content.Taxonomy
	}{{"categories", content.TaxCategory}, {"tags", content.TaxTag}} {
		base := "/api/v1/" + tax.path
		add("GET "+base, a.listTerms(tax.tax))
		add("POST "+base, a.createTerm(tax.tax))
		add("GET "+base+"/{id}", a.getTerm(tax.tax))
		add("PATCH "+base+"/{id}", a.patchTerm(tax.tax))
		add("DELETE "+base+"/{id}", a.deleteTerm(tax.tax))
		add("POST "+base+"/{id}/merge", a.mergeTerm(tax.tax))
	}
	return out
}

func (a *API) listTerms(tax content.Taxonomy) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, u *content.User) error {
		terms, err := a.cfg.DB.FindTerms(r.Context(), tax)
		if err != nil {
			return err
		}
		out := []Term{}
		for _, t := range terms {
			out = append(out, a.termJSON(r, t))
		}
		key := "categories"
		if tax == content.TaxTag {
			key = "tags"
		}
		return WriteJSON(w, http.StatusOK, map[string]any{key: out})
	}
}

// oneTerm writes term id of tax as a client sees it after a change: with
// its count and its earlier slugs.
func (a *API) oneTerm(w http.ResponseWriter, r *http.Request, tax content.Taxonomy, id int64, status int) error {
	t, err := a.cfg.DB.FindTermByID(r.Context(), id)
	if content.IsNotFound(err) || (err == nil && t.Taxonomy != tax) {
		return content.Errorf(content.ENotFound, "There is no %s %d.", tax, id)
	}
	if err != nil {
		return err
	}
	terms, err := a.cfg.DB.FindTerms(r.Context(), tax)
	if err != nil {
		return err
	}
	for _, c := range terms {
		if c.ID == id {
			t.Count = c.Count
		}
	}
	out := a.termJSON(r, t)
	if out.Aliases, err = a.cfg.DB.FindTermAliases(r.Context(), id); err != nil {
		return err
	}
	return WriteJSON(w, status, out)
}

func (a *API) getTerm(tax content.Taxonomy) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, u *content.User) error {
		id, err := PathID(r, "id")
		if err != nil {
			return err
		}
		return a.oneTerm(w, r, tax, id, http.StatusOK)
	}
}

func (in TermInput) input() editorial.TermInput {
	return editorial.TermInput{Name: in.Name, Slug: in.Slug, Description: in.Description, Parent: in.Parent}
}

func (a *API) createTerm(tax content.Taxonomy) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, u *content.User) error {
		var in TermInput
		if err := Decode(w, r, &in); err != nil {
			return err
		}
		t, err := a.svc.CreateTerm(r.Context(), u, tax, in.input())
		if err != nil {
			return err
		}
		return a.oneTerm(w, r, tax, t.ID, http.StatusCreated)
	}
}

func (a *API) patchTerm(tax content.Taxonomy) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, u *content.User) error {
		id, err := PathID(r, "id")
		if err != nil {
			return err
		}
		var in TermInput
		if err := Decode(w, r, &in); err != nil {
			return err
		}
		if _, err := a.svc.UpdateTerm(r.Context(), u, tax, id, in.input()); err != nil {
			return err
		}
		return a.oneTerm(w, r, tax, id, http.StatusOK)
	}
}

func (a *API) deleteTerm(tax content.Taxonomy) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, u *content.User) error {
		id, err := PathID(r, "id")
		if err != nil {
			return err
		}
		if err := a.svc.DeleteTerm(r.Context(), u, tax, id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

func (a *API) mergeTerm(tax content.Taxonomy) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, u *content.User) error {
		id, err := PathID(r, "id")
		if err != nil {
			return err
		}
		var in struct {
			Into *int64 `json:"into"`
		}
		if err := Decode(w, r, &in); err != nil {
			return err
		}
		if in.Into == nil {
			return content.FieldError("into", "give the id of the %s to merge into, as \"into\"", tax)
		}
		t, err := a.svc.MergeTerm(r.Context(), u, tax, id, *in.Into)
		if err != nil {
			return err
		}
		return a.oneTerm(w, r, tax, t.ID, http.StatusOK)
	}
}
