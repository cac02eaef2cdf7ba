package site

import (
	"encoding/json"
	"html/template"
	"net/http"
	neturl "net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	nethtml "golang.org/x/net/html"

	"github.com/broadsheet/broadsheet/internal/content"
)

// Meta is one <meta> tag of a page's head: Open Graph's use property,
// the others (Twitter's) name.
type Meta struct {
	Property, Name, Content string
}

// FeedLinks are autodiscovery links to an archive's own feeds.
type FeedLinks struct {
	Title           string
	RSS, Atom, JSON string // paths
}

// crumb is one step of an archive's breadcrumb trail.
type crumb struct {
	Name string
	Path string
}

// defaultLogo is the theme's logo, used when the settings name none.
const defaultLogo = "/static/logo.png"

func logoOf(set content.Settings) string {
	return firstNonEmpty(set.Logo, defaultLogo)
}

// jsonLD encodes structured data for a <script type="application/ld+json">.
// json.Marshal escapes <, > and &, so the data cannot close the script.
func jsonLD(v any) template.JS {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return template.JS(b)
}

// metaTags writes a page's Open Graph and Twitter tags, one a line: a
// Meta with a Property as <meta property>, the others as <meta name>.
// They are data for other sites' readers, written by the site like the
// structured data beside them, not by the theme; values are escaped as
// html/template escapes attributes' values (escapeHTML), as in the rest
// of the head (writeHead).
func metaTags(meta []Meta) template.HTML {
	n := 0
	for _, m := range meta {
		n += len(`<meta property="" content="">`) + 1 + len(m.Property) + len(m.Name) + len(m.Content)
	}
	var b strings.Builder
	b.Grow(n + n/16) // and room for a few character references
	for _, m := range meta {
		if m.Property != "" {
			b.WriteString("\n<meta property=\"")
			escapeHTML(&b, m.Property)
		} else {
			b.WriteString("\n<meta name=\"")
			escapeHTML(&b, m.Name)
		}
		b.WriteString("\" content=\"")
		escapeHTML(&b, m.Content)
		b.WriteString("\">")
	}
	return template.HTML(b.String())
}

func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// ogLocale turns a BCP 47 tag (en-GB) into Open Graph's en_GB; a tag
// without a region gives "", since Open Graph wants both.
func ogLocale(lang string) string {
	l, r, ok := strings.Cut(lang, "-")
	if !ok || len(l) != 2 || len(r) != 2 {
		return ""
	}
	return strings.ToLower(l) + "_" + strings.ToUpper(r)
}

// firstImage returns the src of the first image in sanitised HTML, or "".
func firstImage(src string) string {
	if !strings.Contains(src, "<img") {
		return ""
	}
	z := nethtml.NewTokenizer(strings.NewReader(src))
	for {
		tt := z.Next()
		if tt == nethtml.ErrorToken {
			return ""
		}
		if tt != nethtml.StartTagToken && tt != nethtml.SelfClosingTagToken {
			continue
		}
		if name, hasAttr := z.TagName(); string(name) == "img" && hasAttr {
			for {
				k, v, more := z.TagAttr()
				if string(k) == "src" && len(v) > 0 {
					return string(v)
				}
				if !more {
					break
				}
			}
		}
	}
}

func organization(base string, set content.Settings) organizationLD {
	return organizationLD{Type: "Organization", Name: set.Title, URL: base + "/",
		Logo: imageLD{Type: "ImageObject", URL: absURL(base, logoOf(set))}}
}

// entryMeta is what a post's or page's head says of it beside its title,
// worked out once per version of the post (and address of the site) and
// kept by the fragment cache: the sanitised body's text and first image,
// the Open Graph tags and the structured data cost more than the rest of
// the page's head.
type entryMeta struct {
	base        string // the site's address they were worked out for
	description string
	canonical   string
	meta        []Meta
	metaTags    template.HTML // meta as written in the head (metaTags)
	jsonLD      []template.JS
	// section is the navigation's address the entry is in: a post's
	// first category, a page's own.
	section   string
	inSection bool // a post in its section, not the section's page
}

func (m *entryMeta) size() int {
	n := len(m.base) + len(m.description) + len(m.canonical) + len(m.metaTags) + len(m.section)
	for _, t := range m.meta {
		n += len(t.Property) + len(t.Name) + len(t.Content) + 48
	}
	for _, j := range m.jsonLD {
		n += len(j) + 16
	}
	return n
}

// entryHead fills the head of a post or page: its description, canonical
// address, Open Graph and Twitter tags, and for a post, a NewsArticle.
func (s *Site) entryHead(r *http.Request, l *Layout, e *entry) error {
	base := s.baseURL(r)
	p := e.post
	em := e.keptMeta
	if em == nil {
		m, _ := s.frags.Get(p.ID, entryMetaPart, p.UpdatedAt)
		em, _ = m.(*entryMeta)
	}
	if em == nil || em.base != base {
		featured, err := e.Featured()
		if err != nil {
			return err
		}
		em = newEntryMeta(base, l.Site, p, featured)
		em.metaTags = metaTags(em.meta)
		s.frags.Put(p.ID, entryMetaPart, p.UpdatedAt, em, em.size(), e.gen)
	}
	l.Head.Description, l.Head.Canonical = em.description, em.canonical
	l.Section, l.InSection = em.section, em.inSection
	// Full slice expressions: what is appended to a page's head must not
	// reach the kept slices.
	l.Head.Meta = append(l.Head.Meta, em.meta[:len(em.meta):len(em.meta)]...)
	l.Head.JSONLD = append(l.Head.JSONLD, em.jsonLD[:len(em.jsonLD):len(em.jsonLD)]...)
	if len(l.Head.Meta) == len(em.meta) { // the kept tags are all the page's
		l.Head.metaTags = em.metaTags
	}
	return nil
}

// newEntryMeta works out the head of p, whose featured image is featured
// (or nil), for the site at base.
func newEntryMeta(base string, set content.Settings, p *content.Post, featured *content.Media) *entryMeta {
	// The summary's text is worked out once for the description and the
	// structured data, as long as the longer of the two needs it.
	const descriptionLen, structuredLen = 160, 300
	text := summaryText(p, structuredLen)
	url := base + p.Path()
	em := &entryMeta{base: base, description: truncate(text, descriptionLen), canonical: url}
	if p.Kind == content.KindPage {
		em.section = p.Path()
	} else if len(p.Categories) > 0 {
		em.section, em.inSection = p.Categories[0].Path(), true
	}
	if p.SEODescription != "" {
		em.description = p.SEODescription
	}
	// A republished article may leave the credit for search to the
	// original, as its editors choose.
	if p.CanonicalSource && p.Source != nil && p.Source.URL != "" {
		em.canonical = p.Source.URL
	}
	image := firstImage(p.BodyHTML)
	if featured != nil {
		image = featured.URL() // the editors' choice for the post's picture
	}
	card := "summary_large_image"
	if image == "" {
		image, card = logoOf(set), "summary"
	}
	if page, err := neturl.Parse(url); err == nil {
		image = resolveURL(page, image)
	}
	ogType := "article"
	if p.Kind == content.KindPage {
		ogType = "website"
	}
	m := []Meta{
		{Property: "og:site_name", Content: set.Title},
		{Property: "og:type", Content: ogType},
		{Property: "og:title", Content: p.Title},
		{Property: "og:description", Content: em.description},
		{Property: "og:url", Content: em.canonical},
		{Property: "og:image", Content: image},
	}
	if loc := ogLocale(set.Language); loc != "" {
		m = append(m, Meta{Property: "og:locale", Content: loc})
	}
	if p.Kind == content.KindPost {
		m = append(m,
			Meta{Property: "article:published_time", Content: isoTime(p.PublishedAt)},
			Meta{Property: "article:modified_time", Content: isoTime(later(p.PublishedAt, p.UpdatedAt))})
		for _, a := range p.Authors {
			m = append(m, Meta{Property: "article:author", Content: base + a.Path()})
		}
		if len(p.Categories) > 0 {
			m = append(m, Meta{Property: "article:section", Content: p.Categories[0].Name})
		}
		for _, t := range p.Tags {
			m = append(m, Meta{Property: "article:tag", Content: t.Name})
		}
	}
	em.meta = append(m,
		Meta{Name: "twitter:card", Content: card},
		Meta{Name: "twitter:title", Content: p.Title},
		Meta{Name: "twitter:description", Content: em.description},
		Meta{Name: "twitter:image", Content: image})
	switch p.Kind {
	case content.KindPost:
		// The structured data names the page by the canonical address, as
		// the canonical link and og:url do.
		em.jsonLD = []template.JS{jsonLD(newsArticle(base, set, p, em.canonical, image, truncate(text, structuredLen)))}
	case content.KindEvent:
		if p.Event != nil {
			em.jsonLD = []template.JS{jsonLD(eventLD(base, set, p, url, image, truncate(text, structuredLen)))}
		}
	case content.KindBook:
		if p.Book != nil {
			em.jsonLD = []template.JS{jsonLD(bookLD(base, set, p, url, image, truncate(text, structuredLen)))}
		}
	}
	return em
}

// newsArticle is schema.org's NewsArticle for a post, as search engines
// read it for news results.
func newsArticle(base string, set content.Settings, p *content.Post, url, image, description string) *newsArticleLD {
	headline := p.Title
	if utf8.RuneCountInString(headline) > 110 { // Google's limit for headlines
		r := []rune(headline)
		headline = string(r[:109]) + "…"
	}
	published := isoTime(p.PublishedAt)
	modified := published
	if m := later(p.PublishedAt, p.UpdatedAt); !m.Equal(p.PublishedAt) {
		modified = isoTime(m)
	}
	a := &newsArticleLD{
		Context:          "https://schema.org",
		Type:             "NewsArticle",
		Headline:         headline,
		URL:              url,
		MainEntityOfPage: idLD{ID: url, Type: "WebPage"},
		DatePublished:    published,
		DateModified:     modified,
		Image:            []string{image},
		Publisher:        organization(base, set),
		Description:      description,
		InLanguage:       set.Language,
	}
	if len(p.Authors) > 0 {
		a.Author = make([]thingLD, len(p.Authors))
		for i := range p.Authors {
			u := &p.Authors[i]
			a.Author[i] = thingLD{Type: "Person", Name: u.Name, URL: base + u.Path()}
		}
	} else {
		a.Author = []thingLD{{Type: "Organization", Name: set.Title, URL: base + "/"}}
	}
	if len(p.Categories) > 0 {
		a.ArticleSection = &p.Categories[0].Name
	}
	if len(p.Tags) > 0 {
		a.Keywords = make([]string, len(p.Tags))
		for i := range p.Tags {
			a.Keywords[i] = p.Tags[i].Name
		}
	}
	if src := p.Source; !src.IsZero() {
		orig := &basedOnLD{Type: "NewsArticle", URL: src.URL, ID: src.URL, Headline: src.Title}
		if src.Name != "" {
			orig.Publisher = &nameLD{Type: "Organization", Name: src.Name}
		}
		if src.Author != "" {
			orig.Author = &nameLD{Type: "Person", Name: src.Author}
		}
		if !src.PublishedAt.IsZero() {
			orig.DatePublished = isoTime(src.PublishedAt)
		}
		a.IsBasedOn = orig
	}
	return a
}

// The structured data's types. encoding/json writes a struct's fields in
// their order, and wrote these, when they were maps, in their keys'
// sorted order: so are the fields declared, each omitted when the map
// left its key out.

// newsArticleLD is schema.org's NewsArticle.
type newsArticleLD struct {
	Context          string         `json:"@context"`
	Type             string         `json:"@type"`
	ArticleSection   *string        `json:"articleSection,omitempty"`
	Author           []thingLD      `json:"author"`
	DateModified     string         `json:"dateModified"`
	DatePublished    string         `json:"datePublished"`
	Description      string         `json:"description"`
	Headline         string         `json:"headline"`
	Image            []string       `json:"image"`
	InLanguage       string         `json:"inLanguage,omitempty"`
	IsBasedOn        *basedOnLD     `json:"isBasedOn,omitempty"`
	Keywords         []string       `json:"keywords,omitempty"`
	MainEntityOfPage idLD           `json:"mainEntityOfPage"`
	Publisher        organizationLD `json:"publisher"`
	URL              string         `json:"url"`
}

// basedOnLD is the NewsArticle a republished post is based on.
type basedOnLD struct {
	ID            string  `json:"@id,omitempty"`
	Type          string  `json:"@type"`
	Author        *nameLD `json:"author,omitempty"`
	DatePublished string  `json:"datePublished,omitempty"`
	Headline      string  `json:"headline,omitempty"`
	Publisher     *nameLD `json:"publisher,omitempty"`
	URL           string  `json:"url,omitempty"`
}

// thingLD is a Person or Organization with its address.
type thingLD struct {
	Type string `json:"@type"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

// nameLD is a Person or Organization known by name only.
type nameLD struct {
	Type string `json:"@type"`
	Name string `json:"name"`
}

// idLD is a thing named by its address.
type idLD struct {
	ID   string `json:"@id"`
	Type string `json:"@type"`
}

// organizationLD is the site's publisher.
type organizationLD struct {
	Type string  `json:"@type"`
	Logo imageLD `json:"logo"`
	Name string  `json:"name"`
	URL  string  `json:"url"`
}

// imageLD is an ImageObject.
type imageLD struct {
	Type string `json:"@type"`
	URL  string `json:"url"`
}

// breadcrumbsLD is a BreadcrumbList.
type breadcrumbsLD struct {
	Context         string   `json:"@context"`
	Type            string   `json:"@type"`
	ItemListElement []itemLD `json:"itemListElement"`
}

// itemLD is a ListItem of a BreadcrumbList.
type itemLD struct {
	Type     string `json:"@type"`
	Item     string `json:"item"`
	Name     string `json:"name"`
	Position int    `json:"position"`
}

// listHead fills the head of the front page and the archives: Open Graph,
// the archive's own feeds, and structured data (the front page's WebSite
// with its search box, an archive's breadcrumbs).
func (s *Site) listHead(r *http.Request, l *Layout, li listing) error {
	// What it adds depends on the listing's address, its name and
	// description, and the settings: any change forgets what is kept.
	c := l.chrome
	h, ok := s.shared.listHead(l.Head.Canonical, c.gen)
	if !ok {
		scratch := *l
		scratch.Head.Meta, scratch.Head.JSONLD = nil, nil
		s.newListHead(s.baseURL(r), &scratch, li)
		h = &listHeadParts{meta: scratch.Head.Meta, jsonLD: scratch.Head.JSONLD, feeds: scratch.Head.Feeds}
		h.metaTags = metaTags(h.meta)
		s.shared.keepListHead(l.Head.Canonical, c.gen, h)
	}
	hadMeta := len(l.Head.Meta) > 0
	l.Head.Meta = append(l.Head.Meta, h.meta[:len(h.meta):len(h.meta)]...)
	l.Head.JSONLD = append(l.Head.JSONLD, h.jsonLD[:len(h.jsonLD):len(h.jsonLD)]...)
	l.Head.Feeds = h.feeds
	if !hadMeta {
		l.Head.metaTags = h.metaTags
	}
	return nil
}

// listHeadParts are what listHead adds to a listing's head.
type listHeadParts struct {
	meta     []Meta
	metaTags template.HTML // meta as written in the head (metaTags)
	jsonLD   []template.JS
	feeds    *FeedLinks
}

func (s *Site) newListHead(base string, l *Layout, li listing) {
	set := l.Site
	m := []Meta{
		{Property: "og:site_name", Content: set.Title},
		{Property: "og:type", Content: "website"},
		{Property: "og:title", Content: firstNonEmpty(li.title, set.Title)},
		{Property: "og:description", Content: l.Head.Description},
		{Property: "og:url", Content: l.Head.Canonical},
		{Property: "og:image", Content: absURL(base, logoOf(set))},
	}
	if loc := ogLocale(set.Language); loc != "" {
		m = append(m, Meta{Property: "og:locale", Content: loc})
	}
	m = append(m, Meta{Name: "twitter:card", Content: "summary"},
		Meta{Name: "twitter:title", Content: firstNonEmpty(li.title, set.Title)},
		Meta{Name: "twitter:description", Content: l.Head.Description})
	l.Head.Meta = append(l.Head.Meta, m...)
	if li.feeds != "" {
		rss, atom, jsonPath := feedPaths(li.feeds)
		l.Head.Feeds = &FeedLinks{Title: set.Title + " – " + li.title, RSS: rss, Atom: atom, JSON: jsonPath}
	}
	if li.base == "/" && li.page == 1 {
		l.Head.JSONLD = append(l.Head.JSONLD, jsonLD(map[string]any{
			"@context":    "https://schema.org",
			"@type":       "WebSite",
			"name":        set.Title,
			"description": set.Description,
			"url":         base + "/",
			"inLanguage":  set.Language,
			"publisher":   organization(base, set),
			"potentialAction": map[string]any{
				"@type":       "SearchAction",
				"target":      map[string]any{"@type": "EntryPoint", "urlTemplate": base + "/search?q={search_term_string}"},
				"query-input": "required name=search_term_string",
			},
		}))
	}
	if len(li.crumbs) > 0 {
		items := make([]itemLD, 0, len(li.crumbs)+2)
		items = append(items, itemLD{Type: "ListItem", Position: 1, Name: set.Title, Item: base + "/"})
		for i, c := range li.crumbs {
			items = append(items, itemLD{Type: "ListItem", Position: i + 2, Name: c.Name, Item: base + c.Path})
		}
		if li.page > 1 {
			items = append(items, itemLD{Type: "ListItem", Position: len(items) + 1,
				Name: "Page " + strconv.Itoa(li.page), Item: l.Head.Canonical})
		}
		l.Head.JSONLD = append(l.Head.JSONLD, jsonLD(&breadcrumbsLD{
			Context: "https://schema.org", Type: "BreadcrumbList", ItemListElement: items,
		}))
	}
}

// dateCrumbs is the trail of a date archive: year, month, day (month and
// day 0 when not given), the archive's first day from.
func dateCrumbs(year, month, day int, from time.Time) []crumb {
	c := []crumb{{string(appendYear(nil, year)), datePath(year, 0, 0)}}
	if month > 0 {
		c = append(c, crumb{from.Format("January 2006"), datePath(year, month, 0)})
	}
	if day > 0 {
		c = append(c, crumb{from.Format("2 January 2006"), datePath(year, month, day)})
	}
	return c
}
