package site

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
)

// SitemapLimit is the most URLs one sitemap may list (sitemaps.org).
const SitemapLimit = 50000

// sitemapLimit is where post sitemaps split; tests lower it.
var sitemapLimit = SitemapLimit

// newsWindow is how far back a Google News sitemap reaches.
const newsWindow = 48 * time.Hour

// newsLimit is the most articles a Google News sitemap may list.
const newsLimit = 1000

const (
	sitemapNS = "http://www.sitemaps.org/schemas/sitemap/0.9"
	newsNS    = "http://www.google.com/schemas/sitemap-news/0.9"
	xmlType   = "application/xml; charset=utf-8"
)

type sitemapIndexDoc struct {
	XMLName  xml.Name       `xml:"sitemapindex"`
	NS       string         `xml:"xmlns,attr"`
	Sitemaps []sitemapEntry `xml:"sitemap"`
}

type sitemapEntry struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type urlsetDoc struct {
	XMLName xml.Name   `xml:"urlset"`
	NS      string     `xml:"xmlns,attr"`
	NewsNS  string     `xml:"xmlns:news,attr,omitempty"`
	URLs    []urlEntry `xml:"url"`
}

type urlEntry struct {
	Loc     string    `xml:"loc"`
	LastMod string    `xml:"lastmod,omitempty"`
	News    *newsItem `xml:"news:news"`
}

type newsItem struct {
	Publication struct {
		Name     string `xml:"news:name"`
		Language string `xml:"news:language"`
	} `xml:"news:publication"`
	Date  string `xml:"news:publication_date"`
	Title string `xml:"news:title"`
}

func lastmod(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// sitemapIndex serves /sitemap.xml: the list of every sitemap, each with
// the time its newest entry changed.
func (s *Site) sitemapIndex(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	now := s.cfg.Now()
	base := s.baseURL(r)
	doc := sitemapIndexDoc{NS: sitemapNS}
	var newest time.Time
	add := func(name string, mod time.Time) {
		doc.Sitemaps = append(doc.Sitemaps, sitemapEntry{Loc: base + "/sitemaps/" + name, LastMod: lastmod(mod)})
		newest = later(newest, mod)
	}
	posts, err := s.cfg.DB.FindStamps(ctx, content.KindPost, now)
	if err != nil {
		return err
	}
	for i := 0; i < len(posts); i += sitemapLimit {
		add("posts-"+strconv.Itoa(i/sitemapLimit+1)+".xml", newestStamp(posts[i:min(i+sitemapLimit, len(posts))]))
	}
	pages, err := s.cfg.DB.FindStamps(ctx, content.KindPage, now)
	if err != nil {
		return err
	}
	// The pages' sitemap starts with the front page, so it is never empty
	// and neither is the index, even on a new site.
	add("pages.xml", later(newestStamp(pages), newestStamp(posts)))
	for _, tax := range []content.Taxonomy{content.TaxCategory, content.TaxTag} {
		terms, err := s.cfg.DB.FindTermStamps(ctx, tax, now)
		if err != nil {
			return err
		}
		if len(terms) > 0 {
			add(sitemapName(tax), newestArchive(terms))
		}
	}
	authors, err := s.cfg.DB.FindAuthorStamps(ctx, now)
	if err != nil {
		return err
	}
	if len(authors) > 0 {
		add("authors.xml", newestArchive(authors))
	}
	// The news sitemap is listed while there is news: a sitemap must name
	// at least one URL. It is served, empty, at other times.
	var newsMod time.Time
	for _, p := range posts {
		if p.PublishedAt.Before(now.Add(-newsWindow)) {
			break
		}
		newsMod = later(newsMod, p.Modified())
	}
	if !newsMod.IsZero() {
		add("news.xml", newsMod)
	}
	return serveXML(w, r, doc, newest)
}

func sitemapName(tax content.Taxonomy) string {
	if tax == content.TaxTag {
		return "tags.xml"
	}
	return "categories.xml"
}

func newestStamp(ss []store.Stamp) time.Time {
	var t time.Time
	for _, s := range ss {
		t = later(t, s.Modified())
	}
	return t
}

func newestArchive(as []store.ArchiveStamp) time.Time {
	var t time.Time
	for _, a := range as {
		t = later(t, a.Modified)
	}
	return t
}

// sitemap serves /sitemaps/{name}: posts-N.xml, pages.xml, categories.xml,
// tags.xml, authors.xml and news.xml.
func (s *Site) sitemap(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	now := s.cfg.Now()
	base := s.baseURL(r)
	name := r.PathValue("name")
	doc := urlsetDoc{NS: sitemapNS}
	var newest time.Time
	addStamps := func(ss []store.Stamp) {
		for _, st := range ss {
			doc.URLs = append(doc.URLs, urlEntry{Loc: base + st.Path(), LastMod: lastmod(st.Modified())})
			newest = later(newest, st.Modified())
		}
	}
	addArchives := func(prefix string, as []store.ArchiveStamp) {
		for _, a := range as {
			// Sitemaps want URLs escaped, as Post.Path already is.
			doc.URLs = append(doc.URLs, urlEntry{Loc: base + prefix + url.PathEscape(a.Slug) + "/", LastMod: lastmod(a.Modified)})
			newest = later(newest, a.Modified)
		}
	}
	switch {
	case strings.HasPrefix(name, "posts-") && strings.HasSuffix(name, ".xml"):
		n, ok := pageNumber(strings.TrimSuffix(strings.TrimPrefix(name, "posts-"), ".xml"))
		if !ok {
			return web.NotFound
		}
		posts, err := s.cfg.DB.FindStamps(ctx, content.KindPost, now)
		if err != nil {
			return err
		}
		from := (n - 1) * sitemapLimit
		if from >= len(posts) && n > 1 {
			return web.NotFound
		}
		addStamps(posts[min(from, len(posts)):min(from+sitemapLimit, len(posts))])
	case name == "pages.xml":
		posts, err := s.cfg.DB.FindStamps(ctx, content.KindPost, now)
		if err != nil {
			return err
		}
		// The front page changes whenever a post does.
		front := urlEntry{Loc: base + "/"}
		if len(posts) > 0 {
			front.LastMod = lastmod(newestStamp(posts))
			newest = newestStamp(posts)
		}
		doc.URLs = append(doc.URLs, front)
		pages, err := s.cfg.DB.FindStamps(ctx, content.KindPage, now)
		if err != nil {
			return err
		}
		addStamps(pages)
	case name == "categories.xml", name == "tags.xml":
		tax, prefix := content.TaxCategory, "/category/"
		if name == "tags.xml" {
			tax, prefix = content.TaxTag, "/tag/"
		}
		terms, err := s.cfg.DB.FindTermStamps(ctx, tax, now)
		if err != nil {
			return err
		}
		addArchives(prefix, terms)
	case name == "authors.xml":
		authors, err := s.cfg.DB.FindAuthorStamps(ctx, now)
		if err != nil {
			return err
		}
		addArchives("/author/", authors)
	case name == "news.xml":
		return s.newsSitemap(w, r)
	default:
		return web.NotFound
	}
	return serveXML(w, r, doc, newest)
}

// newsSitemap lists the posts of the last two days for Google News.
func (s *Site) newsSitemap(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	set, err := s.settings(ctx)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	base := s.baseURL(r)
	f := store.Published(now)
	f.From, f.Limit = now.Add(-newsWindow), newsLimit
	posts, _, err := s.cfg.DB.FindPosts(ctx, f)
	if err != nil {
		return err
	}
	doc := urlsetDoc{NS: sitemapNS, NewsNS: newsNS}
	var newest time.Time
	lang := newsLanguage(set.Language)
	for _, p := range posts {
		n := &newsItem{Date: p.PublishedAt.UTC().Format(time.RFC3339), Title: p.Title}
		n.Publication.Name, n.Publication.Language = set.Title, lang
		mod := later(p.PublishedAt, p.UpdatedAt)
		doc.URLs = append(doc.URLs, urlEntry{Loc: base + p.Path(), LastMod: lastmod(mod), News: n})
		newest = later(newest, mod)
	}
	return serveXML(w, r, doc, newest)
}

// newsLanguage is the language code Google News asks for: ISO 639, with
// its two Chinese scripts as zh-cn and zh-tw.
func newsLanguage(lang string) string {
	l := strings.ToLower(lang)
	switch {
	case l == "zh-cn" || l == "zh-tw":
		return l
	case strings.HasPrefix(l, "zh-hant"), l == "zh-hk":
		return "zh-tw"
	case strings.HasPrefix(l, "zh"):
		return "zh-cn"
	}
	if i := strings.IndexAny(l, "-_"); i > 0 {
		l = l[:i]
	}
	if l == "" {
		return "en"
	}
	return l
}

func serveXML(w http.ResponseWriter, r *http.Request, doc any, modified time.Time) error {
	body, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	body = append([]byte(xml.Header), append(body, '\n')...)
	serveConditional(w, r, [][]byte{body}, xmlType, modified)
	return nil
}

// robots serves /robots.txt: the editors' text and the sitemap's address.
func (s *Site) robots(w http.ResponseWriter, r *http.Request) error {
	set, err := s.settings(r.Context())
	if err != nil {
		return err
	}
	text := strings.TrimRight(set.RobotsTxt, "\n")
	if text != "" {
		text += "\n\n"
	}
	text += "Sitemap: " + s.baseURL(r) + "/sitemap.xml\n"
	serveConditional(w, r, [][]byte{[]byte(text)}, "text/plain; charset=utf-8", time.Time{})
	return nil
}
