// Package export writes a whole Broadsheet site out: as a WordPress
// eXtended RSS 1.2 file that WordPress's own importer accepts (and that
// Broadsheet's importer reads back to the same site), or as JSON holding
// the full model. Both walk the store in pages, so memory stays flat
// however large the site.
package export

import (
	"bufio"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/importer/wxr"
	"github.com/broadsheet/broadsheet/internal/store"
)

// pageSize is how many entries are read from the store at a time.
const pageSize = 200

// Options tune an export.
type Options struct {
	// BaseURL is the site's public address (https://example.org), for the
	// absolute links and file addresses WordPress needs.
	BaseURL string
	// Progress, when set, is called after every entry with the counts so far.
	Progress func(s *Summary)
	// Now is the export's time; zero means time.Now.
	Now time.Time
}

// Summary counts what an export wrote.
type Summary struct {
	Posts, Pages, Media, Users, Terms, Aliases int
}

func (o *Options) base() string {
	b := strings.TrimSuffix(strings.TrimSpace(o.BaseURL), "/")
	if b == "" {
		b = "http://localhost"
	}
	return b
}

// walkPosts calls fn for every entry, by id, a page at a time.
func walkPosts(ctx context.Context, db *store.DB, fn func(p *content.Post) error) error {
	return walk(ctx, db.FindPostsPage, func(p *content.Post) int64 { return p.ID }, fn)
}

// walkMedia calls fn for every media item, by id, a page at a time.
func walkMedia(ctx context.Context, db *store.DB, fn func(m *content.Media) error) error {
	return walk(ctx, db.FindMediaPage, func(m *content.Media) int64 { return m.ID }, fn)
}

// walk pages through rows by ascending id, so memory stays bounded
// whatever the site's size.
func walk[T any](ctx context.Context, page func(ctx context.Context, afterID int64, limit int) ([]T, error),
	id func(T) int64, fn func(T) error) error {
	var after int64
	for {
		rows, err := page(ctx, after, pageSize)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
			after = id(r)
		}
		if len(rows) < pageSize {
			return ctx.Err()
		}
	}
}

var wpStatus = map[content.Status]string{
	content.StatusPublished: "publish", content.StatusDraft: "draft", content.StatusPending: "pending",
	content.StatusScheduled: "future", content.StatusPrivate: "private", content.StatusTrash: "trash",
}

// xw writes XML by hand: WordPress's importer wants its elements in CDATA
// sections and namespaced exactly so, which encoding/xml does not write.
type xw struct {
	w   *bufio.Writer
	err error
}

func (x *xw) raw(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}

func escapeText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// cdata wraps s in a CDATA section, splitting any "]]>" inside it the way
// WordPress does.
func cdata(s string) string {
	return "<![CDATA[" + strings.ReplaceAll(validXML(s), "]]>", "]]]]><![CDATA[>") + "]]>"
}

// validXML drops the characters XML 1.0 cannot carry, even escaped.
func validXML(s string) string {
	ok := true
	for _, r := range s {
		if !isXMLChar(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isXMLChar(r) {
			return r
		}
		return -1
	}, s)
}

func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

func (x *xw) el(name, value string) {
	x.raw("<" + name + ">" + escapeText(validXML(value)) + "</" + name + ">")
}
func (x *xw) cd(name, value string) { x.raw("<" + name + ">" + cdata(value) + "</" + name + ">") }

func (x *xw) meta(key, value string) {
	x.raw("\t\t<wp:postmeta>")
	x.cd("wp:meta_key", key)
	x.cd("wp:meta_value", value)
	x.raw("</wp:postmeta>\n")
}

func wpDate(t time.Time) string {
	if t.IsZero() {
		return "0000-00-00 00:00:00"
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

func rssDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC1123Z)
}

// escapeSlug writes a slug as WordPress stores post_name and nicename:
// percent-encoded, in lower case.
func escapeSlug(s string) string {
	e := url.PathEscape(s)
	if !strings.Contains(e, "%") {
		return e
	}
	var b strings.Builder
	for i := 0; i < len(e); i++ {
		if e[i] == '%' && i+2 < len(e) {
			b.WriteString(strings.ToLower(e[i : i+3]))
			i += 2
			continue
		}
		b.WriteByte(e[i])
	}
	return b.String()
}

// WXR writes the site as a WXR 1.2 file: the channel with its authors and
// terms, the media library as attachments, then every post and page.
func WXR(ctx context.Context, db *store.DB, w io.Writer, opt Options) (*Summary, error) {
	sum := &Summary{}
	base := opt.base()
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	settings, err := db.LoadSettings(ctx)
	if err != nil {
		return nil, err
	}
	users, err := db.FindUsers(ctx)
	if err != nil {
		return nil, err
	}
	cats, err := db.FindTerms(ctx, content.TaxCategory)
	if err != nil {
		return nil, err
	}
	tags, err := db.FindTerms(ctx, content.TaxTag)
	if err != nil {
		return nil, err
	}
	aliases, err := db.FindAliases(ctx)
	if err != nil {
		return nil, err
	}
	maxPost, _, err := db.MaxIDs(ctx)
	if err != nil {
		return nil, err
	}
	// WordPress has one id space for entries and attachments: number the
	// attachments after every entry.
	mediaID := func(id int64) int64 { return maxPost + id }
	byPost := map[int64][]string{}
	var redirects []*content.Alias
	for _, a := range aliases {
		if a.PostID != 0 {
			byPost[a.PostID] = append(byPost[a.PostID], a.Path)
		} else {
			redirects = append(redirects, a)
		}
	}
	catSlug := map[int64]string{}
	for _, c := range cats {
		catSlug[c.ID] = c.Slug
	}
	cats = parentsFirst(cats)

	bw := bufio.NewWriterSize(w, 64<<10)
	x := &xw{w: bw}
	x.raw(`<?xml version="1.0" encoding="UTF-8" ?>
<!-- This is a WordPress eXtended RSS file generated by Broadsheet as an export of your site. -->
<!-- It contains posts, pages, categories, tags, authors and media; WordPress's importer reads it. -->
<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/"
	xmlns:broadsheet="` + wxr.Namespace + `"
>
<channel>
`)
	x.raw("\t")
	x.el("title", settings.Title)
	x.raw("\n\t")
	x.el("link", base)
	x.raw("\n\t")
	x.el("description", settings.Description)
	x.raw("\n\t")
	x.el("pubDate", rssDate(now))
	x.raw("\n\t")
	x.el("language", settings.Language)
	x.raw("\n\t<wp:wxr_version>1.2</wp:wxr_version>\n\t")
	x.el("wp:base_site_url", base)
	x.raw("\n\t")
	x.el("wp:base_blog_url", base)
	x.raw("\n")
	for _, u := range users {
		x.raw("\t<wp:author>")
		x.el("wp:author_id", itoa(u.ID))
		x.cd("wp:author_login", u.Slug)
		x.cd("wp:author_email", u.Email)
		x.cd("wp:author_display_name", u.Name)
		x.cd("wp:author_first_name", "")
		x.cd("wp:author_last_name", "")
		x.raw("</wp:author>\n")
		sum.Users++
	}
	for _, c := range cats {
		x.raw("\t<wp:category>")
		x.el("wp:term_id", itoa(c.ID))
		x.cd("wp:category_nicename", escapeSlug(c.Slug))
		x.cd("wp:category_parent", escapeSlug(catSlug[c.ParentID]))
		x.cd("wp:cat_name", c.Name)
		if c.Description != "" {
			x.cd("wp:category_description", c.Description)
		}
		x.raw("</wp:category>\n")
		sum.Terms++
	}
	for _, t := range tags {
		x.raw("\t<wp:tag>")
		x.el("wp:term_id", itoa(t.ID))
		x.cd("wp:tag_slug", escapeSlug(t.Slug))
		x.cd("wp:tag_name", t.Name)
		if t.Description != "" {
			x.cd("wp:tag_description", t.Description)
		}
		x.raw("</wp:tag>\n")
		sum.Terms++
	}
	x.raw("\t<generator>" + wxr.Generator + "</generator>\n")
	for _, a := range redirects {
		x.raw("\t<broadsheet:redirect>")
		x.cd("broadsheet:path", a.Path)
		x.cd("broadsheet:target", a.Target)
		x.raw("</broadsheet:redirect>\n")
		sum.Aliases++
	}

	err = walkMedia(ctx, db, func(m *content.Media) error {
		fileURL := base + m.URL()
		x.itemHead(wxrItem{title: m.Filename, link: fileURL, date: m.CreatedAt, guid: firstNonEmpty(m.ImportKey, fileURL),
			excerpt: m.Caption, id: mediaID(m.ID), name: strings.TrimSuffix(m.Key[strings.LastIndex(m.Key, "/")+1:], pathExt(m.Key)),
			status: "inherit", kind: "attachment"})
		x.raw("\n\t\t")
		x.cd("wp:attachment_url", fileURL)
		x.raw("\n")
		x.meta("_wp_attached_file", m.Key)
		if m.Alt != "" {
			x.meta("_wp_attachment_image_alt", m.Alt)
		}
		x.raw("\t</item>\n")
		sum.Media++
		if opt.Progress != nil {
			opt.Progress(sum)
		}
		return x.err
	})
	if err != nil {
		return nil, err
	}

	err = walkPosts(ctx, db, func(p *content.Post) error {
		link := base + p.Path()
		guid := p.ImportKey
		if guid == "" {
			key := "p"
			if p.Kind == content.KindPage {
				key = "page_id"
			}
			guid = base + "/?" + key + "=" + itoa(p.ID)
		}
		body := p.Body
		if p.Format == content.FormatMarkdown {
			// WordPress reads HTML; Broadsheet reads the Markdown back from
			// the meta below.
			body = strings.Replace(p.BodyHTML, `<span id="more"></span>`, content.MoreMarker, 1)
		}
		creator := ""
		if len(p.Authors) > 0 {
			creator = p.Authors[0].Slug
		}
		x.itemHead(wxrItem{title: p.Title, link: link, date: p.PublishedAt, creator: &creator, guid: validXML(guid),
			content: body, excerpt: p.Excerpt, id: p.ID, name: p.Slug, status: wpStatus[p.Status],
			parent: p.ParentID, menuOrder: p.MenuOrder, kind: string(p.Kind), sticky: p.Sticky})
		x.raw("\n")
		for _, terms := range [][]content.Term{p.Categories, p.Tags} {
			for _, t := range terms {
				domain := "category"
				if t.Taxonomy == content.TaxTag {
					domain = "post_tag"
				}
				x.raw("\t\t<category domain=\"" + domain + "\" nicename=\"" + escapeText(escapeSlug(t.Slug)) + "\">" + cdata(t.Name) + "</category>\n")
			}
		}
		for _, a := range p.Authors[min(1, len(p.Authors)):] {
			x.meta(wxr.MetaCoauthor, a.Slug)
		}
		if !p.Source.IsZero() {
			x.meta(wxr.MetaSourceName, p.Source.Name)
			x.meta(wxr.MetaSourceURL, p.Source.URL)
			x.meta(wxr.MetaSourceAuthor, p.Source.Author)
			if !p.Source.PublishedAt.IsZero() {
				x.meta(wxr.MetaSourcePublished, p.Source.PublishedAt.UTC().Format(time.RFC3339))
			}
			if p.CanonicalSource {
				x.meta(wxr.MetaCanonicalSource, "1")
			}
		}
		if p.Format == content.FormatMarkdown {
			x.meta(wxr.MetaMarkdown, p.Body)
		}
		if p.SEOTitle != "" {
			x.meta("_yoast_wpseo_title", p.SEOTitle)
		}
		if p.SEODescription != "" {
			x.meta("_yoast_wpseo_metadesc", p.SEODescription)
		}
		if f, err := db.FindFeatured(ctx, p.ID); err != nil {
			return err
		} else if f != nil {
			x.meta("_thumbnail_id", itoa(mediaID(f.ID)))
		}
		for _, path := range byPost[p.ID] {
			x.meta(wxr.MetaAlias, path)
			sum.Aliases++
		}
		x.raw("\t</item>\n")
		if p.Kind == content.KindPage {
			sum.Pages++
		} else {
			sum.Posts++
		}
		if opt.Progress != nil {
			opt.Progress(sum)
		}
		return x.err
	})
	if err != nil {
		return nil, err
	}
	x.raw("</channel>\n</rss>\n")
	if x.err != nil {
		return nil, x.err
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	return sum, nil
}

// parentsFirst orders categories so that each comes after its parent, as
// WordPress's importer can only attach a child to a parent it has made.
func parentsFirst(cats []*content.Term) []*content.Term {
	byID := map[int64]*content.Term{}
	for _, c := range cats {
		byID[c.ID] = c
	}
	done := map[int64]bool{}
	out := make([]*content.Term, 0, len(cats))
	var visit func(c *content.Term, depth int)
	visit = func(c *content.Term, depth int) {
		if done[c.ID] {
			return
		}
		done[c.ID] = true // before the parent, so a cycle cannot loop
		if p := byID[c.ParentID]; p != nil && depth < 100 {
			visit(p, depth+1)
		}
		out = append(out, c)
	}
	for _, c := range cats {
		visit(c, 0)
	}
	return out
}

func pathExt(p string) string {
	i := strings.LastIndex(p, ".")
	if i < strings.LastIndex(p, "/") || i < 0 {
		return ""
	}
	return p[i:]
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// wxrItem is what every item of a WXR file begins with, post, page or
// attachment.
type wxrItem struct {
	title, link      string
	date             time.Time
	creator          *string // dc:creator, for posts and pages
	guid             string
	content, excerpt string
	id               int64
	name, status     string
	parent           int64
	menuOrder        int
	kind             string
	sticky           bool
}

// itemHead opens an item and writes what every item has, up to
// wp:is_sticky; the caller writes the rest and closes it.
func (x *xw) itemHead(it wxrItem) {
	x.raw("\t<item>\n\t\t")
	x.cd("title", it.title)
	x.raw("\n\t\t")
	x.el("link", it.link)
	x.raw("\n\t\t")
	x.el("pubDate", rssDate(it.date))
	x.raw("\n\t\t")
	if it.creator != nil {
		x.cd("dc:creator", *it.creator)
		x.raw("\n\t\t")
	}
	x.raw(`<guid isPermaLink="false">` + escapeText(it.guid) + "</guid>\n\t\t")
	x.cd("description", "")
	x.raw("\n\t\t")
	x.cd("content:encoded", it.content)
	x.raw("\n\t\t")
	x.cd("excerpt:encoded", it.excerpt)
	x.raw("\n\t\t")
	x.el("wp:post_id", itoa(it.id))
	x.raw("\n\t\t")
	x.cd("wp:post_date", wpDate(it.date))
	x.raw("\n\t\t")
	x.cd("wp:post_date_gmt", wpDate(it.date))
	x.raw("\n\t\t")
	x.cd("wp:comment_status", "closed")
	x.cd("wp:ping_status", "closed")
	x.raw("\n\t\t")
	x.cd("wp:post_name", escapeSlug(it.name))
	x.raw("\n\t\t")
	x.cd("wp:status", it.status)
	x.raw("\n\t\t")
	x.el("wp:post_parent", itoa(it.parent))
	x.el("wp:menu_order", strconv.Itoa(it.menuOrder))
	x.raw("\n\t\t")
	x.cd("wp:post_type", it.kind)
	x.cd("wp:post_password", "")
	sticky := "0"
	if it.sticky {
		sticky = "1"
	}
	x.el("wp:is_sticky", sticky)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// JSON writes the site's full model as one JSON document: settings,
// users, terms, media, posts (with bodies, sources and relations) and
// aliases. Posts are written one at a time as they are read.
func JSON(ctx context.Context, db *store.DB, w io.Writer, opt Options) (*Summary, error) {
	sum := &Summary{}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var werr error
	put := func(s string) {
		if werr == nil {
			_, werr = bw.WriteString(s)
		}
	}
	val := func(v any) {
		if werr == nil {
			werr = enc.Encode(v) // Encode adds a newline, which JSON allows
		}
	}
	settings, err := db.LoadSettings(ctx)
	if err != nil {
		return nil, err
	}
	put(`{"generator": `)
	val(wxr.Generator)
	put(`, "format_version": 1, "exported_at": `)
	val(now.UTC().Format(time.RFC3339))
	put(`, "base_url": `)
	val(opt.base())
	put(`, "settings": `)
	val(settings)
	users, err := db.FindUsers(ctx)
	if err != nil {
		return nil, err
	}
	put(`, "users": `)
	val(nonNil(users))
	sum.Users = len(users)
	var terms []*content.Term
	for _, tax := range []content.Taxonomy{content.TaxCategory, content.TaxTag} {
		list, err := db.FindTerms(ctx, tax)
		if err != nil {
			return nil, err
		}
		terms = append(terms, list...)
	}
	put(`, "terms": `)
	val(nonNil(terms))
	sum.Terms = len(terms)
	put(`, "media": [`)
	err = walkMedia(ctx, db, func(m *content.Media) error {
		if sum.Media > 0 {
			put(",")
		}
		val(m)
		sum.Media++
		return werr
	})
	if err != nil {
		return nil, err
	}
	put(`], "posts": [`)
	n := 0
	err = walkPosts(ctx, db, func(p *content.Post) error {
		if n > 0 {
			put(",")
		}
		n++
		val(p)
		if p.Kind == content.KindPage {
			sum.Pages++
		} else {
			sum.Posts++
		}
		if opt.Progress != nil {
			opt.Progress(sum)
		}
		return werr
	})
	if err != nil {
		return nil, err
	}
	aliases, err := db.FindAliases(ctx)
	if err != nil {
		return nil, err
	}
	put(`], "aliases": `)
	val(nonNil(aliases))
	sum.Aliases = len(aliases)
	put("}\n")
	if werr != nil {
		return nil, werr
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	return sum, nil
}

func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// Describe returns a one-line account of an export, for commands.
func (s *Summary) Describe() string {
	return fmt.Sprintf("%d posts, %d pages, %d media files, %d users, %d terms, %d redirects",
		s.Posts, s.Pages, s.Media, s.Users, s.Terms, s.Aliases)
}
