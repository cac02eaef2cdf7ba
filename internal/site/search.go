package site

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/search"
	"github.com/broadsheet/broadsheet/internal/search/searchapi"
	"github.com/broadsheet/broadsheet/internal/store"
)

// SearchPage is /search: the form, with its filters, and one page of results.
type SearchPage struct {
	Layout
	Params  searchapi.Params
	Message string // why the search could not run, or why nothing shows
	Ran     bool   // a search ran (the query was not empty)
	Hits    []SearchHit
	Total   int
	Page    int
	Pages   int
	Prev    string // link to the previous page of results, if any
	Next    string // link to the next page of results, if any
	Sorts   []SortOption
	// Kinds are the choices of what to search: articles, events, books.
	Kinds []SortOption
	// choices reads the tags and authors the filters offer: only when the
	// filters are rendered, not while they are kept rendered.
	choices func() ([]*content.Term, []*content.User, error)
	read    bool
	tags    []*content.Term
	authors []*content.User
}

// Tags are the tags a search may be narrowed to (read when first asked).
func (p *SearchPage) Tags() ([]*content.Term, error) {
	err := p.readChoices()
	return p.tags, err
}

// Authors are the authors a search may be narrowed to (read when first
// asked).
func (p *SearchPage) Authors() ([]*content.User, error) {
	err := p.readChoices()
	return p.authors, err
}

func (p *SearchPage) readChoices() error {
	if p.read || p.choices == nil {
		return nil
	}
	tags, authors, err := p.choices()
	if err != nil {
		return err
	}
	p.tags, p.authors, p.read = tags, authors, true
	return nil
}

// Filters returns the form's choices of section, tag and author as the
// theme's "search-filters" template renders them (a SearchFilters): while
// none is chosen, as most searches show them, kept until the next change.
func (p *SearchPage) Filters() (template.HTML, error) {
	c := p.chrome
	if c == nil {
		return "", nil
	}
	if p.Params.Category != "" || p.Params.Tag != "" || p.Params.Author != "" {
		chosen := *c // rendered for this search alone
		chosen.keep = false
		c = &chosen
	}
	if c.keep {
		if html, ok := c.s.shared.layoutPart(c.page, "search-filters", 0, c.gen); ok {
			return html, nil // the tags and authors need not be read
		}
	}
	if err := p.readChoices(); err != nil {
		return "", err
	}
	f := &SearchFilters{Categories: p.Categories, Tags: p.tags, Authors: p.authors, Params: p.Params}
	return c.part("search-filters", 0, func() any { return f })
}

// SearchFilters is what the theme's "search-filters" template shows: the
// sections, tags and authors a search may be narrowed to, and which are
// chosen (Params).
type SearchFilters struct {
	Categories []*content.Term
	Tags       []*content.Term
	Authors    []*content.User
	Params     searchapi.Params
}

// SearchHit is one result on the page.
type SearchHit struct {
	Post    *content.Post
	Snippet template.HTML // escaped text, matches in <mark>
}

// SortOption is one choice of order.
type SortOption struct {
	Value, Label string
}

// kindOptions are what the site's search may look through.
var kindOptions = []SortOption{
	{string(content.KindPost), "Articles"},
	{string(content.KindEvent), "Events"},
	{string(content.KindBook), "Books"},
}

var sortOptions = []SortOption{
	{string(search.SortRelevance), "Best match"},
	{string(search.SortNewest), "Newest first"},
	{string(search.SortOldest), "Oldest first"},
}

// searchPage serves /search?q=…. Bad parameters get the page back with
// status 400 and a sentence saying what to change, never a server error.
func (s *Site) searchPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	layout, err := s.layout(ctx, "search")
	if err != nil {
		return err
	}
	req, perr := searchapi.Parse(ctx, s.cfg.DB, r.URL.Query(), store.Published(s.cfg.Now()), layout.Site.PostsPerPage)
	page := &SearchPage{Layout: layout, Params: req.Params, Page: req.Params.Page, Sorts: sortOptions, Kinds: kindOptions}
	if page.Params.Kind == "" {
		page.Params.Kind = string(content.KindPost)
	}
	if page.Params.Sort == "" {
		page.Params.Sort = string(search.SortRelevance)
	}
	page.choices = func() ([]*content.Term, []*content.User, error) {
		return s.shared.searchFilters(ctx, s.cfg.DB, s.cfg.Now())
	}
	status := http.StatusOK
	switch {
	case perr != nil:
		if content.ErrorCode(perr) != content.EInvalid {
			return perr
		}
		status, page.Message = http.StatusBadRequest, content.ErrorMessage(perr)
		var ce *content.Error
		if errors.As(perr, &ce) {
			page.Message = ce.Message // the sentence names what to change
		}
	case !req.Search.Query.Empty():
		res, err := s.cfg.DB.Search(ctx, req.Search)
		if err != nil {
			return err
		}
		page.Ran, page.Total = true, res.Total
		per := req.Params.PerPage
		page.Pages = (res.Total + per - 1) / per
		for _, h := range res.Hits {
			page.Hits = append(page.Hits, SearchHit{Post: h.Post, Snippet: searchapi.SnippetHTML(h.Snippet)})
		}
		if page.Page > 1 && page.Page <= page.Pages+1 {
			page.Prev = "/search?" + req.Params.Values(min(page.Page-1, page.Pages)).Encode()
		}
		if page.Page < page.Pages {
			page.Next = "/search?" + req.Params.Values(page.Page+1).Encode()
		}
		if len(page.Hits) == 0 && res.Total > 0 {
			page.Message = "There are only " + strconv.Itoa(page.Pages) + " pages of results for this search."
		}
	}
	title := "Search"
	if q := req.Params.Q; q != "" && perr == nil {
		title = "Search: " + truncate(q, 60)
	}
	if page.Page > 1 {
		title = joinTitle(title, "Page "+strconv.Itoa(page.Page))
	}
	page.Head.Title = joinTitle(title, layout.Site.Title)
	// Result pages are endless and thin: keep them out of search engines.
	page.Head.NoIndex = true
	return s.tmpl.Render(w, status, "search", page)
}

// suggestLimit is how many titles search-as-you-type offers.
const suggestLimit = 8

// suggest serves /search/suggest?q=…: up to eight titles of published
// posts matching what has been typed so far, as JSON
// [{"title": …, "url": …}]; a query the search refuses gets status 400 and
// {"error": …}.
func (s *Site) suggest(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	q, err := search.Parse(r.URL.Query().Get("q"))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
	}
	out, err := s.cfg.DB.Suggest(r.Context(), q, store.Published(s.cfg.Now()), suggestLimit)
	if err != nil {
		w.Header().Del("Content-Type")
		return err
	}
	if out == nil {
		out = []search.Suggestion{}
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	return json.NewEncoder(w).Encode(out)
}

func withPosts(terms []*content.Term) []*content.Term {
	out := terms[:0]
	for _, t := range terms {
		if t.Count > 0 {
			out = append(out, t)
		}
	}
	return out
}
