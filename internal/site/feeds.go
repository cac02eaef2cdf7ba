package site

import (
	"context"
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/site/feed"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
)

// feedFormat is one of the three syndication formats.
type feedFormat struct {
	suffix string // after .../feed/: "", "atom/" or "json/"
	ctype  string
	write  func(*feed.Feed) (*feed.Doc, error)
}

var feedFormats = []feedFormat{
	{"", feed.TypeRSS, feed.RSS},
	{"atom/", feed.TypeAtom, feed.Atom},
	{"json/", feed.TypeJSON, feed.JSON},
}

// feedRoutes registers the feeds, sitemaps and robots.txt.
func (s *Site) feedRoutes(mux *http.ServeMux) {
	for _, f := range feedFormats {
		mux.Handle("GET /feed/"+f.suffix+"{$}", s.adapt.Handle(s.feedHandler(FrontAddress, f)))
		for _, k := range feedArchives() {
			mux.Handle("GET "+kinds[k].prefix+"{slug}/feed/"+f.suffix+"{$}", s.adapt.Handle(s.feedHandler(k, f)))
			if f.suffix != "" {
				mux.Handle("GET "+kinds[k].prefix+"{slug}/feed/"+strings.TrimSuffix(f.suffix, "/"), addSlash)
			}
		}
		if f.suffix != "" {
			mux.Handle("GET /feed/"+strings.TrimSuffix(f.suffix, "/"), addSlash)
		}
		// The events' and the books' own feeds, newest first.
		for _, k := range []AddressKind{EventsAddress, BooksAddress} {
			prefix := feedPrefix(k)
			mux.Handle("GET "+prefix+"feed/"+f.suffix+"{$}", s.adapt.Handle(s.feedHandler(k, f)))
			if f.suffix != "" {
				mux.Handle("GET "+prefix+"feed/"+strings.TrimSuffix(f.suffix, "/"), addSlash)
			}
		}
	}
	mux.Handle("GET /events/feed", addSlash)
	mux.Handle("GET /books/feed", addSlash)
	// WordPress's other spellings of the main feed, so that every old
	// subscription keeps working.
	mux.Handle("GET /feed", addSlash)
	for _, k := range feedArchives() {
		mux.Handle("GET "+kinds[k].prefix+"{slug}/feed", addSlash)
	}
	for _, old := range []string{"/feed/rss2/", "/feed/rss/", "/feed/rdf/", "/rss/"} {
		mux.Handle("GET "+old+"{$}", http.RedirectHandler("/feed/", http.StatusMovedPermanently))
	}
	mux.Handle("GET /feed/atom1/{$}", http.RedirectHandler("/feed/atom/", http.StatusMovedPermanently))

	mux.Handle("GET /sitemap.xml", s.adapt.Handle(s.sitemapIndex))
	mux.Handle("GET /sitemaps/{name}", s.adapt.Handle(s.sitemap))
	mux.Handle("GET /robots.txt", s.adapt.Handle(s.robots))
}

// feedPrefix is the path the feeds of the events' or the books' listing
// are under.
func feedPrefix(k AddressKind) string {
	if k == EventsAddress {
		return "/events/"
	}
	return "/books/"
}

// addSlash answers 301 to the same path with a trailing slash.
var addSlash = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	u := *r.URL
	u.Path, u.RawPath = r.URL.Path+"/", ""
	http.Redirect(w, r, u.String(), http.StatusMovedPermanently)
})

// feedHandler serves the feeds in format of the front page (scope
// FrontAddress) or of an archive of kind scope.
func (s *Site) feedHandler(scope AddressKind, format feedFormat) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, err := s.buildFeed(r, scope, r.PathValue("slug"))
		if content.IsNotFound(err) && scope != FrontAddress {
			// The feed of a renamed or merged category or tag moved with it.
			target, terr := s.movedTerm(r)
			if terr != nil {
				return terr
			}
			if target != "" {
				http.Redirect(w, r, target, http.StatusMovedPermanently)
				return nil
			}
		}
		if err != nil {
			return err
		}
		doc, err := format.write(f)
		if err != nil {
			return err
		}
		if f.Hub != "" {
			self := f.RSSURL
			switch format.ctype {
			case feed.TypeAtom:
				self = f.AtomURL
			case feed.TypeJSON:
				self = f.JSONURL
			}
			// WebSub discovery (W3C WebSub §4): the hub and the topic's URL.
			w.Header().Add("Link", "<"+f.Hub+">; rel=\"hub\"")
			w.Header().Add("Link", "<"+self+">; rel=\"self\"")
		}
		serveConditional(w, r, doc.Parts(), format.ctype, f.Updated)
		return nil
	}
}

// buildFeed gathers the latest posts of a scope (feedHandler) into a feed.
func (s *Site) buildFeed(r *http.Request, scope AddressKind, slug string) (*feed.Feed, error) {
	ctx := r.Context()
	set, err := s.settings(ctx)
	if err != nil {
		return nil, err
	}
	base := s.baseURL(r)
	filter := store.Published(s.cfg.Now())
	filter.Limit = set.FeedItems
	prefix, title, desc := "/", set.Title, set.Description
	switch scope {
	case CategoryAddress, TagAddress:
		tax := content.TaxCategory
		if scope == TagAddress {
			tax = content.TaxTag
		}
		t, err := s.cfg.DB.FindTermBySlug(ctx, tax, slug)
		if err != nil {
			return nil, err
		}
		filter.TermID, prefix, title = t.ID, t.Path(), set.Title+" – "+t.Name
		desc = firstNonEmpty(t.Description, desc)
	case AuthorAddress:
		u, err := s.cfg.DB.FindUserBySlug(ctx, slug)
		if err != nil {
			return nil, err
		}
		filter.AuthorID, prefix, title = u.ID, u.Path(), set.Title+" – "+u.Name
		desc = firstNonEmpty(u.Bio, desc)
	case SourceAddress:
		o, err := s.cfg.DB.FindOutlet(ctx, slug)
		if err != nil {
			return nil, err
		}
		filter.Outlet, prefix, title = o.ID, o.Path(), set.Title+" – "+o.Name
	case EventsAddress:
		filter.Kind, prefix, title = content.KindEvent, feedPrefix(scope), set.Title+" – Events"
	case BooksAddress:
		filter.Kind, prefix, title = content.KindBook, feedPrefix(scope), set.Title+" – Books"
	}
	items, err := s.feedItems(ctx, base, set.FeedFullText, filter)
	if err != nil {
		return nil, err
	}
	if scope != FrontAddress && len(items) == 0 {
		return nil, web.NotFound // an archive without public posts has no feed, as it has no page (list)
	}
	rss, atom, jsonPath := feedPaths(prefix)
	f := &feed.Feed{
		Title: title, Description: desc, Language: set.Language, HomeURL: base + prefix,
		RSSURL: base + rss, AtomURL: base + atom, JSONURL: base + jsonPath,
		Hub: set.WebSubHub, Publisher: set.Title, Logo: absURL(base, logoOf(set)),
		// A feed with nothing in it still has fixed bytes, so its ETag holds.
		Updated: time.Unix(0, 0).UTC(),
	}
	for _, it := range items {
		if m := later(it.Published, it.Updated); m.After(f.Updated) {
			f.Updated = m
		}
	}
	f.Items = items
	return f, nil
}

// keptItem is a post's feed item as the fragment cache keeps it, with
// what it was made for beside the post: the site's address (the request's)
// and whether feeds carry whole posts (a setting).
type keptItem struct {
	base     string
	fullText bool
	item     feed.Item
}

// feedItems returns the items of the posts f selects, newest first,
// reusing those the fragment cache holds: the site's feed and its
// archives' list the same posts in three formats, so an item is made once
// per version of its post, and written once in each format (feed.Item.Keep).
// Only the posts it lacks are read whole.
func (s *Site) feedItems(ctx context.Context, base string, fullText bool, f store.PostFilter) ([]feed.Item, error) {
	if s.frags == nil {
		f.WithBody = true
		posts, _, err := s.cfg.DB.FindPosts(ctx, f)
		if err != nil {
			return nil, err
		}
		items := make([]feed.Item, len(posts))
		for i, p := range posts {
			items[i] = s.feedItem(base, p, fullText)
		}
		return items, nil
	}
	gen := s.frags.Generation()
	versions, _, err := s.cfg.DB.FindPostVersions(ctx, f)
	if err != nil {
		return nil, err
	}
	items := make([]feed.Item, len(versions))
	have := make([]bool, len(versions))
	var missing []int64
	for i, v := range versions {
		if k, ok := s.frags.Get(v.ID, feedItemPart, v.UpdatedAt); ok {
			if k := k.(*keptItem); k.base == base && k.fullText == fullText {
				items[i], have[i] = k.item, true
				continue
			}
		}
		missing = append(missing, v.ID)
	}
	if len(missing) == 0 {
		return items, nil
	}
	read := s.cfg.DB.FindPostsByIDs
	if fullText {
		read = s.cfg.DB.FindPostsWithBodyByIDs
	}
	fresh, err := read(ctx, missing)
	if err != nil {
		return nil, err
	}
	made := make(map[int64]feed.Item, len(fresh))
	for _, p := range fresh {
		it := s.feedItem(base, p, fullText)
		// Encoded once per format, then by every feed it is in.
		it.Keep()
		made[p.ID] = it
		s.frags.Put(p.ID, feedItemPart, p.UpdatedAt, &keptItem{base: base, fullText: fullText, item: it}, itemSize(&it), gen)
	}
	// A post deleted between the two reads is left out.
	n := 0
	for i, v := range versions {
		it, ok := items[i], have[i]
		if !ok {
			if it, ok = made[v.ID]; !ok {
				continue
			}
		}
		items[n] = it
		n++
	}
	return items[:n], nil
}

// itemSize is about the bytes an item holds, with its three encodings.
func itemSize(it *feed.Item) int {
	n := len(it.ID) + len(it.URL) + len(it.Title) + len(it.Summary) + len(it.ContentHTML) + 200
	for _, a := range it.Authors {
		n += len(a.Name) + len(a.URL) + 32
	}
	for _, c := range it.Categories {
		n += len(c.Name) + len(c.URL) + 32
	}
	if it.Source != nil {
		n += len(it.Source.Name) + len(it.Source.URL) + len(it.Source.Author) + 2*len(it.Source.Feed) + len(it.Source.FeedTitle) + 64
	}
	return 4 * n
}

func (s *Site) feedItem(base string, p *content.Post, fullText bool) feed.Item {
	link := base + p.Path()
	it := feed.Item{
		ID: itemID(base, p), URL: link, Title: p.Title, Summary: Summary(p, 400),
		Published: p.PublishedAt, Updated: p.UpdatedAt,
	}
	if p.Protected() {
		it.ContentHTML = `<p>` + html.EscapeString(ProtectedNotice) + ` <a href="` + html.EscapeString(link) + `">Read it on the site</a> with its password.</p>`
	} else if fullText {
		it.ContentHTML = absolutize(p.BodyHTML, link)
	} else {
		it.ContentHTML = absolutize(p.TeaserHTML, link)
		if p.HasMore {
			it.ContentHTML += `<p><a href="` + html.EscapeString(link) + `#more">Continue reading ` +
				html.EscapeString(p.Title) + `</a></p>`
		}
	}
	for _, a := range p.Authors {
		it.Authors = append(it.Authors, feed.Person{Name: a.Name, URL: base + a.Path()})
	}
	for _, terms := range [][]content.Term{p.Categories, p.Tags} {
		for _, t := range terms {
			it.Categories = append(it.Categories, feed.Category{Name: t.Name, URL: base + t.Path()})
		}
	}
	if !p.Source.IsZero() {
		it.Source = &feed.Source{Name: p.Source.Name, URL: p.Source.URL, Author: p.Source.Author,
			Published: p.Source.PublishedAt, Feed: p.Source.Feed, FeedTitle: p.Source.FeedTitle}
	}
	return it
}

// itemID is a feed item's permanent id: the guid a WordPress import
// brought, so that readers of a migrated site see no item twice, else
// WordPress's own form of it.
func itemID(base string, p *content.Post) string {
	if u, err := url.Parse(p.ImportKey); err == nil && u.IsAbs() && u.Host != "" {
		return p.ImportKey
	}
	return base + "/?p=" + strconv.FormatInt(p.ID, 10)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// serveConditional serves the document made of parts, one after the
// other, with a strong ETag (its hash) and Last-Modified, answering 304
// when the client's copy is current. The ETag depends only on the bytes,
// so any change in what is shown changes it. It tells one version of an
// address from the next, not one document from every other, so a 64-bit
// hash made at memory speed is enough: feeds are a hundred kilobytes or
// more, and SHA-256 was a twelfth of what the static export spent on them.
//
// A plain GET or HEAD (no validators, no range) is answered as
// http.ServeContent answers it, with the parts written where they go
// rather than joined first; the others are left to http.ServeContent.
func serveConditional(w http.ResponseWriter, r *http.Request, parts [][]byte, ctype string, modified time.Time) {
	d := xxhash.New()
	size := 0
	for _, p := range parts {
		d.Write(p)
		size += len(p)
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("ETag", `"`+strconv.FormatUint(d.Sum64(), 16)+`"`)
	h.Set("Cache-Control", "public, max-age=300")
	if modified.Unix() <= 0 {
		modified = time.Time{}
	}
	for _, name := range [...]string{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "Range"} {
		if _, ok := r.Header[name]; ok {
			http.ServeContent(w, r, "", modified, &partsReader{parts: parts, size: int64(size)})
			return
		}
	}
	if !modified.IsZero() {
		h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	}
	h.Set("Accept-Ranges", "bytes")
	if h.Get("Content-Encoding") == "" {
		h.Set("Content-Length", strconv.Itoa(size))
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		for _, p := range parts {
			if _, err := w.Write(p); err != nil {
				return // the client left
			}
		}
	}
}

// partsReader reads and seeks in the parts of a document as in one.
type partsReader struct {
	parts [][]byte
	size  int64
	off   int64
}

func (r *partsReader) Read(b []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	n, at := 0, int64(0)
	for _, p := range r.parts {
		end := at + int64(len(p))
		if r.off < end && n < len(b) {
			c := copy(b[n:], p[r.off-at:])
			n += c
			r.off += int64(c)
		}
		at = end
	}
	return n, nil
}

func (r *partsReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		offset += r.size
	}
	if offset < 0 {
		return 0, errors.New("seek before the start")
	}
	r.off = offset
	return offset, nil
}

// absURL makes a site path absolute; absolute URLs pass unchanged.
func absURL(base, ref string) string {
	if strings.HasPrefix(ref, "/") && !strings.HasPrefix(ref, "//") {
		return base + ref
	}
	return ref
}

// resolveURL resolves ref against page; an absolute or unreadable ref is
// returned as it is.
func resolveURL(page *url.URL, ref string) string {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil || u.IsAbs() {
		return ref
	}
	return page.ResolveReference(u).String()
}

// absolutize resolves the relative links, image and media sources of
// sanitised HTML against the page they appear on, since a feed reader has
// no page to resolve them against (see markup.Absolutize).
func absolutize(src, page string) string { return markup.Absolutize(src, page) }
