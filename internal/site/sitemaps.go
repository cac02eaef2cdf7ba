package site

import (
	"encoding/xml"
	"net/http"
	"strings"
	"time"

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
	base := s.baseURL(r)
	src := s.addressSource(r.Context(), s.cfg.Now())
	src.timesOnly = true
	files, err := src.sitemapFiles()
	if err != nil {
		return err
	}
	doc := sitemapIndexDoc{NS: sitemapNS}
	var newest time.Time
	for _, f := range files {
		doc.Sitemaps = append(doc.Sitemaps, sitemapEntry{Loc: base + sitemapPath(f.name), LastMod: lastmod(f.modified)})
		newest = later(newest, f.modified)
	}
	return serveXML(w, r, doc, newest)
}

// sitemap serves /sitemaps/{name}: the sitemap of a group of pages
// (sitemapGroups: posts-N.xml, pages.xml, categories.xml, tags.xml,
// authors.xml, sources.xml) and news.xml.
func (s *Site) sitemap(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if name == "news.xml" {
		return s.newsSitemap(w, r)
	}
	group, ok := strings.CutSuffix(name, ".xml")
	if !ok {
		return web.NotFound
	}
	n := 0 // the sitemap's number in a paged group, -1 for a group of one
	for _, g := range sitemapGroups {
		if g.paged {
			if num, found := strings.CutPrefix(group, g.name+"-"); found {
				if n, ok = pageNumber(num); !ok {
					return web.NotFound
				}
				group = g.name
				break
			}
		} else if group == g.name {
			n = -1
			break
		}
	}
	if n == 0 {
		return web.NotFound
	}
	pages, err := s.addressSource(r.Context(), s.cfg.Now()).sitemapPages(group)
	if err != nil {
		return err
	}
	if n > 0 {
		from := (n - 1) * sitemapLimit
		if from >= len(pages) && n > 1 {
			return web.NotFound
		}
		pages = pages[min(from, len(pages)):min(from+sitemapLimit, len(pages))]
	}
	base := s.baseURL(r)
	doc := urlsetDoc{NS: sitemapNS, URLs: make([]urlEntry, len(pages))}
	for i, p := range pages {
		doc.URLs[i] = urlEntry{Loc: base + p.Path, LastMod: lastmod(p.Modified)}
	}
	return serveXML(w, r, doc, newestAddress(pages))
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
