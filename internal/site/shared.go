package site

import (
	"context"
	"html/template"
	"slices"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/readcache"
	"github.com/broadsheet/broadsheet/internal/store"
)

// sharedParts keeps what every page's layout shows (the settings and the
// navigation's categories, and the masthead, head links and footer
// rendered from them) between renderings, so that a page costs two
// queries fewer and renders those parts once per change; any committed
// change forgets them (readcache.Caches.Apply).
type sharedParts struct {
	// layout holds the settings and the navigation's categories.
	layout *readcache.Map[struct{}, layoutData]
	// layoutParts are the layout's shared parts ("masthead", "site-links",
	// …) as each page's set renders them.
	layoutParts *readcache.Map[layoutPartKey, layoutPart]
	// listHeads are listings' heads by canonical address (see listHead):
	// immutable once kept.
	listHeads *readcache.Map[string, *listHeadParts]
	// filters are the search form's choices: tags with published posts,
	// and authors.
	filters *readcache.Map[struct{}, searchChoices]
}

// maxListHeads bounds the listings' heads kept between changes.
const maxListHeads = 4096

func newSharedParts(c *readcache.Caches) *sharedParts {
	return &sharedParts{
		layout:      readcache.NewMap[struct{}, layoutData](c, readcache.Options[layoutData]{Max: 1, Copy: layoutData.clone}),
		layoutParts: readcache.NewMap[layoutPartKey, layoutPart](c, readcache.Options[layoutPart]{}),
		listHeads:   readcache.NewMap[string, *listHeadParts](c, readcache.Options[*listHeadParts]{Max: maxListHeads}),
		filters:     readcache.NewMap[struct{}, searchChoices](c, readcache.Options[searchChoices]{Max: 1, Copy: searchChoices.clone}),
	}
}

// layoutData are the settings and the categories with published posts.
type layoutData struct {
	settings content.Settings
	nav      []*content.Term
}

func (d layoutData) clone() layoutData {
	d.settings.Menu = slices.Clone(d.settings.Menu)
	d.nav = clonePointers(d.nav)
	return d
}

// searchChoices are the tags and the authors the search form offers.
type searchChoices struct {
	tags    []*content.Term
	authors []*content.User
}

func (f searchChoices) clone() searchChoices {
	return searchChoices{clonePointers(f.tags), clonePointers(f.authors)}
}

// clonePointers copies the values of s into a new slice of pointers.
func clonePointers[T any](s []*T) []*T {
	if s == nil {
		return nil
	}
	out := make([]*T, len(s))
	vals := make([]T, len(s))
	for i, p := range s {
		vals[i] = *p
		out[i] = &vals[i]
	}
	return out
}

// searchFilters returns the tags and the authors with published posts,
// which the search form offers: counting every tag's posts for each search
// cost more than the search. An author without one has no archive, and
// the form does not tell their name either. What it returns is the
// caller's own.
func (p *sharedParts) searchFilters(ctx context.Context, db *store.DB, now time.Time) ([]*content.Term, []*content.User, error) {
	kept, gen, ok := p.filters.Get(struct{}{}, time.Time{})
	if ok {
		return kept.tags, kept.authors, nil
	}
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
	p.filters.Put(struct{}{}, searchChoices{tags, authors}, gen, time.Time{}) // unless a change landed while we read
	return tags, authors, nil
}

// listHead returns the kept head of the listing at canonical, if kept
// since generation gen.
func (p *sharedParts) listHead(canonical string, gen uint64) (*listHeadParts, bool) {
	h, now, ok := p.listHeads.Get(canonical, time.Time{})
	return h, ok && now == gen
}

// keepListHead keeps a listing's head unless a change came since
// generation gen. Its users never change it: it is kept as it is.
func (p *sharedParts) keepListHead(canonical string, gen uint64, h *listHeadParts) {
	p.listHeads.Give(canonical, h, gen, time.Time{})
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
	part, now, ok := p.layoutParts.Get(layoutPartKey{page, name}, time.Time{})
	return part.html, ok && part.year == year && now == gen
}

// keepLayoutPart keeps the page's part name, rendered for year, unless a
// change came since generation gen, when what it was rendered from was
// read. A few parts per page of the theme: naturally bounded.
func (p *sharedParts) keepLayoutPart(page, name string, year int, gen uint64, html template.HTML) {
	p.layoutParts.Put(layoutPartKey{page, name}, layoutPart{html, year}, gen, time.Time{})
}

// load returns the settings and the categories with published posts, and
// the generation they were read in. What it returns is the caller's own.
func (p *sharedParts) load(ctx context.Context, db *store.DB) (content.Settings, []*content.Term, uint64, error) {
	kept, gen, ok := p.layout.Get(struct{}{}, time.Time{})
	if ok {
		return kept.settings, kept.nav, gen, nil
	}
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
	p.layout.Put(struct{}{}, layoutData{set, nav}, gen, time.Time{}) // unless a change landed while we read
	return set, nav, gen, nil
}
