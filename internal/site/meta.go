package site

import (
	"encoding/json"
	"html/template"
	"net/http"
	neturl "net/url"
	"strconv"
	"strings"
	"time"

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

func organization(base string, set content.Settings) map[string]any {
	return map[string]any{
		"@type": "Organization",
		"name":  set.Title,
		"url":   base + "/",
		"logo":  map[string]any{"@type": "ImageObject", "url": absURL(base, logoOf(set))},
	}
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
	metaTags    template.HTML // meta, rendered by the "meta" template
	jsonLD      []template.JS
}

func (m *entryMeta) size() int {
	n := len(m.base) + len(m.description) + len(m.canonical) + len(m.metaTags)
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
		m, _ := s.frags.get(p.ID, entryMetaPart, p.UpdatedAt)
		em, _ = m.(*entryMeta)
	}
	if em == nil || em.base != base {
		featured, err := e.Featured()
		if err != nil {
			return err
		}
		em = newEntryMeta(base, l.Site, p, featured)
		if em.metaTags, err = s.renderMeta("post", em.meta); err != nil {
			return err
		}
		s.frags.put(p.ID, entryMetaPart, p.UpdatedAt, em, em.size(), e.gen)
	}
	l.Head.Description, l.Head.Canonical = em.description, em.canonical
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
	// structured data.
	text := summaryText(p)
	url := base + p.Path()
	em := &entryMeta{base: base, description: truncate(text, 160), canonical: url}
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
		{Property: "og:url", Content: url},
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
	if p.Kind == content.KindPost {
		em.jsonLD = []template.JS{jsonLD(newsArticle(base, set, p, url, image, truncate(text, 300)))}
	}
	return em
}

// newsArticle is schema.org's NewsArticle for a post, as search engines
// read it for news results.
func newsArticle(base string, set content.Settings, p *content.Post, url, image, description string) map[string]any {
	headline := p.Title
	if r := []rune(headline); len(r) > 110 { // Google's limit for headlines
		headline = string(r[:109]) + "…"
	}
	a := map[string]any{
		"@context":         "https://schema.org",
		"@type":            "NewsArticle",
		"headline":         headline,
		"url":              url,
		"mainEntityOfPage": map[string]any{"@type": "WebPage", "@id": url},
		"datePublished":    isoTime(p.PublishedAt),
		"dateModified":     isoTime(later(p.PublishedAt, p.UpdatedAt)),
		"image":            []string{image},
		"publisher":        organization(base, set),
		"description":      description,
	}
	if set.Language != "" {
		a["inLanguage"] = set.Language
	}
	var authors []map[string]any
	for _, u := range p.Authors {
		authors = append(authors, map[string]any{"@type": "Person", "name": u.Name, "url": base + u.Path()})
	}
	if len(authors) == 0 {
		authors = append(authors, map[string]any{"@type": "Organization", "name": set.Title, "url": base + "/"})
	}
	a["author"] = authors
	if len(p.Categories) > 0 {
		a["articleSection"] = p.Categories[0].Name
	}
	var keywords []string
	for _, t := range p.Tags {
		keywords = append(keywords, t.Name)
	}
	if len(keywords) > 0 {
		a["keywords"] = keywords
	}
	if src := p.Source; !src.IsZero() {
		orig := map[string]any{"@type": "NewsArticle"}
		if src.URL != "" {
			orig["url"] = src.URL
			orig["@id"] = src.URL
		}
		if src.Name != "" {
			orig["publisher"] = map[string]any{"@type": "Organization", "name": src.Name}
		}
		if src.Author != "" {
			orig["author"] = map[string]any{"@type": "Person", "name": src.Author}
		}
		if !src.PublishedAt.IsZero() {
			orig["datePublished"] = isoTime(src.PublishedAt)
		}
		a["isBasedOn"] = orig
	}
	return a
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
		var err error
		if h.metaTags, err = s.renderMeta(c.page, h.meta); err != nil {
			return err
		}
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
	metaTags template.HTML // meta, rendered by the "meta" template
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
		items := []map[string]any{{"@type": "ListItem", "position": 1, "name": set.Title, "item": base + "/"}}
		for i, c := range li.crumbs {
			items = append(items, map[string]any{"@type": "ListItem", "position": i + 2, "name": c.Name, "item": base + c.Path})
		}
		if li.page > 1 {
			items = append(items, map[string]any{"@type": "ListItem", "position": len(items) + 1,
				"name": "Page " + strconv.Itoa(li.page), "item": l.Head.Canonical})
		}
		l.Head.JSONLD = append(l.Head.JSONLD, jsonLD(map[string]any{
			"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": items,
		}))
	}
}

// dateCrumbs is the trail of a date archive: year, month, day.
func dateCrumbs(segs []string, from time.Time) []crumb {
	c := []crumb{{segs[0], "/" + segs[0] + "/"}}
	if len(segs) >= 2 {
		c = append(c, crumb{from.Format("January 2006"), "/" + segs[0] + "/" + segs[1] + "/"})
	}
	if len(segs) == 3 {
		c = append(c, crumb{from.Format("2 January 2006"), "/" + strings.Join(segs, "/") + "/"})
	}
	return c
}
