package site

import (
	"bytes"
	"context"
	"html/template"
	"strconv"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/readcache"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web/cache"
)

// listed is one page of a listing: its posts' teasers, and the posts
// themselves, read only if something asks for them (ListPage.Posts).
type listed struct {
	teasers []template.HTML
	ids     []int64
	// teasersKey names the teasers, when they are those the fragment
	// cache holds for the posts' versions in one of its generations: the
	// same key, the same teasers. "" when they may not be kept.
	teasersKey string
	posts      []*content.Post // nil until loaded
	// load reads the posts; ctx is the request's, which the page's
	// rendering does not outlive.
	ctx  context.Context
	load func(ctx context.Context, ids []int64) ([]*content.Post, error)
}

// allPosts returns the listed posts with their authors and terms.
func (l *listed) allPosts() ([]*content.Post, error) {
	if l.posts == nil && len(l.ids) > 0 {
		posts, err := l.load(l.ctx, l.ids)
		if err != nil {
			return nil, err
		}
		l.posts = posts
	}
	return l.posts, nil
}

// listTeasers reads one page of the posts f selects and renders their
// teasers, reusing those the fragment cache holds: a page whose teasers are
// all there costs one query and no rendering of teasers, none while the
// store remembers which posts it lists (FindPostVersions). It returns the
// page and the number of posts the listing has.
//
// The teasers are in the site's teaser style (Settings.TeaserStyle); with
// lead, the first is the lead story (Teaser.Lead).
func (s *Site) listTeasers(ctx context.Context, f store.PostFilter, style string, lead bool) (*listed, int, error) {
	gen := s.frags.Generation()
	l := &listed{ctx: ctx, load: s.cfg.DB.FindPostsByIDs}
	var versions []store.PostVersion
	var total int
	// The page cache, when it keeps this page, wants the posts with their
	// authors and terms (cache.Shows); so does a site without teasers kept.
	if s.frags == nil || cache.Recording(ctx) {
		posts, n, err := s.cfg.DB.FindPosts(ctx, f)
		if err != nil {
			return nil, 0, err
		}
		cache.Shows(ctx, posts...)
		l.posts, total = posts, n
		for _, p := range posts {
			versions = append(versions, store.PostVersion{ID: p.ID, PublishedAt: p.PublishedAt, UpdatedAt: p.UpdatedAt})
		}
	} else {
		var err error
		if versions, total, err = s.cfg.DB.FindPostVersions(ctx, f); err != nil {
			return nil, 0, err
		}
	}
	l.teasers = make([]template.HTML, len(versions))
	l.ids = make([]int64, len(versions))
	have := make([]bool, len(versions))
	var missing []int64
	partOf := func(i int) readcache.Part {
		if lead && i == 0 {
			return leadPart
		}
		return teaserPart
	}
	for i, v := range versions {
		l.ids[i] = v.ID
		if t, ok := s.frags.Get(v.ID, partOf(i), v.UpdatedAt); ok {
			l.teasers[i], have[i] = t.(template.HTML), true
		} else {
			missing = append(missing, v.ID)
		}
	}
	if len(missing) == 0 {
		l.teasersKey = s.teasersKey(gen, versions, lead)
		return l, total, nil
	}
	var fresh []*content.Post
	if l.posts != nil {
		for i, p := range l.posts {
			if !have[i] {
				fresh = append(fresh, p)
			}
		}
	} else {
		var err error
		if fresh, err = s.cfg.DB.FindPostsByIDs(ctx, missing); err != nil {
			return nil, 0, err
		}
	}
	freshIDs := make([]int64, len(fresh))
	for i, p := range fresh {
		freshIDs[i] = p.ID
	}
	featured, err := s.cfg.DB.FindFeaturedImages(ctx, freshIDs)
	if err != nil {
		return nil, 0, err
	}
	rendered := make(map[int64]template.HTML, len(fresh))
	buf := s.tmpl.GetBuffer()
	defer s.tmpl.PutBuffer(buf)
	for _, p := range fresh {
		t := &Teaser{Post: p, Featured: featured[p.ID], Style: style, Lead: lead && len(versions) > 0 && p.ID == versions[0].ID}
		html, err := s.renderTeaser(buf, t, gen)
		if err != nil {
			return nil, 0, err
		}
		rendered[p.ID] = html
	}
	// A post deleted between the two reads is left out.
	n := 0
	for i, id := range l.ids {
		html, ok := l.teasers[i], have[i]
		if !ok {
			if html, ok = rendered[id]; !ok {
				continue
			}
		}
		l.teasers[n], l.ids[n] = html, id
		n++
	}
	l.teasers, l.ids = l.teasers[:n], l.ids[:n]
	if n == len(versions) {
		l.teasersKey = s.teasersKey(gen, versions, lead)
	}
	return l, total, nil
}

// renderTeaser renders t with buf and keeps it, unless a change came
// since generation gen.
func (s *Site) renderTeaser(buf *bytes.Buffer, t *Teaser, gen uint64) (template.HTML, error) {
	buf.Reset()
	if err := s.tmpl.ExecuteBlock(buf, "list", "teaser", t); err != nil {
		return "", err
	}
	html := template.HTML(buf.String())
	pt := teaserPart
	if t.Lead {
		pt = leadPart
	}
	s.frags.Put(t.ID, pt, t.UpdatedAt, html, len(html), gen)
	return html, nil
}

// Teaser is what the theme's "teaser" template shows: a post in a
// listing, with its featured image (its thumbnail), in the site's teaser
// style.
type Teaser struct {
	*content.Post
	Featured *content.Media // nil when the post has none
	// Style is the site's TeaserStyle: content.TeaserFull or TeaserCards.
	Style string
	// Lead is true for the front page's first post, shown as its lead story.
	Lead bool
}

// Cards reports whether listings show cards: headline, dek and thumbnail.
func (t *Teaser) Cards() bool { return t.Style == content.TeaserCards }

// Dek is the post's summary line under its headline on a card.
func (t *Teaser) Dek() string { return Summary(t.Post, 180) }

// teasersKey names the teasers of posts in the given versions, as the
// fragment cache holds or renders them in generation gen: the same posts
// render the same teasers until a change, which bumps the generation.
// They are kept with the fragment cache only, and not by a site that
// renders each page once.
func (s *Site) teasersKey(gen uint64, versions []store.PostVersion, lead bool) string {
	if s.frags == nil || s.teaserLists == nil || len(versions) == 0 {
		return ""
	}
	b := make([]byte, 0, 8+len(versions)*24)
	if lead {
		b = append(b, 'L')
	}
	b = strconv.AppendUint(b, gen, 10)
	for _, v := range versions {
		b = append(b, ' ')
		b = strconv.AppendInt(b, v.ID, 10)
		b = append(b, '@')
		b = strconv.AppendInt(b, v.UpdatedAt.Unix(), 10)
	}
	return string(b)
}
