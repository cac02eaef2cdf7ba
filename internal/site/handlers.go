package site

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
	"github.com/broadsheet/broadsheet/internal/web/cache"
	"github.com/broadsheet/broadsheet/internal/wordpress"
)

// front serves "/", the newest teasers, and the plain WordPress addresses
// an import kept (/?p=12, /?cat=3, …).
func (s *Site) front(w http.ResponseWriter, r *http.Request) error {
	if r.URL.RawQuery != "" {
		if done, err := s.queryAlias(w, r); done || err != nil {
			return err
		}
	}
	return s.list(w, r, listing{filter: store.Published(s.cfg.Now()), base: "/", page: 1, tag: frontTag})
}

// queryAlias answers 301 for a plain WordPress address kept as an alias,
// and reports whether it did.
func (s *Site) queryAlias(w http.ResponseWriter, r *http.Request) (bool, error) {
	key := wordpress.QueryAliasPath(r.URL.Query())
	if key == "" {
		return false, nil
	}
	target, err := s.aliasTarget(r.Context(), key)
	if err != nil || target == "" {
		return false, err
	}
	http.Redirect(w, r, target, http.StatusMovedPermanently)
	return true, nil
}

// aliasTarget returns where the alias at path leads now, or "" when there
// is none or its post is not public.
func (s *Site) aliasTarget(ctx context.Context, path string) (string, error) {
	a, err := s.cfg.DB.FindAlias(ctx, path)
	if content.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if a.PostID == 0 {
		return a.Target, nil
	}
	p, err := s.cfg.DB.FindPostByID(ctx, a.PostID)
	if content.IsNotFound(err) || (err == nil && !p.IsPublic(s.cfg.Now())) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return p.Path(), nil
}

// route serves every path the mux does not name, by its shape.
func (s *Site) route(w http.ResponseWriter, r *http.Request) error {
	path := r.URL.EscapedPath()
	if path == "/index.php" && r.URL.RawQuery != "" {
		if done, err := s.queryAlias(w, r); done || err != nil {
			return err
		}
	}
	err := s.dispatch(w, r, path)
	if !content.IsNotFound(err) {
		return err
	}
	// A renamed or merged category's or tag's old address.
	if target, terr := s.movedTerm(r); terr != nil || target != "" {
		if terr != nil {
			return terr
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return nil
	}
	// A post's comments feed where WordPress has it: /…/slug/feed/.
	if target, ferr := s.postCommentsFeed(r, path); ferr != nil || target != "" {
		if ferr != nil {
			return ferr
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return nil
	}
	// Not a page of ours: perhaps an old address kept by an import.
	a, aerr := s.cfg.DB.FindAlias(r.Context(), path)
	if content.IsNotFound(aerr) && strings.Contains(path, "%") {
		// Imports keep addresses with upper-case escapes (%E6); WordPress
		// and some clients write them in lower case (%e6).
		if norm := normalizeEscapes(path); norm != path {
			a, aerr = s.cfg.DB.FindAlias(r.Context(), norm)
		}
	}
	if aerr != nil {
		if content.IsNotFound(aerr) {
			return err
		}
		return aerr
	}
	target := a.Target
	if a.PostID != 0 {
		p, perr := s.cfg.DB.FindPostByID(r.Context(), a.PostID)
		if perr != nil || !p.IsPublic(s.cfg.Now()) {
			return err
		}
		target = p.Path()
	}
	http.Redirect(w, r, target, http.StatusMovedPermanently)
	return nil
}

// movedTerm returns where the request's address now is when it is under
// an earlier slug of a category or tag (renamed, or merged into another):
// the same page or feed under the term's current slug. It returns "" for
// any other address.
func (s *Site) movedTerm(r *http.Request) (string, error) {
	path := r.URL.EscapedPath()
	for _, k := range []AddressKind{CategoryAddress, TagAddress} {
		rest, ok := strings.CutPrefix(path, kinds[k].prefix)
		if !ok {
			continue
		}
		seg, tail, _ := strings.Cut(rest, "/")
		slug, err := url.PathUnescape(seg)
		if err != nil || slug == "" {
			return "", nil
		}
		tax := content.TaxCategory
		if k == TagAddress {
			tax = content.TaxTag
		}
		t, err := s.cfg.DB.FindTermByAlias(r.Context(), tax, slug)
		if content.IsNotFound(err) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		target := archivePath(k, t.Slug) + tail
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		return target, nil
	}
	return "", nil
}

func (s *Site) dispatch(w http.ResponseWriter, r *http.Request, path string) error {
	if !strings.HasSuffix(path, "/") {
		if slug, ok := strings.CutPrefix(path, "/events/"); ok && strings.HasSuffix(slug, ".ics") && !strings.Contains(slug, "/") {
			un, err := url.PathUnescape(strings.TrimSuffix(slug, ".ics"))
			if err != nil {
				return web.NotFound
			}
			return s.eventCalendar(w, r, un)
		}
		if strings.Contains(path[strings.LastIndex(path, "/")+1:], ".") {
			return web.NotFound // a missing file, not a page
		}
		u := *r.URL
		u.Path, u.RawPath = r.URL.Path+"/", ""
		if r.URL.RawPath != "" {
			u.RawPath = r.URL.RawPath + "/"
		}
		// Only redirect to a page that exists, else old addresses without
		// a slash could not be found as aliases.
		if err := s.dispatch(discard{}, r, path+"/"); err != nil {
			return err
		}
		http.Redirect(w, r, u.String(), http.StatusMovedPermanently)
		return nil
	}
	rt, ok := parseAddress(path)
	if !ok {
		return web.NotFound
	}
	switch rt.kind {
	case FrontAddress:
		return s.list(w, r, listing{filter: store.Published(s.cfg.Now()), base: "/", page: rt.page, tag: frontTag})
	case CategoryAddress, TagAddress:
		return s.termArchive(w, r, rt.kind, rt.slug, rt.page)
	case AuthorAddress:
		return s.authorArchive(w, r, rt.slug, rt.page)
	case SourceAddress:
		return s.sourceArchive(w, r, rt.slug, rt.page)
	case PostAddress:
		return s.post(w, r, rt.slug, path)
	case YearAddress, MonthAddress, DayAddress:
		return s.dateArchive(w, r, rt)
	case PageAddress:
		return s.page(w, r, rt.slug)
	case EventsAddress, PastEventsAddress:
		return s.eventsList(w, r, rt.kind == PastEventsAddress, rt.page)
	case EventAddress:
		return s.eventPage(w, r, rt.slug)
	case BooksAddress:
		return s.booksList(w, r, rt.page)
	case BookAddress:
		return s.bookPage(w, r, rt.slug)
	}
	return web.NotFound
}

// discard is a ResponseWriter for checking that a path would render.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// listing describes one page of teasers.
type listing struct {
	filter      store.PostFilter
	base        string // the listing's first page, e.g. /category/africa/
	page        int
	heading     string
	description string
	title       string // the <title> before the site's name
	feeds       string // the path its feeds are under, "" for none of its own
	crumbs      []crumb
	tag         string // the page cache's tag for this listing
	section     string // the navigation's link to mark current, "" for none
}

func (s *Site) list(w http.ResponseWriter, r *http.Request, l listing) error {
	ctx := r.Context()
	layout, err := s.layout(ctx, "list")
	if err != nil {
		return err
	}
	per := layout.Site.PostsPerPage
	l.filter.Limit, l.filter.Offset = per, (l.page-1)*per
	lead := l.base == "/" && l.page == 1
	posts, total, err := s.listTeasers(ctx, l.filter, layout.Site.TeaserStyle, lead)
	if err != nil {
		return err
	}
	if total == 0 && l.base != "/" {
		// An archive exists for readers only while it has a post they may
		// see: a tag, category or author of drafts, scheduled or private
		// posts alone has no page (nor feed, see buildFeed), so its name
		// is not told before its first post is.
		return web.NotFound
	}
	pages := max(1, (total+per-1)/per)
	if l.page > pages {
		return web.NotFound
	}
	cache.Depend(ctx, l.tag)
	base := s.baseURL(r)
	pager := Pager{Page: l.page, Pages: pages}
	if l.page > 1 {
		pager.Newer = PagePath(l.base, l.page-1)
		layout.Head.Prev = base + pager.Newer
	}
	if l.page < pages {
		pager.Older = PagePath(l.base, l.page+1)
		layout.Head.Next = base + pager.Older
	}
	layout.Head.Canonical = base + PagePath(l.base, l.page)
	title := l.title
	if l.page > 1 {
		title = joinTitle(title, "Page "+strconv.Itoa(l.page))
		title = strings.TrimPrefix(title, " – ")
	}
	layout.Head.Title = joinTitle(title, layout.Site.Title)
	layout.Head.Description = firstNonEmpty(l.description, layout.Site.Description)
	if err := s.listHead(r, &layout, l); err != nil {
		return err
	}
	layout.Section = l.section
	page := &ListPage{Layout: layout, Heading: l.heading, Description: l.description, Teasers: posts.teasers, Pager: pager, listed: posts,
		Style: layout.Site.TeaserStyle}
	if l.feeds != "" {
		page.Feed, _, _ = feedPaths(l.feeds)
	}
	if lead {
		if page.Events, err = s.upcoming(ctx); err != nil {
			return err
		}
	}
	return s.tmpl.Render(w, http.StatusOK, "list", page)
}

// joinTitle joins the parts of a <title>, leaving out an empty first part.
func joinTitle(page, site string) string {
	if page == "" {
		return site
	}
	return page + " – " + site
}

func (s *Site) termArchive(w http.ResponseWriter, r *http.Request, kind AddressKind, slug string, page int) error {
	tax := content.TaxCategory
	if kind == TagAddress {
		tax = content.TaxTag
	}
	t, err := s.cfg.DB.FindTermBySlug(r.Context(), tax, slug)
	if err != nil {
		return err
	}
	f := store.Published(s.cfg.Now())
	f.TermID = t.ID
	heading := t.Name
	if tax == content.TaxTag {
		heading = "Tagged: " + t.Name
	}
	return s.list(w, r, listing{filter: f, base: t.Path(), page: page, heading: heading,
		description: t.Description, title: t.Name, feeds: t.Path(), crumbs: []crumb{{t.Name, t.Path()}},
		tag: termTag(t.ID), section: t.Path()})
}

func (s *Site) authorArchive(w http.ResponseWriter, r *http.Request, slug string, page int) error {
	u, err := s.cfg.DB.FindUserBySlug(r.Context(), slug)
	if err != nil {
		return err
	}
	f := store.Published(s.cfg.Now())
	f.AuthorID = u.ID
	return s.list(w, r, listing{filter: f, base: u.Path(), page: page, heading: "Articles by " + u.Name,
		description: u.Bio, title: u.Name, feeds: u.Path(), crumbs: []crumb{{u.Name, u.Path()}},
		tag: authorTag(u.ID)})
}

// sourceArchive serves /source/slug/, the posts republished from an outlet.
func (s *Site) sourceArchive(w http.ResponseWriter, r *http.Request, slug string, page int) error {
	o, err := s.cfg.DB.FindOutlet(r.Context(), slug)
	if err != nil {
		return err
	}
	f := store.Published(s.cfg.Now())
	f.Outlet = o.ID
	return s.list(w, r, listing{filter: f, base: o.Path(), page: page, heading: "Republished from " + o.Name,
		title: o.Name, feeds: o.Path(), crumbs: []crumb{{o.Name, o.Path()}}, tag: sourceTag(o.ID)})
}

// dateArchive serves a year's, month's or day's archive.
func (s *Site) dateArchive(w http.ResponseWriter, r *http.Request, rt route) error {
	from := time.Date(rt.year, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(1, 0, 0)
	heading := string(appendYear(nil, rt.year))
	if rt.month > 0 {
		from = time.Date(rt.year, time.Month(rt.month), 1, 0, 0, 0, 0, time.UTC)
		to = from.AddDate(0, 1, 0)
		heading = from.Format("January 2006")
	}
	if rt.day > 0 {
		from = time.Date(rt.year, from.Month(), rt.day, 0, 0, 0, 0, time.UTC)
		to = from.AddDate(0, 0, 1)
		heading = from.Format("2 January 2006")
	}
	// The days of posts' addresses, on the site's clock when each came out.
	f := store.Published(s.cfg.Now())
	f.LocalFrom, f.LocalTo = from, to
	return s.list(w, r, listing{filter: f, base: datePath(rt.year, rt.month, rt.day), page: rt.page,
		heading: "Archive: " + heading, title: heading, crumbs: dateCrumbs(rt.year, rt.month, rt.day, from),
		tag: dateTag(rt.year, rt.month, rt.day)})
}

// post serves /yyyy/mm/dd/slug/.
func (s *Site) post(w http.ResponseWriter, r *http.Request, slug, path string) error {
	ctx := r.Context()
	now := s.cfg.Now()
	gen := s.frags.Generation()
	if s.frags.HasArticle(slug) && s.slimPostPage && !cache.Recording(ctx) {
		// Versions first: what names the post's version and its
		// neighbours' links (remembered by the store between changes
		// while the process hears them all), then the post in full only
		// if the fragment cache lacks its article or head. The theme's
		// post page shows no more of them (slimPostPage), and no page
		// cache wants to learn the post's listings from its authors and
		// terms (Shows). A post whose article is not kept, for any
		// version, is read in full at once.
		p, older, newer, err := s.cfg.DB.FindPostPageVersion(ctx, slug, now)
		if err != nil {
			return err
		}
		if shown, err := postShownAt(w, r, p, path, now); !shown {
			return err
		}
		if e := s.keptEntry(r, p, gen); e != nil {
			return s.renderEntry(w, r, e, older, newer)
		}
	}
	// The post with its neighbours, read at once: a page not shown (not
	// public, or moved) wasted the neighbours, but such requests are few.
	p, older, newer, err := s.cfg.DB.FindPostPage(ctx, slug, now)
	if err != nil {
		return err
	}
	if shown, err := postShownAt(w, r, p, path, now); !shown {
		return err
	}
	if err := s.keepTeaser(ctx, p, gen); err != nil {
		return err
	}
	return s.renderEntry(w, r, s.newEntry(ctx, p, gen), older, newer)
}

// keepTeaser keeps the teaser of p, read in full for its page, unless the
// fragment cache has it, on a site that renders each page once: it will
// render every listing, and those that show the post then need not read
// it again (a static export renders the posts' pages first for this).
// A server does not: its readers of a post, crawlers above all, need not
// be readers of the listings showing it, whose pages it keeps anyway.
func (s *Site) keepTeaser(ctx context.Context, p *content.Post, gen uint64) error {
	if s.frags == nil || !s.cfg.RenderOnce {
		return nil
	}
	if _, ok := s.frags.Get(p.ID, teaserPart, p.UpdatedAt); ok {
		return nil
	}
	// As the listings read it: without its body (FindPostsByIDs).
	listed := *p
	listed.Body, listed.BodyHTML = "", ""
	featured, err := s.cfg.DB.FindFeatured(ctx, p.ID)
	if err != nil {
		return err
	}
	set, _, _, err := s.shared.load(ctx, s.cfg.DB)
	if err != nil {
		return err
	}
	buf := s.tmpl.GetBuffer()
	defer s.tmpl.PutBuffer(buf)
	_, err = s.renderTeaser(buf, &Teaser{Post: &listed, Featured: featured, Style: set.TeaserStyle}, gen)
	return err
}

// postShownAt says whether p's page is the one at path for readers at now:
// a post not public is not found, and one asked for under another date
// (right slug, wrong date: the post moved) is redirected to its address.
func postShownAt(w http.ResponseWriter, r *http.Request, p *content.Post, path string, now time.Time) (bool, error) {
	if !p.IsPublic(now) {
		return false, web.NotFound
	}
	if want := p.Path(); want != path {
		http.Redirect(w, r, want, http.StatusMovedPermanently)
		return false, nil
	}
	return true, nil
}

// keptEntry returns the post of version p as the fragment cache keeps it,
// its article and head taken at once, or nil if either is missing.
func (s *Site) keptEntry(r *http.Request, p *content.Post, gen uint64) *entry {
	if p.Protected() {
		return nil // shown to each reader by their password (see article)
	}
	v, ok := s.frags.Get(p.ID, articlePart, p.UpdatedAt)
	if !ok {
		return nil
	}
	m, _ := s.frags.Get(p.ID, entryMetaPart, p.UpdatedAt)
	em, ok := m.(*entryMeta)
	if !ok || em.base != s.baseURL(r) {
		return nil
	}
	e := s.newEntry(r.Context(), p, gen)
	e.kept, e.keptArticle, e.keptMeta = true, v.(template.HTML), em
	return e
}

// page serves /slug/ for a page.
func (s *Site) page(w http.ResponseWriter, r *http.Request, slug string) error {
	p, err := s.cfg.DB.FindPostBySlug(r.Context(), content.KindPage, slug)
	if err != nil {
		return err
	}
	if !p.IsPublic(s.cfg.Now()) {
		return web.NotFound
	}
	return s.renderEntry(w, r, s.newEntry(r.Context(), p, s.frags.Generation()), nil, nil)
}

// newEntry returns the entry of p, read after the fragment cache's
// generation gen.
func (s *Site) newEntry(ctx context.Context, p *content.Post, gen uint64) *entry {
	return &entry{s: s, ctx: ctx, post: p, gen: gen}
}

func (s *Site) renderEntry(w http.ResponseWriter, r *http.Request, e *entry, older, newer *content.Post) error {
	ctx := r.Context()
	p := e.post
	layout, err := s.layout(ctx, "post")
	if err != nil {
		return err
	}
	if p.Protected() {
		e.locked = !unlocked(r, p)
		e.wrongPassword = e.locked && r.URL.Query().Get("password") == "wrong"
		if !e.locked {
			w.Header().Set("Cache-Control", "private, no-store")
		}
	}
	page := &PostPage{Post: p, Older: older, Newer: newer, entry: e}
	layout.Head.Title = joinTitle(p.Title, layout.Site.Title)
	if p.SEOTitle != "" {
		layout.Head.Title = p.SEOTitle
	}
	if err := s.entryHead(r, &layout, page.entry); err != nil {
		return err
	}
	page.Layout = layout
	cache.Depend(ctx, cache.PageTag(p.ID))
	cache.Shows(ctx, p)
	cache.Mentions(ctx, older, newer)
	return s.tmpl.Render(w, http.StatusOK, "post", page)
}

// entry is a post or page being shown: what of it is read or rendered
// only when first asked for, and kept by the fragment cache.
type entry struct {
	s    *Site
	ctx  context.Context // the request's, which the page's rendering does not outlive
	post *content.Post
	gen  uint64 // the fragment cache's generation before the post was read

	// kept: the article and head were taken from the fragment cache
	// together, and post is only what names its version (keptEntry).
	kept        bool
	keptArticle template.HTML
	keptMeta    *entryMeta

	featuredRead bool
	featured     *content.Media

	relatedRead bool
	related     *store.Related

	// locked: the post is protected and the reader has not given its
	// password (wrongPassword: they gave another).
	locked, wrongPassword bool
}

// Featured returns the post's featured image, or nil, reading it once.
func (e *entry) Featured() (*content.Media, error) {
	if !e.featuredRead {
		m, err := e.s.cfg.DB.FindFeatured(e.ctx, e.post.ID)
		if err != nil {
			return nil, err
		}
		e.featured, e.featuredRead = m, true
	}
	return e.featured, nil
}

// article returns the post as the theme's "article" template renders it.
func (e *entry) article() (template.HTML, error) {
	if e.kept {
		return e.keptArticle, nil
	}
	p := e.post
	if !p.Protected() {
		if v, ok := e.s.frags.Get(p.ID, articlePart, p.UpdatedAt); ok {
			return v.(template.HTML), nil
		}
	}
	featured, err := e.Featured()
	if err != nil {
		return "", err
	}
	buf := e.s.tmpl.GetBuffer()
	defer e.s.tmpl.PutBuffer(buf)
	// Images of the library in the body get their variants and size.
	shown := p
	if e.locked {
		// The title, byline and image; the password form for the text.
		cp := *p
		cp.BodyHTML, cp.Excerpt = passwordForm(p, e.wrongPassword), ""
		if e.s.cfg.RenderOnce {
			// Files served as they are take no password.
			cp.BodyHTML = protectedInCopy
		}
		shown = &cp
	} else if body, err := withImageVariants(e.ctx, e.s.cfg.DB.FindMediaByKey, p.BodyHTML); err != nil {
		return "", err
	} else if body != p.BodyHTML {
		cp := *p
		cp.BodyHTML = body
		shown = &cp
	}
	if err := e.s.tmpl.ExecuteBlock(buf, "post", "article", &Article{Post: shown, Featured: featured}); err != nil {
		return "", err
	}
	html := template.HTML(buf.String())
	if !p.Protected() {
		e.s.putArticle(p, html, e.gen)
	}
	return html, nil
}

// Summary is a plain-text description of a post of at most n characters:
// its excerpt, else the start of its teaser.
func Summary(p *content.Post, n int) string {
	return truncate(summaryText(p, n), n)
}

// summaryText is the text summaries of p of up to n characters are cut
// from: the excerpt, else the teaser's text as far as truncate needs it.
func summaryText(p *content.Post, n int) string {
	if p.Protected() {
		return ProtectedNotice
	}
	if p.Excerpt != "" {
		return p.Excerpt
	}
	return markup.Text(p.TeaserHTML, n)
}

func truncate(s string, n int) string {
	if len(s) <= n { // at most n bytes, so at most n runes
		return s
	}
	var cut string
	if utf8.ValidString(s) {
		// The first n runes, found without converting s to runes; the
		// conversion would differ only in writing bad UTF-8 as U+FFFD.
		i, runes := 0, 0
		for i < len(s) && runes < n {
			_, w := utf8.DecodeRuneInString(s[i:])
			i += w
			runes++
		}
		if i == len(s) {
			return s
		}
		cut = s[:i]
	} else {
		r := []rune(s)
		if len(r) <= n {
			return s
		}
		cut = string(r[:n])
	}
	if i := strings.LastIndex(cut, " "); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.–-") + "…"
}

// layout returns the layout of one of the theme's pages ("list", "post",
// …), whose masthead it renders from that page's templates.
func (s *Site) layout(ctx context.Context, page string) (Layout, error) {
	set, nav, gen, err := s.shared.load(ctx, s.cfg.DB)
	if err != nil {
		return Layout{}, err
	}
	return Layout{Site: set, Categories: nav, Year: s.cfg.Now().Year(),
		chrome: &chrome{s: s, page: page, gen: gen, keep: true}}, nil
}

// chrome renders the parts of a page's layout kept between pages.
type chrome struct {
	s    *Site
	page string
	gen  uint64 // of the shared parts the layout was made from
	keep bool   // whether what it renders may be kept
}

// part returns the layout's shared part name as the page's template of
// that name renders data, which shows the year given (0 if none): kept
// until a change, or the year's end.
func (c *chrome) part(name string, year int, data func() any) (template.HTML, error) {
	return c.variant(name, "", year, data)
}

// variant is part for one of a few variants of the part (the masthead
// of each section), kept apart.
func (c *chrome) variant(name, variant string, year int, data func() any) (template.HTML, error) {
	key := name
	if variant != "" {
		key = name + "\x00" + variant
	}
	if c.keep {
		if html, ok := c.s.shared.layoutPart(c.page, key, year, c.gen); ok {
			return html, nil
		}
	}
	buf := c.s.tmpl.GetBuffer()
	defer c.s.tmpl.PutBuffer(buf)
	if err := c.s.tmpl.ExecuteBlock(buf, c.page, name, data()); err != nil {
		return "", err
	}
	html := template.HTML(buf.String())
	if c.keep {
		c.s.shared.keepLayoutPart(c.page, key, year, c.gen, html)
	}
	return html, nil
}

// errorPage renders the theme's error page, or plain text if even that fails.
func (s *Site) errorPage(w http.ResponseWriter, r *http.Request, status int, message string) {
	layout, err := s.layout(r.Context(), "error")
	if err != nil {
		layout = Layout{Site: content.DefaultSettings(), chrome: &chrome{s: s, page: "error"}}
	}
	layout.Head.Title = joinTitle(http.StatusText(status), layout.Site.Title)
	layout.Head.NoIndex = true
	page := &ErrorPage{Layout: layout, Status: status, Message: message}
	if status == http.StatusNotFound {
		// A reader who followed a broken link is offered the latest posts.
		f := store.Published(s.cfg.Now())
		f.Limit = 5
		latest, _, err := s.cfg.DB.FindPosts(r.Context(), f)
		if err != nil {
			s.cfg.Log.Error("latest posts for the page not found", "err", err)
		}
		page.Latest = latest
	}
	if err := s.tmpl.Render(w, status, "error", page); err != nil {
		s.cfg.Log.Error("render error page", "err", err)
		http.Error(w, message, status)
	}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// normalizeEscapes rewrites a path's percent-escapes in upper case.
func normalizeEscapes(path string) string {
	b := []byte(path)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			for j := i + 1; j <= i+2; j++ {
				if b[j] >= 'a' && b[j] <= 'f' {
					b[j] -= 'a' - 'A'
				}
			}
			i += 2
		}
	}
	return string(b)
}
