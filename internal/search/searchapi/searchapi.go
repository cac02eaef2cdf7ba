// Package searchapi reads search requests from URL parameters, for the
// public search page and the Admin API alike, and answers the Admin API's
// search (GET /api/v1/search, which the composition root registers as an
// area of the Admin API, behind its authentication and errors).
package searchapi

import (
	"context"
	"html"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/search"
	"github.com/broadsheet/broadsheet/internal/store"
)

// Limits on paging: enough for any reader, small enough that one request
// cannot ask the database for the whole archive.
const (
	MaxPerPage = 100
	MaxPage    = 1000
)

// Params are a search's URL parameters as given, for forms and links.
type Params struct {
	Q        string
	Category string // slug
	Tag      string // slug
	Author   string // slug
	From, To string // YYYY-MM-DD, both inclusive
	Sort     string // relevance (default), newest, oldest
	Page     int    // from 1
	PerPage  int
	Statuses []content.Status // Admin API only
	// Kind is what is searched: post (the default), page, event or book.
	Kind string
}

// Values writes p back as URL parameters, leaving out defaults, with the
// page given; used for pager links.
func (p Params) Values(page int) url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("q", p.Q)
	set("category", p.Category)
	set("tag", p.Tag)
	set("author", p.Author)
	set("from", p.From)
	set("to", p.To)
	if p.Kind != string(content.KindPost) {
		set("kind", p.Kind)
	}
	if p.Sort != "" && p.Sort != string(search.SortRelevance) {
		v.Set("sort", p.Sort)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v
}

// Request is a search read from URL parameters: what was asked (Params),
// and what to run (Search), unless Err says why it cannot run.
type Request struct {
	Params Params
	Search store.SearchRequest
	// Term and author the search is limited to, for the page to name.
	Category, Tag *content.Term
	Author        *content.User
}

// Finder is what reading a request needs from the store.
type Finder interface {
	FindTermBySlug(ctx context.Context, tax content.Taxonomy, slug string) (*content.Term, error)
	// FindTermByAlias finds a renamed or merged term by an earlier slug,
	// so that a saved search keeps working.
	FindTermByAlias(ctx context.Context, tax content.Taxonomy, slug string) (*content.Term, error)
	FindUserBySlug(ctx context.Context, slug string) (*content.User, error)
}

// Parse reads a search from v. base is the filter that sets what may be
// found (store.Published(now) on the public site); perPage is the default
// page size. A mistake in any parameter is a content.Error (EInvalid)
// naming the parameter and saying what to change; req.Params is filled
// even then, so a form can show what was typed.
func Parse(ctx context.Context, db Finder, v url.Values, base store.PostFilter, perPage int) (*Request, error) {
	req := &Request{Params: Params{
		Q: v.Get("q"), Category: v.Get("category"), Tag: v.Get("tag"), Author: v.Get("author"),
		From: v.Get("from"), To: v.Get("to"), Sort: v.Get("sort"), Page: 1, PerPage: perPage, Kind: v.Get("kind"),
	}}
	p := &req.Params
	f := base
	if p.Kind != "" {
		if !content.Kind(p.Kind).Valid() {
			return req, content.FieldError("kind", "Search posts, pages, events or books (kind post, page, event or book), not %q.", clip(p.Kind))
		}
		f.Kind = content.Kind(p.Kind)
	}
	q, err := search.Parse(p.Q)
	if err != nil {
		return req, content.FieldError("q", "%s", err.Error())
	}
	req.Search.Query = q
	if s := v.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxPage {
			return req, content.FieldError("page", "The page must be a whole number from 1 to %d, not %q.", MaxPage, clip(s))
		}
		p.Page = n
	}
	if s := v.Get("per_page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxPerPage {
			return req, content.FieldError("per_page", "Results per page must be a whole number from 1 to %d, not %q.", MaxPerPage, clip(s))
		}
		p.PerPage = n
	}
	switch search.Sort(p.Sort) {
	case "", search.SortRelevance, search.SortNewest, search.SortOldest:
		req.Search.Sort = search.Sort(p.Sort)
	default:
		return req, content.FieldError("sort", "Sort by relevance, newest or oldest, not %q.", clip(p.Sort))
	}
	for _, d := range []struct {
		name, label string
		s           string
		into        *time.Time
		add         int
	}{{"from", "start", p.From, &f.From, 0}, {"to", "end", p.To, &f.To, 1}} {
		if d.s == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", d.s)
		if err != nil {
			return req, content.FieldError(d.name, "Give the %s date as year-month-day, like 2025-12-31, not %q.", d.label, clip(d.s))
		}
		t = t.AddDate(0, 0, d.add) // "to" includes its whole day
		if d.name == "from" && t.After(f.From) || d.name == "to" && (f.To.IsZero() || t.Before(f.To)) {
			*d.into = t
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return req, content.FieldError("to", "The end date %s is before the start date %s.", p.To, p.From)
	}
	for _, s := range v["status"] {
		for _, name := range strings.Split(s, ",") {
			st := content.Status(strings.TrimSpace(name))
			if !st.Valid() {
				return req, content.FieldError("status", "Unknown status %q: use draft, pending, scheduled, published, private or trash.", clip(string(st)))
			}
			p.Statuses = append(p.Statuses, st)
		}
	}
	if len(p.Statuses) > 0 {
		f.Statuses = p.Statuses
	}
	if p.Category != "" {
		t, err := findTerm(ctx, db, content.TaxCategory, p.Category)
		if err != nil {
			return req, lookupError(err, "category", "There is no section %q.", p.Category)
		}
		req.Category = t
		req.Search.TermIDs = append(req.Search.TermIDs, t.ID)
	}
	if p.Tag != "" {
		t, err := findTerm(ctx, db, content.TaxTag, p.Tag)
		if err != nil {
			return req, lookupError(err, "tag", "There is no tag %q.", p.Tag)
		}
		req.Tag = t
		req.Search.TermIDs = append(req.Search.TermIDs, t.ID)
	}
	if p.Author != "" {
		u, err := db.FindUserBySlug(ctx, p.Author)
		if err != nil {
			return req, lookupError(err, "author", "There is no author %q.", p.Author)
		}
		req.Author = u
		f.AuthorID = u.ID
	}
	f.Limit, f.Offset = p.PerPage, (p.Page-1)*p.PerPage
	req.Search.Filter = f
	return req, nil
}

// findTerm finds the term of tax by its slug or an earlier one.
func findTerm(ctx context.Context, db Finder, tax content.Taxonomy, slug string) (*content.Term, error) {
	t, err := db.FindTermBySlug(ctx, tax, slug)
	if content.IsNotFound(err) {
		return db.FindTermByAlias(ctx, tax, slug)
	}
	return t, err
}

func lookupError(err error, field, format, slug string) error {
	if content.IsNotFound(err) {
		return content.FieldError(field, format, clip(slug))
	}
	return err
}

// clip shortens what a reader typed before it is repeated in a message.
func clip(s string) string {
	s = strings.ToValidUTF8(s, "�")
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// SnippetHTML turns a snippet from the store into HTML: the text escaped,
// the matched words in <mark>.
func SnippetHTML(s string) template.HTML {
	var b strings.Builder
	open := false
	for s != "" {
		i := strings.IndexAny(s, search.MarkStart+search.MarkEnd)
		if i < 0 {
			b.WriteString(html.EscapeString(s))
			break
		}
		b.WriteString(html.EscapeString(s[:i]))
		if strings.HasPrefix(s[i:], search.MarkStart) {
			if !open {
				b.WriteString("<mark>")
				open = true
			}
			s = s[i+len(search.MarkStart):]
		} else {
			if open {
				b.WriteString("</mark>")
				open = false
			}
			s = s[i+len(search.MarkEnd):]
		}
	}
	if open {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String())
}

// Result is one hit in the Admin API's JSON.
type Result struct {
	ID          int64          `json:"id"`
	Kind        content.Kind   `json:"kind"`
	Title       string         `json:"title"`
	Path        string         `json:"path,omitempty"` // public address, once published`
	Status      content.Status `json:"status"`
	PublishedAt *time.Time     `json:"published_at,omitempty"`
	Categories  []string       `json:"categories"`
	Tags        []string       `json:"tags"`
	Authors     []string       `json:"authors"`
	Source      string         `json:"source,omitempty"`
	SnippetHTML string         `json:"snippet_html"`
	Score       float64        `json:"score"`
}

// Response is the Admin API's JSON answer to a search.
type Response struct {
	Query   string   `json:"query"`
	Total   int      `json:"total"`
	Page    int      `json:"page"`
	PerPage int      `json:"per_page"`
	Pages   int      `json:"pages"`
	Results []Result `json:"results"`
}

// Search runs an editor's search from URL parameters: q, category, tag,
// author (slugs), from, to (YYYY-MM-DD), sort (relevance, newest, oldest),
// status (any of the statuses, comma-separated; default all), page and
// per_page (default 20). Kinds are not mixed: kind=page searches pages,
// kind=event events and kind=book books. Bad parameters give a content.Error naming the parameter.
func Search(ctx context.Context, db *store.DB, v url.Values) (*Response, error) {
	return SearchFor(ctx, db, v, nil)
}

// SearchFor is Search as user u sees it: editors and admins (and a nil u,
// for callers that checked access themselves) find every entry; authors
// and contributors find their own entries, in any status, or everyone's
// published ones when they ask for status=published alone.
func SearchFor(ctx context.Context, db *store.DB, v url.Values, u *content.User) (*Response, error) {
	base := store.PostFilter{Kind: content.KindPost}
	req, err := Parse(ctx, db, v, base, 20)
	if err != nil {
		return nil, err
	}
	if u != nil && !u.CanEditOthers() {
		st := req.Params.Statuses
		if !(len(st) == 1 && st[0] == content.StatusPublished) {
			req.Search.Filter.AuthorID = u.ID
		}
	}
	res, err := db.Search(ctx, req.Search)
	if err != nil {
		return nil, err
	}
	out := &Response{Query: req.Search.Query.String(), Total: res.Total, Page: req.Params.Page,
		PerPage: req.Params.PerPage, Pages: (res.Total + req.Params.PerPage - 1) / req.Params.PerPage, Results: []Result{}}
	for _, h := range res.Hits {
		p := h.Post
		r := Result{ID: p.ID, Kind: p.Kind, Title: p.Title, Status: p.Status,
			SnippetHTML: string(SnippetHTML(h.Snippet)), Score: h.Score,
			Categories: []string{}, Tags: []string{}, Authors: []string{}}
		if !p.PublishedAt.IsZero() {
			t := p.PublishedAt
			r.PublishedAt = &t
			r.Path = p.Path()
		}
		for _, c := range p.Categories {
			r.Categories = append(r.Categories, c.Name)
		}
		for _, t := range p.Tags {
			r.Tags = append(r.Tags, t.Name)
		}
		for _, a := range p.Authors {
			r.Authors = append(r.Authors, a.Name)
		}
		if p.Source != nil {
			r.Source = p.Source.Name
		}
		out.Results = append(out.Results, r)
	}
	return out, nil
}
