package site

import (
	"context"
	"sync"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
)

// sharedParts keeps what every page's layout shows (the settings and the
// navigation's categories) between renderings, so that a page costs two
// queries fewer; any committed change forgets them.
type sharedParts struct {
	mu       sync.Mutex
	gen      uint64 // bumped by forget
	ok       bool
	settings content.Settings
	nav      []*content.Term
}

func (p *sharedParts) forget() {
	p.mu.Lock()
	p.gen++
	p.ok = false
	p.nav = nil
	p.mu.Unlock()
}

// load returns the settings and the categories with published posts.
// Callers must not modify what it returns.
func (p *sharedParts) load(ctx context.Context, db *store.DB) (content.Settings, []*content.Term, error) {
	p.mu.Lock()
	if p.ok {
		set, nav := p.settings, p.nav
		p.mu.Unlock()
		return set, nav, nil
	}
	gen := p.gen
	p.mu.Unlock()
	set, err := db.LoadSettings(ctx)
	if err != nil {
		return set, nil, err
	}
	cats, err := db.FindTerms(ctx, content.TaxCategory)
	if err != nil {
		return set, nil, err
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
	return set, nav, nil
}
