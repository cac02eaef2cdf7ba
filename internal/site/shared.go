package site

import (
	"context"
	"html/template"
	"sync"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
)

// sharedParts keeps what every page's layout shows (the settings and the
// navigation's categories, and the masthead, head links and footer
// rendered from them) between renderings, so that a page costs two
// queries fewer and renders those parts once per change; any committed
// change forgets them.
type sharedParts struct {
	mu       sync.Mutex
	gen      uint64 // bumped by forget
	ok       bool
	settings content.Settings
	nav      []*content.Term
	// layoutParts are the layout's shared parts ("masthead", "site-links",
	// …) as each page's set renders them.
	layoutParts map[layoutPartKey]layoutPart
	// listHeads are listings' heads by canonical address (see listHead).
	listHeads map[string]*listHeadParts
	// The search form's choices: tags with published posts, and authors.
	filtersOK bool
	tags      []*content.Term
	authors   []*content.User
}

// maxListHeads bounds the listings' heads kept between changes.
const maxListHeads = 4096

func (p *sharedParts) forget() {
	p.mu.Lock()
	p.gen++
	p.ok = false
	p.nav = nil
	p.layoutParts = nil
	p.listHeads = nil
	p.filtersOK, p.tags, p.authors = false, nil, nil
	p.mu.Unlock()
}

// searchFilters returns the tags and the authors with published posts,
// which the search form offers: counting every tag's posts for each search
// cost more than the search. An author without one has no archive, and
// the form does not tell their name either. Callers must not modify what
// it returns.
func (p *sharedParts) searchFilters(ctx context.Context, db *store.DB, now time.Time) ([]*content.Term, []*content.User, error) {
	p.mu.Lock()
	gen := p.gen
	if p.filtersOK {
		tags, authors := p.tags, p.authors
		p.mu.Unlock()
		return tags, authors, nil
	}
	p.mu.Unlock()
	tags, err := db.FindTerms(ctx, content.TaxTag)
	if err != nil {
		return nil, nil, err
	}
	tags = withPosts(tags)
	users, err := db.FindUsers(ctx)
	if err != nil {
		return nil, nil, err
	}
	public, err := db.FindAuthorStamps(ctx, now)
	if err != nil {
		return nil, nil, err
	}
	published := make(map[string]bool, len(public))
	for _, a := range public {
		published[a.Slug] = true
	}
	var authors []*content.User
	for _, u := range users {
		if published[u.Slug] {
			authors = append(authors, u)
		}
	}
	p.mu.Lock()
	if p.gen == gen { // no change landed while we read
		p.filtersOK, p.tags, p.authors = true, tags, authors
	}
	p.mu.Unlock()
	return tags, authors, nil
}

// listHead returns the kept head of the listing at canonical, if kept
// since generation gen.
func (p *sharedParts) listHead(canonical string, gen uint64) (*listHeadParts, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	h, ok := p.listHeads[canonical]
	return h, ok && p.gen == gen
}

// keepListHead keeps a listing's head unless a change came since
// generation gen, or the bound is reached.
func (p *sharedParts) keepListHead(canonical string, gen uint64, h *listHeadParts) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gen != gen || len(p.listHeads) >= maxListHeads {
		return
	}
	if p.listHeads == nil {
		p.listHeads = map[string]*listHeadParts{}
	}
	p.listHeads[canonical] = h
}

// layoutPartKey names one of the layout's shared parts, a template, as
// one page's set renders it.
type layoutPartKey struct{ page, name string }

// layoutPart is a shared part rendered in year (0 for the parts that do
// not show it).
type layoutPart struct {
	html template.HTML
	year int
}

// layoutPart returns the page's kept part name for year, if kept since
// generation gen.
func (p *sharedParts) layoutPart(page, name string, year int, gen uint64) (template.HTML, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	part, ok := p.layoutParts[layoutPartKey{page, name}]
	return part.html, ok && part.year == year && p.gen == gen
}

// keepLayoutPart keeps the page's part name, rendered for year, unless a
// change came since generation gen, when what it was rendered from was
// read. A few parts per page of the theme: naturally bounded.
func (p *sharedParts) keepLayoutPart(page, name string, year int, gen uint64, html template.HTML) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gen != gen {
		return
	}
	if p.layoutParts == nil {
		p.layoutParts = map[layoutPartKey]layoutPart{}
	}
	p.layoutParts[layoutPartKey{page, name}] = layoutPart{html, year}
}

// load returns the settings and the categories with published posts, and
// the generation they were read in. Callers must not modify what it
// returns.
func (p *sharedParts) load(ctx context.Context, db *store.DB) (content.Settings, []*content.Term, uint64, error) {
	p.mu.Lock()
	gen := p.gen
	if p.ok {
		set, nav := p.settings, p.nav
		p.mu.Unlock()
		return set, nav, gen, nil
	}
	p.mu.Unlock()
	set, err := db.LoadSettings(ctx)
	if err != nil {
		return set, nil, gen, err
	}
	cats, err := db.FindTerms(ctx, content.TaxCategory)
	if err != nil {
		return set, nil, gen, err
	}
	nav := cats[:0]
	for _, c := range cats {
		if c.Count > 0 {
			nav = append(nav, c)
		}
	}
	p.mu.Lock()
	if p.gen == gen { // no change landed while we read
		p.ok, p.settings, p.nav = true, set, nav
	}
	p.mu.Unlock()
	return set, nav, gen, nil
}
