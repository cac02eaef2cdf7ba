// Package site is the public website: the front page of teasers, post and
// page views, archives by category, tag, author and date, aliases for old
// URLs, and the 404 page, rendered with the theme's templates.
package site

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/newsletter"
	"github.com/broadsheet/broadsheet/internal/readcache"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
)

// Theme is the default theme, embedded: templates/ and static/.
//
//go:embed all:theme
var Theme embed.FS

// DefaultTheme returns the embedded theme as a file system rooted at its folder.
func DefaultTheme() fs.FS {
	sub, err := fs.Sub(Theme, "theme")
	if err != nil {
		panic(err)
	}
	return sub
}

// Config is what the site needs from its composition root.
type Config struct {
	DB *store.DB
	// Theme holds templates/ and static/: the default theme, optionally
	// under a site's own theme folder (see web.Overlay).
	Theme fs.FS
	// BaseURL, when set, is the site's public address (https://example.org);
	// otherwise it is taken from each request.
	BaseURL string
	Log     *slog.Logger
	Now     func() time.Time // default: the store's clock
	// FragmentCache bounds, in bytes, the memory for fragments of pages
	// rendered once and reused while what they show is unchanged (posts'
	// teasers, shared by every listing, and their articles); 0 keeps none.
	FragmentCache int64
	// RenderOnce is for a site whose every page is rendered once (a static
	// export): the parts kept for the next reader of the same page (its
	// head, its pager, its list of teasers, a post's links to its
	// neighbours, article and description) are not kept, for no page has
	// a next reader. What pages share (teasers and feed items in the
	// fragment cache) still is.
	RenderOnce bool
	// Newsletter takes readers' subscriptions (/subscribe/, the forms
	// after posts and in the footer); nil or off, the forms are not shown
	// and its pages say the newsletter is off.
	Newsletter *newsletter.Service
}

// Site serves the public website.
type Site struct {
	cfg    Config
	tmpl   *web.Templates
	adapt  *web.Adapter
	assets *assets
	shared *sharedParts
	frags  *readcache.Fragments // nil: none kept
	// heads, navs and pagers keep pages' heads, posts' links to their
	// neighbours and listings' links to their pages as rendered
	// (PageHead, PostNav, PagerLinks); nil with Config.RenderOnce, as
	// teaserLists.
	heads  *renderMemo[headKey]
	navs   *renderMemo[navKey]
	pagers *renderMemo[pagerKey]
	// relateds keep posts' related lists as rendered (RelatedList), by
	// what they show, until the next change.
	relateds *renderMemo[string]
	// teaserLists keep listings' pages' teasers placed one after the
	// other (ListPage.TeaserList), by their teasersKey.
	teaserLists *renderMemo[string]

	// slimPostPage: the theme renders a post's page as the default theme
	// does (its layout, shared templates and post page are the default's),
	// showing of the post only its kept article and head, its title, and
	// of its neighbours their addresses and titles; so a post's page may be
	// served from what names the post's version (see post).
	slimPostPage bool

	// commentLimit counts each client's recent comments.
	commentLimit rateLimit
}

// New parses the theme's templates and returns the site.
func New(cfg Config) (*Site, error) {
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return cfg.DB.Now() }
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	// What the site keeps between readers is kept under the store's
	// caches owner, which forgets it with every change the store
	// publishes.
	caches := cfg.DB.Caches()
	s := &Site{cfg: cfg, shared: newSharedParts(caches), frags: newFragments(caches, cfg.FragmentCache, cfg.RenderOnce)}
	if !cfg.RenderOnce {
		s.heads = newRenderMemo[headKey](caches, maxHeads, true)
		s.navs = newRenderMemo[navKey](caches, maxMemo, true)
		s.pagers = newRenderMemo[pagerKey](caches, maxMemo, true)
		s.relateds = newRenderMemo[string](caches, maxMemo, false)
		// Named by the generation of the fragments they hold: they go
		// with it.
		s.teaserLists = newRenderMemo[string](caches, maxTeaserLists, false)
	}
	static, err := fs.Sub(cfg.Theme, "static")
	if err != nil {
		return nil, err
	}
	if s.assets, err = loadAssets(static); err != nil {
		return nil, fmt.Errorf("site: theme's static files: %w", err)
	}
	tmpl, err := web.ParseTemplates(cfg.Theme, "templates", s.funcs())
	if err != nil {
		return nil, err
	}
	s.tmpl = tmpl
	if s.slimPostPage, err = samePostPage(cfg.Theme, DefaultTheme()); err != nil {
		return nil, err
	}
	s.adapt = &web.Adapter{Log: cfg.Log, Error: s.errorPage}
	return s, nil
}

// Routes registers the site's handlers on mux.
func (s *Site) Routes(mux *http.ServeMux) {
	static, err := fs.Sub(s.cfg.Theme, "static")
	if err != nil {
		panic(err)
	}
	mux.Handle("GET /static/", http.StripPrefix("/static/", s.assets.handler(static)))
	mux.Handle("GET /{$}", s.adapt.Handle(s.front))
	s.feedRoutes(mux)
	s.commentRoutes(mux)
	mux.Handle("GET /events.ics", s.adapt.Handle(s.calendarFeed))
	mux.Handle("GET /search", s.adapt.Handle(s.searchPage))
	mux.Handle("GET /search/suggest", s.adapt.Handle(s.suggest))
	// A protected post's password form: same-origin only, as every form.
	mux.Handle("POST "+postPassPath, http.NewCrossOriginProtection().Handler(s.adapt.Handle(s.postPassword)))
	s.newsletterRoutes(mux)
	// Everything else is routed by shape, as WordPress's permalinks are:
	// /page/N/, /yyyy/mm/dd/slug/, /category/slug/, /slug/ and so on.
	mux.Handle("GET /", s.adapt.Handle(s.route))
}

// Handler returns the site alone, with its middleware, for tests and tools.
func (s *Site) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Routes(mux)
	return web.Chain(mux, web.Recover(s.cfg.Log), web.SecurityHeaders, web.DoubleSlashes)
}

// baseURL is the site's absolute address, without a trailing slash.
func (s *Site) baseURL(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimSuffix(s.cfg.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// settings returns the site's settings as the pages' shared parts hold them:
// read once, and again after any change.
func (s *Site) settings(ctx context.Context) (content.Settings, error) {
	set, _, _, err := s.shared.load(ctx, s.cfg.DB)
	return set, err
}

func (s *Site) funcs() template.FuncMap {
	return template.FuncMap{
		// In the time's own zone: a post's date is its PublishedLocal.
		"date":       func(t time.Time) string { return t.Format("2 January 2006") },
		"iso":        func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"html":       func(s string) template.HTML { return template.HTML(s) }, // only for sanitised, stored HTML
		"pathEscape": url.PathEscape,
		"asset":      s.assets.url, // a static file's fingerprinted URL path
		"links":      links,        // authors or terms as links to their archives
		"replyURL":   s.replyURL,   // the form answering a comment, or ""
		// an image with its variants: {{template "picture" (picture .Media sizes lazy)}}
		"picture": func(m *content.Media, sizes string, lazy bool) Picture {
			return Picture{Media: m, Sizes: sizes, Lazy: lazy, Alt: m.Alt}
		},
		// the same, beside a link that says what it shows (a thumbnail)
		"thumbnail": func(m *content.Media, sizes string, lazy bool) Picture {
			return Picture{Media: m, Sizes: sizes, Lazy: lazy}
		},
	}
}

// Picture is what the theme's "picture" template shows: an image with
// its variants (srcset) for the sizes given, loaded lazily below the fold.
type Picture struct {
	Media *content.Media
	Sizes string
	Lazy  bool
	Alt   string // "" for an image beside a link saying the same
}

// links is the themes' "links" function: {{links .Tags "tag"}} writes
// a post's authors or terms as links to their archives, separated by
// commas, each <a href="PATH" rel="REL">NAME</a> escaped as html/template
// escapes that markup written out with a range: the same bytes, with two
// calls from the template instead of six for each link.
func links(list any, rel string) (template.HTML, error) {
	var b strings.Builder
	link := func(i int, path, name string) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`<a href="`)
		escapeURL(&b, path)
		b.WriteString(`" rel="`)
		escapeHTML(&b, rel)
		b.WriteString(`">`)
		escapeHTML(&b, name)
		b.WriteString("</a>")
	}
	switch l := list.(type) {
	case []content.Term:
		for i := range l {
			link(i, l[i].Path(), l[i].Name)
		}
	case []content.User:
		for i := range l {
			link(i, l[i].Path(), l[i].Name)
		}
	default:
		return "", fmt.Errorf("links of %T: want a post's Authors, Categories or Tags", list)
	}
	return template.HTML(b.String()), nil
}

// samePostPage reports whether theme renders a post's page with the
// templates def does: the same layout.html, shared _*.html files and
// post.html.
func samePostPage(theme, def fs.FS) (bool, error) {
	read := func(fsys fs.FS) (map[string]string, error) {
		entries, err := fs.ReadDir(fsys, "templates")
		if err != nil {
			return nil, err
		}
		files := map[string]string{}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".html") || !(name == "layout.html" || name == "post.html" || strings.HasPrefix(name, "_")) {
				continue
			}
			b, err := fs.ReadFile(fsys, path.Join("templates", name))
			if err != nil {
				return nil, err
			}
			files[name] = string(b)
		}
		return files, nil
	}
	got, err := read(theme)
	if err != nil {
		return false, fmt.Errorf("site: theme's templates: %w", err)
	}
	want, err := read(def)
	if err != nil {
		return false, err
	}
	return maps.Equal(got, want), nil
}
