package site

import (
	"html"
	"html/template"
	"regexp"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web/cache"
)

// Head is what every page's <head> says about it.
type Head struct {
	Title       string // the <title>, already including the site's name
	Description string
	Canonical   string // absolute URL
	Prev, Next  string // rel=prev/next, absolute URLs
	NoIndex     bool
	// Feeds are an archive's own feeds; the site's are on every page.
	Feeds *FeedLinks
	// Meta are Open Graph and Twitter card tags.
	Meta []Meta
	// JSONLD are schema.org descriptions, already encoded.
	JSONLD []template.JS
	// metaTags are Meta as written in the head, when kept with them (a
	// post's, a listing's); else Layout.MetaTags writes them.
	metaTags template.HTML
}

// Layout is shared by every page.
type Layout struct {
	Site       content.Settings
	Head       Head
	Categories []*content.Term // the navigation
	Year       int
	// Section is the address of the navigation's link to mark as the
	// current section (aria-current), "" for none; InSection, when the
	// page is within that section (a post) rather than its own page.
	Section   string
	InSection bool
	chrome    *chrome
}

// Masthead returns the site's header and navigation as the theme's
// "masthead" template renders them, kept until the settings or the
// categories change (any change, in fact).
//
// The masthead marks the current section: one is kept for each link of
// the navigation, and one for pages in none.
func (l *Layout) Masthead() (template.HTML, error) {
	if l.chrome == nil {
		return "", nil
	}
	current := ""
	if l.Section != "" {
		if len(l.Site.Menu) > 0 {
			for _, m := range l.Site.Menu {
				if m.URL == l.Section {
					current = m.URL
				}
			}
		} else {
			for _, c := range l.Categories {
				if c.Path() == l.Section {
					current = l.Section
				}
			}
		}
	}
	variant := current
	if current != "" && l.InSection {
		variant += " in"
	}
	return l.chrome.variant("masthead", variant, 0, func() any {
		return &Masthead{Site: l.Site, Categories: l.Categories, Current: current, InSection: l.InSection}
	})
}

// PageHead returns what the page's head says: its title, description,
// canonical, previous and next addresses, the site's links (the theme's
// "site-links"), the page's feeds, meta tags and structured data, and the
// search box's assets (the theme's "search-assets"). Broadsheet writes it
// (writeHead), as it writes the meta tags and structured data within it:
// what search engines and feed readers read is the site's, whatever the
// theme. A theme that defines "page-head" writes it itself, from a
// HeadParts. Heads are kept for every page they are the same for, unless
// each page is rendered once (Config.RenderOnce).
func (l *Layout) PageHead() (template.HTML, error) {
	if l.chrome == nil {
		return "", nil
	}
	parts := &HeadParts{Head: l.Head}
	var err error
	if parts.SiteLinks, err = l.SiteLinks(); err != nil {
		return "", err
	}
	parts.MetaTags = l.MetaTags()
	if parts.SearchAssets, err = l.SearchAssets(); err != nil {
		return "", err
	}
	ours := !l.chrome.s.tmpl.Defines(l.chrome.page, "page-head")
	if ours && l.chrome.s.heads == nil {
		return writeHead(parts), nil // nothing kept to look up
	}
	h := &l.Head
	key := headKey{page: l.chrome.page, title: h.Title, description: h.Description, canonical: h.Canonical,
		prev: h.Prev, next: h.Next, noIndex: h.NoIndex,
		siteLinks: parts.SiteLinks, metaTags: parts.MetaTags, searchAssets: parts.SearchAssets}
	if h.Feeds != nil {
		key.feeds, key.hasFeeds = *h.Feeds, true
	}
	switch len(h.JSONLD) {
	case 0:
	case 1:
		key.jsonLD = string(h.JSONLD[0])
	default:
		var b strings.Builder
		for _, j := range h.JSONLD {
			b.WriteString(string(j))
			b.WriteByte(0)
		}
		key.jsonLD = b.String()
	}
	key.jsonLDs = len(h.JSONLD)
	heads := l.chrome.s.heads
	if !ours {
		return heads.render(l.chrome.s, l.chrome.page, "page-head", key, func() any { return parts })
	}
	// Looked up rather than written again: the key is hashed at less cost
	// than the head is written, and a kept head is not allocated again.
	if html, ok := heads.get(key); ok {
		return html, nil
	}
	html := writeHead(parts)
	heads.put(key, html)
	return html, nil
}

// writeHead writes a page's head from its parts, one tag a line, with
// text and addresses escaped as html/template escapes them in those
// places (escapeHTML, escapeURL): byte for byte what a theme's template
// writing the same tags renders.
func writeHead(p *HeadParts) template.HTML {
	h := &p.Head
	n := 512 + len(h.Title) + len(h.Description) + len(h.Canonical) + len(h.Prev) + len(h.Next) +
		len(p.SiteLinks) + len(p.MetaTags) + len(p.SearchAssets)
	for _, j := range h.JSONLD {
		n += 48 + len(j)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString("<title>")
	escapeHTML(&b, h.Title)
	b.WriteString("</title>")
	if h.Description != "" {
		b.WriteString("\n<meta name=\"description\" content=\"")
		escapeHTML(&b, h.Description)
		b.WriteString("\">")
	}
	for _, l := range [...]struct{ rel, href string }{{"canonical", h.Canonical}, {"prev", h.Prev}, {"next", h.Next}} {
		if l.href != "" {
			b.WriteString("\n<link rel=\"" + l.rel + "\" href=\"")
			escapeURL(&b, l.href)
			b.WriteString("\">")
		}
	}
	if h.NoIndex {
		b.WriteString("\n<meta name=\"robots\" content=\"noindex\">")
	}
	b.WriteByte('\n')
	b.WriteString(string(p.SiteLinks))
	if f := h.Feeds; f != nil {
		for _, l := range [...]struct{ ctype, name, href string }{
			{"application/rss+xml", "RSS", f.RSS}, {"application/atom+xml", "Atom", f.Atom}, {"application/feed+json", "JSON Feed", f.JSON}} {
			b.WriteString("\n<link rel=\"alternate\" type=\"" + l.ctype + "\" title=\"")
			escapeHTML(&b, f.Title)
			b.WriteString(" (" + l.name + ")\" href=\"")
			escapeURL(&b, l.href)
			b.WriteString("\">")
		}
	}
	b.WriteString(string(p.MetaTags))
	for _, j := range h.JSONLD {
		// Encoded by jsonLD, which escapes <, > and &.
		b.WriteString("\n<script type=\"application/ld+json\">")
		b.WriteString(string(j))
		b.WriteString("</script>")
	}
	b.WriteByte('\n')
	b.WriteString(string(p.SearchAssets))
	return template.HTML(b.String())
}

// HeadParts is what the theme's "page-head" template shows: the page's
// Head, and the parts of it rendered elsewhere.
type HeadParts struct {
	Head                              Head
	SiteLinks, MetaTags, SearchAssets template.HTML
}

// SiteLinks returns the links every page's head has, the site's
// stylesheet and feeds, as the theme's "site-links" template renders
// them, kept until the settings change (any change, in fact).
func (l *Layout) SiteLinks() (template.HTML, error) { return l.sitePart("site-links", 0) }

// SearchAssets returns the search box's stylesheet and script links as
// the theme's "search-assets" template renders them, kept as SiteLinks.
func (l *Layout) SearchAssets() (template.HTML, error) { return l.sitePart("search-assets", 0) }

// Footer returns the site's footer as the theme's "site-footer" template
// renders it, kept until the settings change or the year ends.
func (l *Layout) Footer() (template.HTML, error) { return l.sitePart("site-footer", l.Year) }

func (l *Layout) sitePart(name string, year int) (template.HTML, error) {
	if l.chrome == nil {
		return "", nil
	}
	return l.chrome.part(name, year, func() any {
		return &SiteParts{Site: l.Site, Year: l.Year, Newsletter: l.chrome.s.cfg.Newsletter.On()}
	})
}

// NewsletterOn reports whether readers may subscribe by email: the theme
// shows its subscribe forms then.
func (l *Layout) NewsletterOn() bool { return l.chrome != nil && l.chrome.s.cfg.Newsletter.On() }

// SiteParts is what the theme's "site-links", "search-assets" and
// "site-footer" templates show: what is the same on every page.
type SiteParts struct {
	Site content.Settings
	Year int
	// Newsletter is set when readers may subscribe by email.
	Newsletter bool
}

// MetaTags returns the head's Meta as tags (see metaTags): for a post,
// written once per version of the post.
func (l *Layout) MetaTags() template.HTML {
	if l.Head.metaTags != "" {
		return l.Head.metaTags
	}
	return metaTags(l.Head.Meta)
}

// Masthead is what the theme's "masthead" template shows: the site's
// name, description and navigation. What differs from page to page is
// left out, since the rendered masthead is shared by every page.
type Masthead struct {
	Site       content.Settings
	Categories []*content.Term // the navigation, when the settings name no menu
	// Current is the address of the navigation's link to the section the
	// page is in, "" when it is in none.
	Current string
	// InSection is true when the page is within the current section (a
	// post in it) rather than the section's own page.
	InSection bool
}

// CurrentValue is the aria-current value of the link to the current
// section: "page" on the section's own page, "true" within it.
func (m *Masthead) CurrentValue() string {
	if m.InSection {
		return "true"
	}
	return "page"
}

// Pager links a listing's pages.
type Pager struct {
	Page, Pages int
	Newer       string // path of the newer page, "" on the first
	Older       string // path of the older page, "" on the last
}

// ListPage is the front page and every archive: a heading and teasers.
type ListPage struct {
	Layout
	Heading     string // "" on the front page
	Description string
	// Teasers are the page's posts, each rendered by the theme's "teaser"
	// template (kept between pages by the fragment cache).
	Teasers []template.HTML
	Pager   Pager
	// Style is the site's teaser style (content.TeaserFull or TeaserCards).
	Style string
	// Feed is the address of the listing's own RSS feed, "" when it has
	// none (the front page, date archives: the site's feeds are theirs).
	Feed string
	// Events are the next upcoming events, on the front page's first page.
	Events []EventItem
	listed *listed
}

// TeaserList returns the page's Teasers one after the other, each on a
// line of its own, or "" when there are none; kept while the fragment
// cache keeps the same teasers.
func (p *ListPage) TeaserList() template.HTML {
	var memo *renderMemo[string]
	var key string
	if p.listed != nil && p.listed.teasersKey != "" && p.chrome != nil {
		memo, key = p.chrome.s.teaserLists, p.listed.teasersKey
		if html, ok := memo.get(key); ok {
			return html
		}
	}
	n := 0
	for _, t := range p.Teasers {
		n += 1 + len(t)
	}
	var b strings.Builder
	b.Grow(n)
	for _, t := range p.Teasers {
		b.WriteByte('\n')
		b.WriteString(string(t))
	}
	html := template.HTML(b.String())
	if memo != nil {
		memo.put(key, html)
	}
	return html
}

// PagerLinks returns the Pager as the theme's "pager" template renders it,
// kept for every listing's page with the same links.
func (p *ListPage) PagerLinks() (template.HTML, error) {
	if p.chrome == nil {
		return "", nil
	}
	s := p.chrome.s
	return s.pagers.render(s, p.chrome.page, "pager", pagerKey{p.chrome.page, p.Pager}, func() any { return p.Pager })
}

// Posts returns the page's posts with their authors and terms, for a
// theme whose list template shows more of them than their teasers. They
// are read when first asked for: the default theme shows Teasers only.
func (p *ListPage) Posts() ([]*content.Post, error) {
	if p.listed == nil {
		return nil, nil
	}
	return p.listed.allPosts()
}

// PostPage shows one post or page.
type PostPage struct {
	Layout
	Post         *content.Post
	Older, Newer *content.Post
	entry        *entry
}

// Featured returns the post's featured image, or nil. It is read when
// first asked for: the default theme shows it in the Article.
func (p *PostPage) Featured() (*content.Media, error) { return p.entry.Featured() }

// Article returns the post as the theme's "article" template renders it
// (kept by the fragment cache until the post, its featured image or the
// site changes).
func (p *PostPage) Article() (template.HTML, error) { return p.entry.article() }

// relatedPosts is how many related posts, and how many more from its
// outlet, a post's page shows.
const relatedPosts = 4

// Related returns the posts related to the post (sharing a category or a
// tag) and, for a republished post, its outlet and more posts republished
// from it, read when first asked for (one query); nil on a page. The
// default theme shows them after the article (_related.html).
func (p *PostPage) Related() (*store.Related, error) {
	e := p.entry
	if e.relatedRead {
		return e.related, nil
	}
	if e.post.Kind != content.KindPost {
		e.relatedRead = true
		return nil, nil
	}
	rel, err := e.s.cfg.DB.FindRelatedPosts(e.ctx, e.post, relatedPosts, e.s.cfg.Now())
	if err != nil {
		return nil, err
	}
	e.related, e.relatedRead = rel, true
	// The lists change with the posts they show, and when a post joins
	// one of the post's categories or tags or its outlet's archive.
	cache.Mentions(e.ctx, rel.Posts...)
	cache.Mentions(e.ctx, rel.FromOutlet...)
	for l := range postListings(e.post) {
		switch l.kind {
		case CategoryAddress, TagAddress, SourceAddress:
			cache.Depend(e.ctx, l.tag())
		}
	}
	return rel, nil
}

// RelatedList returns the theme's "related" template as it renders the
// post's related posts and more from its outlet (Related), kept for every
// post showing the same lists until the next change.
func (p *PostPage) RelatedList() (template.HTML, error) {
	rel, err := p.Related()
	if err != nil || rel == nil {
		return "", err
	}
	s := p.entry.s
	return s.relateds.render(s, "post", "related", relatedListKey(rel), func() any { return p })
}

// relatedListKey names what a rendered related list shows: the posts, by
// id and version, and the outlet.
func relatedListKey(rel *store.Related) string {
	b := make([]byte, 0, 128)
	if o := rel.Outlet; o != nil {
		b = strconv.AppendInt(b, o.ID, 10)
		b = append(b, o.Name...)
		b = append(b, 0)
		b = append(b, o.Slug...)
	}
	for _, list := range [][]*content.Post{rel.FromOutlet, nil, rel.Posts} {
		b = append(b, '|')
		for _, q := range list {
			b = strconv.AppendInt(b, q.ID, 10)
			b = append(b, '.')
			b = strconv.AppendInt(b, q.UpdatedAt.Unix(), 10)
			b = append(b, '.')
			b = strconv.AppendInt(b, q.PublishedAt.Unix(), 10)
			b = append(b, ',')
		}
	}
	return string(b)
}

// PostNav returns the links to the post's older and newer neighbours as
// the theme's "post-nav" template renders them, kept for every post with
// the same neighbours.
func (p *PostPage) PostNav() (template.HTML, error) {
	s := p.entry.s
	key := navKey{page: "post", older: linkKeyOf(p.Older), newer: linkKeyOf(p.Newer)}
	return s.navs.render(s, "post", "post-nav", key, func() any { return &PostNav{Older: p.Older, Newer: p.Newer} })
}

// PostNav is what the theme's "post-nav" template shows: a post's
// neighbours, either of them nil.
type PostNav struct {
	Older, Newer *content.Post
}

// Article is what the theme's "article" template shows: one post or page
// with its featured image. Neighbours and the layout are left out, since
// the rendered article is kept while they change.
type Article struct {
	Post     *content.Post
	Featured *content.Media // the post's featured image, or nil
}

// Introduction is a republished post's editorial introduction: what its
// body says before the attribution line the source desk put in, "" when
// there is none (or it is not a republished post).
func (a *Article) Introduction() template.HTML {
	intro, _, _ := splitRepublished(a.Post)
	return intro
}

// Republished is a republished post's article, after its attribution
// line (which the theme's attribution block replaces); a post not
// republished is its body whole.
func (a *Article) Republished() template.HTML {
	_, article, _ := splitRepublished(a.Post)
	return article
}

// paragraph is a paragraph of a body: its attributes and its content.
var paragraph = regexp.MustCompile(`(?s)<p([^>]*)>(.*?)</p>`)

// splitRepublished cuts p's body at its attribution line into the
// editor's introduction and the republished article, dropping the line:
// the paragraph the source desk writes (class "attribution-line"), or in
// a post from elsewhere, one saying no more than the default attribution
// ("The following article was originally published by Outlet.").
func splitRepublished(p *content.Post) (intro, article template.HTML, split bool) {
	body := p.BodyHTML
	if p.Source.IsZero() {
		return "", template.HTML(body), false
	}
	var line string
	if p.Source.Name != "" {
		line = strings.ToLower(strings.ReplaceAll(content.DefaultAttribution, "{outlet}", p.Source.Name))
	}
	for _, m := range paragraph.FindAllStringSubmatchIndex(body, -1) {
		attrs, text := body[m[2]:m[3]], body[m[4]:m[5]]
		isLine := strings.Contains(attrs, `class="attribution-line"`)
		if !isLine && line != "" && !strings.Contains(text, "<") {
			t := strings.ToLower(strings.Join(strings.Fields(html.UnescapeString(text)), " "))
			isLine = t == line || t == strings.Replace(line, " by ", " by the ", 1)
		}
		if !isLine {
			continue
		}
		before := strings.TrimSpace(body[:m[0]])
		if strings.TrimSpace(strings.ReplaceAll(before, content.EmptyIntroduction, "")) == "" {
			before = ""
		}
		return template.HTML(before), template.HTML(strings.TrimSpace(body[m[1]:])), true
	}
	return "", template.HTML(body), false
}

// ErrorPage is the page for a failed request.
type ErrorPage struct {
	Layout
	Status  int
	Message string
	// Latest are the newest posts, offered on a page not found.
	Latest []*content.Post
}
