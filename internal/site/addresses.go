package site

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web/cache"
)

// The site's addresses, in one place: every kind of address the public
// site answers, how an address of each kind is built and parsed, which
// addresses of each kind readers may see at a given time, and which page
// cache tags the pages of each kind carry. The router (dispatch) parses
// with it, the sitemaps and the static export enumerate with it, and the
// page cache drops pages by its tags (ListingTags), so that a kind added
// here reaches all four.

// AddressKind is a kind of address of the public site.
type AddressKind uint8

// The kinds of address of the public site.
const (
	FrontAddress      AddressKind = iota + 1 // "/", its pages /page/N/
	PostAddress                              // /yyyy/mm/dd/slug/
	PageAddress                              // /slug/
	CategoryAddress                          // /category/slug/, its pages …/page/N/
	TagAddress                               // /tag/slug/, its pages
	AuthorAddress                            // /author/slug/, its pages
	YearAddress                              // /yyyy/, its pages
	MonthAddress                             // /yyyy/mm/, its pages
	DayAddress                               // /yyyy/mm/dd/, its pages
	FeedAddress                              // /feed/, /feed/atom/, /feed/json/ of the site and of each archive with feeds
	SearchAddress                            // /search: it answers a query, so none is enumerated
	SitemapAddress                           // /sitemap.xml and the sitemaps it lists, /sitemaps/NAME
	RobotsAddress                            // /robots.txt
	AssetAddress                             // /static/NAME, under its plain and its fingerprinted name
	NotFoundAddress                          // /404.html, the page of addresses the site does not have (answered 404)
	SourceAddress                            // /source/slug/, the posts republished from an outlet, its pages
	EventsAddress                            // /events/, the upcoming events, its pages
	PastEventsAddress                        // /events/past/, the events ended, its pages
	EventAddress                             // /events/slug/
	BooksAddress                             // /books/, its pages
	BookAddress                              // /books/slug/
	CalendarAddress                          // /events.ics and each event's /events/slug.ics
)

// kinds describes each kind: its name, the path an archive's slug follows
// ("" for kinds that are no archive of a term or an author), whether its
// addresses are listings (paged, /page/N/), whether its listings have
// feeds, and the sitemap that lists its pages ("" for none).
var kinds = [...]struct {
	name    string
	prefix  string
	listing bool
	feeds   bool
	sitemap string
}{
	FrontAddress:      {name: "front page", listing: true, feeds: true, sitemap: "pages"},
	PostAddress:       {name: "post", sitemap: "posts"},
	PageAddress:       {name: "page", sitemap: "pages"},
	CategoryAddress:   {name: "category archive", prefix: "/category/", listing: true, feeds: true, sitemap: "categories"},
	TagAddress:        {name: "tag archive", prefix: "/tag/", listing: true, feeds: true, sitemap: "tags"},
	AuthorAddress:     {name: "author archive", prefix: "/author/", listing: true, feeds: true, sitemap: "authors"},
	YearAddress:       {name: "year archive", listing: true},
	MonthAddress:      {name: "month archive", listing: true},
	DayAddress:        {name: "day archive", listing: true},
	FeedAddress:       {name: "feed"},
	SearchAddress:     {name: "search"},
	SitemapAddress:    {name: "sitemap"},
	RobotsAddress:     {name: "robots.txt"},
	AssetAddress:      {name: "static file"},
	NotFoundAddress:   {name: "not-found page"},
	SourceAddress:     {name: "source archive", prefix: "/source/", listing: true, feeds: true, sitemap: "sources"},
	EventsAddress:     {name: "events", listing: true, feeds: true, sitemap: "events"},
	PastEventsAddress: {name: "past events", listing: true, sitemap: "events"},
	EventAddress:      {name: "event", sitemap: "events"},
	BooksAddress:      {name: "books", listing: true, feeds: true, sitemap: "books"},
	BookAddress:       {name: "book", sitemap: "books"},
	CalendarAddress:   {name: "calendar"},
}

// String names the kind, for messages.
func (k AddressKind) String() string {
	if int(k) < len(kinds) && kinds[k].name != "" {
		return kinds[k].name
	}
	return "address kind " + strconv.Itoa(int(k))
}

// Listing reports whether addresses of kind k are listings of teasers,
// which have pages: Path, then PagePath(Path, 2) and on.
func (k AddressKind) Listing() bool { return int(k) < len(kinds) && kinds[k].listing }

// Entry reports whether addresses of kind k are posts' or pages' own.
func (k AddressKind) Entry() bool {
	return k == PostAddress || k == PageAddress || k == EventAddress || k == BookAddress
}

// archiveKinds are the kinds of archive of a term, an author or an
// outlet, in the order their sitemaps and feeds are listed.
var archiveKinds = []AddressKind{CategoryAddress, TagAddress, AuthorAddress, SourceAddress}

// feedArchives are the kinds of archive that have feeds.
func feedArchives() []AddressKind {
	var out []AddressKind
	for _, k := range archiveKinds {
		if kinds[k].feeds {
			out = append(out, k)
		}
	}
	return out
}

// Address is one address of the site readers may see.
type Address struct {
	Kind AddressKind
	// Path is the address's URL path, escaped; for a listing, its first
	// page's.
	Path string
	// Pages is how many pages a listing has (at least 1); 1 for others.
	Pages int
	// Modified is when what the page shows last changed, for the
	// canonical HTML pages the sitemaps list; zero for others.
	Modified time.Time
}

// PagePath is the path of page n of the listing whose first page is at
// base.
func PagePath(base string, n int) string {
	if n <= 1 {
		return base
	}
	return base + "page/" + strconv.Itoa(n) + "/"
}

// archivePath is the path of the archive of kind k (an archiveKinds) of
// the term or author of slug.
func archivePath(k AddressKind, slug string) string {
	return kinds[k].prefix + url.PathEscape(slug) + "/"
}

// datePath is the path of a date archive: a year's (month and day 0), a
// month's (day 0) or a day's.
func datePath(year, month, day int) string {
	b := make([]byte, 0, len("/2006/01/02/"))
	b = append(b, '/')
	b = appendYear(b, year)
	b = append(b, '/')
	if month > 0 {
		b = append(b, byte('0'+month/10), byte('0'+month%10), '/')
		if day > 0 {
			b = append(b, byte('0'+day/10), byte('0'+day%10), '/')
		}
	}
	return string(b)
}

// appendYear appends year as a post's address writes it: four digits.
func appendYear(b []byte, year int) []byte {
	if year < 0 || year > 9999 {
		return strconv.AppendInt(b, int64(year), 10)
	}
	return append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10))
}

// feedPaths returns the paths of the three feeds of the listing at prefix
// ("/" for the site, else an archive's path).
func feedPaths(prefix string) (rss, atom, json string) {
	return prefix + "feed/", prefix + "feed/atom/", prefix + "feed/json/"
}

// sitemapPath is the path of the sitemap file name ("pages.xml").
func sitemapPath(name string) string { return "/sitemaps/" + name }

// route is an address parsed by parseAddress: its kind, what names the
// thing it shows, and its page.
type route struct {
	kind             AddressKind
	slug             string // a post's, page's, term's, author's or outlet's, unescaped
	year, month, day int    // a date archive's (month and day 0 when not given)
	page             int
}

// parseAddress parses the escaped path, which ends with a slash, of a
// page the mux does not route by name: a listing's page, a post, a page,
// an archive. ok is false for a path of no page of the site.
func parseAddress(path string) (rt route, ok bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, seg := range segs {
		un, err := url.PathUnescape(seg)
		if err != nil {
			return route{}, false
		}
		segs[i] = un
	}
	// A trailing /page/N/ selects a page of any listing.
	rt.page = 1
	if n := len(segs); n >= 2 && segs[n-2] == "page" {
		p, ok := pageNumber(segs[n-1])
		if !ok {
			return route{}, false
		}
		rt.page, segs = p, segs[:n-2]
	}
	switch {
	case len(segs) == 0 && rt.page > 1:
		rt.kind = FrontAddress
	case len(segs) == 0:
		return route{}, false
	case segs[0] == "events" && len(segs) == 1:
		rt.kind = EventsAddress
	case segs[0] == "events" && len(segs) == 2 && segs[1] == "past":
		rt.kind = PastEventsAddress
	case segs[0] == "events" && len(segs) == 2 && rt.page == 1:
		rt.kind, rt.slug = EventAddress, segs[1]
	case segs[0] == "books" && len(segs) == 1:
		rt.kind = BooksAddress
	case segs[0] == "books" && len(segs) == 2 && rt.page == 1:
		rt.kind, rt.slug = BookAddress, segs[1]
	case len(segs) == 2 && archiveKind(segs[0]) != 0:
		rt.kind, rt.slug = archiveKind(segs[0]), segs[1]
	case len(segs) == 4 && isYear(segs[0]) && rt.page == 1:
		// The date is the post's to check: under another one it has moved.
		rt.kind, rt.slug = PostAddress, segs[3]
	case len(segs) >= 1 && len(segs) <= 3 && isYear(segs[0]):
		rt.kind = YearAddress
		rt.year, _ = strconv.Atoi(segs[0])
		if len(segs) >= 2 {
			if rt.month, ok = number(segs[1], 12); !ok {
				return route{}, false
			}
			rt.kind = MonthAddress
		}
		if len(segs) == 3 {
			if rt.day, ok = number(segs[2], 31); !ok {
				return route{}, false
			}
			if time.Date(rt.year, time.Month(rt.month), rt.day, 0, 0, 0, 0, time.UTC).Day() != rt.day {
				return route{}, false // 31 February and the like
			}
			rt.kind = DayAddress
		}
	case len(segs) == 1 && segs[0] != "" && rt.page == 1:
		rt.kind, rt.slug = PageAddress, segs[0]
	default:
		return route{}, false
	}
	return rt, true
}

// archiveKind returns the kind of archive whose paths start with the
// segment seg ("tag"), or 0.
func archiveKind(seg string) AddressKind {
	for _, k := range archiveKinds {
		if p := kinds[k].prefix; len(p) == len(seg)+2 && p[1:len(p)-1] == seg {
			return k
		}
	}
	return 0
}

func pageNumber(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || strconv.Itoa(n) != s {
		return 0, false
	}
	return n, true
}

func isYear(s string) bool {
	if len(s) != 4 {
		return false
	}
	_, err := strconv.Atoi(s)
	return err == nil
}

// number parses a two-digit month or day within [1, max].
func number(s string, max int) (int, bool) {
	if len(s) != 2 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && n <= max
}

// The page cache's tags of the listings: a listing's pages carry its tag,
// and a change to a post drops the pages of every listing it was in and
// is in (ListingTags). Every tag of a listing starts with cache.ListPrefix.
const frontTag = cache.ListPrefix + "front"

func termTag(id int64) string   { return cache.ListPrefix + "term:" + strconv.FormatInt(id, 10) }
func authorTag(id int64) string { return cache.ListPrefix + "author:" + strconv.FormatInt(id, 10) }
func sourceTag(id int64) string { return cache.ListPrefix + "source:" + strconv.FormatInt(id, 10) }

// dateTag is the tag of a date archive: a year's (month and day 0), a
// month's (day 0) or a day's.
func dateTag(year, month, day int) string {
	b := []byte(cache.ListPrefix + "date:")
	b = strconv.AppendInt(b, int64(year), 10)
	if month > 0 {
		b = append(b, '-', byte('0'+month/10), byte('0'+month%10))
		if day > 0 {
			b = append(b, '-', byte('0'+day/10), byte('0'+day%10))
		}
	}
	return string(b)
}

// postListing is one listing a post appears in.
type postListing struct {
	kind AddressKind
	term *content.Term // a category's or tag's archive
	user *content.User // an author's archive
	// outlet is the ID of the outlet of a source archive, whose path
	// (slug) the post does not carry: whoever needs the path reads the
	// outlet (WebSub does).
	outlet int64
	date   time.Time // the post's publication, UTC, for date archives
}

// tag is the page cache's tag of the listing's pages.
func (l postListing) tag() string {
	switch l.kind {
	case FrontAddress:
		return frontTag
	case CategoryAddress, TagAddress:
		return termTag(l.term.ID)
	case AuthorAddress:
		return authorTag(l.user.ID)
	case SourceAddress:
		return sourceTag(l.outlet)
	case YearAddress:
		return dateTag(l.date.Year(), 0, 0)
	case MonthAddress:
		return dateTag(l.date.Year(), int(l.date.Month()), 0)
	default:
		return dateTag(l.date.Year(), int(l.date.Month()), l.date.Day())
	}
}

// path is the path of the listing's first page, as its pages name it; ""
// for a source archive, whose slug only the store knows.
func (l postListing) path() string {
	switch l.kind {
	case FrontAddress:
		return "/"
	case CategoryAddress, TagAddress:
		return l.term.Path()
	case AuthorAddress:
		return l.user.Path()
	case SourceAddress:
		return ""
	case YearAddress:
		return datePath(l.date.Year(), 0, 0)
	case MonthAddress:
		return datePath(l.date.Year(), int(l.date.Month()), 0)
	default:
		return datePath(l.date.Year(), int(l.date.Month()), l.date.Day())
	}
}

// postListings yields every listing the public post p appears in: the
// front page, its date archives, its categories' and tags' archives and
// its authors', and the archive of the outlet it was republished from. p
// must carry its authors and terms. Pages appear in none.
func postListings(p *content.Post) iter.Seq[postListing] {
	return func(yield func(postListing) bool) {
		if p.Kind != content.KindPost {
			return
		}
		t := p.PublishedLocal()
		for _, k := range []AddressKind{FrontAddress, YearAddress, MonthAddress, DayAddress} {
			if !yield(postListing{kind: k, date: t}) {
				return
			}
		}
		for i := range p.Categories {
			if !yield(postListing{kind: CategoryAddress, term: &p.Categories[i]}) {
				return
			}
		}
		for i := range p.Tags {
			if !yield(postListing{kind: TagAddress, term: &p.Tags[i]}) {
				return
			}
		}
		for i := range p.Authors {
			if !yield(postListing{kind: AuthorAddress, user: &p.Authors[i]}) {
				return
			}
		}
		if p.OutletID != 0 {
			yield(postListing{kind: SourceAddress, outlet: p.OutletID})
		}
	}
}

// ListingTags are the page cache's tags of every listing the public post
// p appears in (postListings): the page cache's Options.Listings.
func ListingTags(p *content.Post) []string {
	switch p.Kind {
	case content.KindEvent:
		// The events' listings, their calendar, and the front page's
		// upcoming events.
		return []string{eventsTag, frontTag}
	case content.KindBook:
		return []string{booksTag}
	case content.KindPost:
	default:
		return nil
	}
	tags := make([]string, 0, 5+len(p.Categories)+len(p.Tags)+len(p.Authors))
	for l := range postListings(p) {
		tags = append(tags, l.tag())
	}
	return tags
}

// addressSource reads, each at most once, what enumerating the addresses
// readers may see at now needs of the store.
type addressSource struct {
	s   *Site
	ctx context.Context
	now time.Time
	// timesOnly leaves posts' and pages' addresses without their paths,
	// for the sitemap index, which needs only when they changed: a large
	// site has tens of thousands.
	timesOnly bool

	stamps   map[content.Kind][]store.Stamp
	archives map[AddressKind][]store.ArchiveStamp
}

func (s *Site) addressSource(ctx context.Context, now time.Time) *addressSource {
	return &addressSource{s: s, ctx: ctx, now: now}
}

// entries returns the stamps of the public posts or pages, newest first.
func (a *addressSource) entries(kind content.Kind) ([]store.Stamp, error) {
	if ss, ok := a.stamps[kind]; ok {
		return ss, nil
	}
	ss, err := a.s.cfg.DB.FindStamps(a.ctx, kind, a.now)
	if err != nil {
		return nil, err
	}
	if a.stamps == nil {
		a.stamps = map[content.Kind][]store.Stamp{}
	}
	a.stamps[kind] = ss
	return ss, nil
}

// archiveStamps returns the archives of kind k (an archiveKinds) that
// have public posts, by slug.
func (a *addressSource) archiveStamps(k AddressKind) ([]store.ArchiveStamp, error) {
	if as, ok := a.archives[k]; ok {
		return as, nil
	}
	var as []store.ArchiveStamp
	var err error
	switch k {
	case CategoryAddress:
		as, err = a.s.cfg.DB.FindTermStamps(a.ctx, content.TaxCategory, a.now)
	case TagAddress:
		as, err = a.s.cfg.DB.FindTermStamps(a.ctx, content.TaxTag, a.now)
	case AuthorAddress:
		as, err = a.s.cfg.DB.FindAuthorStamps(a.ctx, a.now)
	case SourceAddress:
		as, err = a.s.cfg.DB.FindOutletStamps(a.ctx, a.now)
	default:
		return nil, fmt.Errorf("site: no archives of kind %s", k)
	}
	if err != nil {
		return nil, err
	}
	if a.archives == nil {
		a.archives = map[AddressKind][]store.ArchiveStamp{}
	}
	a.archives[k] = as
	return as, nil
}

// pages returns how many pages a listing of n posts has.
func (a *addressSource) pages(n int) (int, error) {
	set, err := a.s.settings(a.ctx)
	if err != nil {
		return 0, err
	}
	per := max(set.PostsPerPage, 1)
	return max(1, (n+per-1)/per), nil
}

// kind returns the addresses of kind k readers may see, in the order the
// site lists them: entries newest first, archives by slug, dates in order.
func (a *addressSource) kind(k AddressKind) ([]Address, error) {
	switch k {
	case FrontAddress:
		posts, err := a.entries(content.KindPost)
		if err != nil {
			return nil, err
		}
		n, err := a.pages(len(posts))
		if err != nil {
			return nil, err
		}
		// The front page changes whenever a post does.
		return []Address{{Kind: k, Path: "/", Pages: n, Modified: newestStamp(posts)}}, nil
	case PostAddress, PageAddress, EventAddress, BookAddress:
		kind := map[AddressKind]content.Kind{PostAddress: content.KindPost, PageAddress: content.KindPage,
			EventAddress: content.KindEvent, BookAddress: content.KindBook}[k]
		ss, err := a.entries(kind)
		if err != nil {
			return nil, err
		}
		out := make([]Address, len(ss))
		for i, st := range ss {
			out[i] = Address{Kind: k, Pages: 1, Modified: st.Modified()}
			if !a.timesOnly {
				out[i].Path = st.Path()
			}
		}
		return out, nil
	case CategoryAddress, TagAddress, AuthorAddress, SourceAddress:
		as, err := a.archiveStamps(k)
		if err != nil {
			return nil, err
		}
		out := make([]Address, len(as))
		for i, st := range as {
			n, err := a.pages(st.Posts)
			if err != nil {
				return nil, err
			}
			out[i] = Address{Kind: k, Path: archivePath(k, st.Slug), Pages: n, Modified: st.Modified}
		}
		return out, nil
	case YearAddress, MonthAddress, DayAddress:
		return a.dates(k)
	case FeedAddress:
		var out []Address
		for _, lk := range append([]AddressKind{FrontAddress}, append(archiveKinds, EventsAddress, BooksAddress)...) {
			if !kinds[lk].feeds {
				continue
			}
			listings, err := a.kind(lk)
			if err != nil {
				return nil, err
			}
			for _, l := range listings {
				rss, atom, json := feedPaths(l.Path)
				out = append(out, Address{Kind: k, Path: rss, Pages: 1}, Address{Kind: k, Path: atom, Pages: 1},
					Address{Kind: k, Path: json, Pages: 1})
			}
		}
		return out, nil
	case SitemapAddress:
		files, err := a.sitemapFiles()
		if err != nil {
			return nil, err
		}
		out := []Address{{Kind: k, Path: "/sitemap.xml", Pages: 1}}
		for _, f := range files {
			out = append(out, Address{Kind: k, Path: sitemapPath(f.name), Pages: 1})
		}
		return out, nil
	case RobotsAddress:
		return []Address{{Kind: k, Path: "/robots.txt", Pages: 1}}, nil
	case AssetAddress:
		names := make([]string, 0, len(a.s.assets.fingerprinted))
		for name := range a.s.assets.fingerprinted {
			names = append(names, name)
		}
		slices.Sort(names)
		out := make([]Address, 0, 2*len(names))
		for _, name := range names {
			out = append(out, Address{Kind: k, Path: "/static/" + name, Pages: 1},
				Address{Kind: k, Path: a.s.assets.url(name), Pages: 1})
		}
		return out, nil
	case NotFoundAddress:
		return []Address{{Kind: k, Path: "/404.html", Pages: 1}}, nil
	case EventsAddress, PastEventsAddress:
		return a.eventListings(k)
	case BooksAddress:
		books, err := a.entries(content.KindBook)
		if err != nil || len(books) == 0 {
			return nil, err
		}
		n, err := a.pages(len(books))
		if err != nil {
			return nil, err
		}
		return []Address{{Kind: k, Path: "/books/", Pages: n, Modified: newestStamp(books)}}, nil
	case CalendarAddress:
		events, err := a.kind(EventAddress)
		if err != nil || len(events) == 0 {
			return nil, err
		}
		out := []Address{{Kind: k, Path: "/events.ics", Pages: 1}}
		for _, e := range events {
			if e.Path != "" {
				out = append(out, Address{Kind: k, Path: strings.TrimSuffix(e.Path, "/") + ".ics", Pages: 1})
			}
		}
		return out, nil
	}
	return nil, nil // SearchAddress: one for every query
}

// eventListings returns /events/ (while there are events at all) or
// /events/past/ (while some have ended), with their pages.
func (a *addressSource) eventListings(k AddressKind) ([]Address, error) {
	events, err := a.entries(content.KindEvent)
	if err != nil || len(events) == 0 {
		return nil, err
	}
	path := "/events/"
	if k == PastEventsAddress {
		path = "/events/past/"
	}
	_, n, err := a.s.cfg.DB.FindEvents(a.ctx, store.EventFilter{Now: a.now, Past: k == PastEventsAddress, Limit: 1})
	if err != nil {
		return nil, err
	}
	if n == 0 && k == PastEventsAddress {
		return nil, nil
	}
	pages, err := a.pages(n)
	if err != nil {
		return nil, err
	}
	return []Address{{Kind: k, Path: path, Pages: pages, Modified: newestStamp(events)}}, nil
}

// dates returns the date archives of kind k that have public posts, in
// order, from the posts' publication times.
func (a *addressSource) dates(k AddressKind) ([]Address, error) {
	posts, err := a.entries(content.KindPost)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	var paths []string
	for _, st := range posts {
		t := st.PublishedLocal()
		var p string
		switch k {
		case YearAddress:
			p = datePath(t.Year(), 0, 0)
		case MonthAddress:
			p = datePath(t.Year(), int(t.Month()), 0)
		default:
			p = datePath(t.Year(), int(t.Month()), t.Day())
		}
		if counts[p] == 0 {
			paths = append(paths, p)
		}
		counts[p]++
	}
	slices.Sort(paths)
	out := make([]Address, len(paths))
	for i, p := range paths {
		n, err := a.pages(counts[p])
		if err != nil {
			return nil, err
		}
		out[i] = Address{Kind: k, Path: p, Pages: n}
	}
	return out, nil
}

// enumerated are the kinds Addresses lists, in its order.
var enumerated = []AddressKind{FrontAddress, CategoryAddress, TagAddress, AuthorAddress, SourceAddress, YearAddress,
	MonthAddress, DayAddress, EventsAddress, PastEventsAddress, EventAddress, BooksAddress, BookAddress, CalendarAddress,
	FeedAddress, SitemapAddress, RobotsAddress, AssetAddress, NotFoundAddress}

// Addresses lists every address of the site readers may see at now: the
// posts' and pages' own, newest first (the front page's order), then the
// listings (each once, with its number of pages), feeds, sitemaps,
// robots.txt, the theme's static files and the not-found page. Each
// answers 200, but the not-found page, which answers 404. Search pages,
// which answer queries, are not listed.
func (s *Site) Addresses(ctx context.Context, now time.Time) ([]Address, error) {
	a := s.addressSource(ctx, now)
	posts, err := a.kind(PostAddress)
	if err != nil {
		return nil, err
	}
	pages, err := a.kind(PageAddress)
	if err != nil {
		return nil, err
	}
	// Posts and pages merged as the store lists them: newest first.
	postStamps, pageStamps := a.stamps[content.KindPost], a.stamps[content.KindPage]
	out := make([]Address, 0, 3*(len(posts)+len(pages)))
	for i, j := 0, 0; i < len(posts) || j < len(pages); {
		if j == len(pages) || i < len(posts) && newerStamp(postStamps[i], pageStamps[j]) {
			out = append(out, posts[i])
			i++
		} else {
			out = append(out, pages[j])
			j++
		}
	}
	for _, k := range enumerated {
		as, err := a.kind(k)
		if err != nil {
			return nil, err
		}
		out = append(out, as...)
	}
	return out, nil
}

// newerStamp reports whether a comes before b newest first: by
// publication, then by ID.
func newerStamp(a, b store.Stamp) bool {
	if !a.PublishedAt.Equal(b.PublishedAt) {
		return a.PublishedAt.After(b.PublishedAt)
	}
	return a.ID > b.ID
}

// sitemapFile is one sitemap /sitemap.xml lists, and when the newest of
// its pages changed.
type sitemapFile struct {
	name     string
	modified time.Time
}

// sitemapGroups are the sitemaps of the pages of each kind that has one
// (kinds' sitemap), in the order the index lists them; a paged one is
// split into NAME-1.xml, NAME-2.xml … of sitemapLimit pages each.
var sitemapGroups = []struct {
	name  string
	paged bool
}{{"posts", true}, {"pages", false}, {"categories", false}, {"tags", false}, {"authors", false}, {"sources", false},
	{"events", false}, {"books", false}}

// sitemapPages returns the canonical HTML pages of the sitemap group, in
// order, with their last change.
func (a *addressSource) sitemapPages(group string) ([]Address, error) {
	var out []Address
	for k := range kinds {
		if kinds[k].sitemap != group {
			continue
		}
		as, err := a.kind(AddressKind(k))
		if err != nil {
			return nil, err
		}
		out = append(out, as...)
	}
	return out, nil
}

// sitemapFiles returns the sitemaps /sitemap.xml lists: each group's that
// has pages (the pages' always has the front page) and, while there is
// news, the news sitemap.
func (a *addressSource) sitemapFiles() ([]sitemapFile, error) {
	var files []sitemapFile
	for _, g := range sitemapGroups {
		pages, err := a.sitemapPages(g.name)
		if err != nil {
			return nil, err
		}
		if !g.paged {
			if len(pages) > 0 {
				files = append(files, sitemapFile{g.name + ".xml", newestAddress(pages)})
			}
			continue
		}
		for i := 0; i < len(pages); i += sitemapLimit {
			files = append(files, sitemapFile{g.name + "-" + strconv.Itoa(i/sitemapLimit+1) + ".xml",
				newestAddress(pages[i:min(i+sitemapLimit, len(pages))])})
		}
	}
	// The news sitemap is listed while there is news: a sitemap must name
	// at least one URL. It is served, empty, at other times.
	posts, err := a.entries(content.KindPost)
	if err != nil {
		return nil, err
	}
	var newsMod time.Time
	for _, p := range posts {
		if p.PublishedAt.Before(a.now.Add(-newsWindow)) {
			break
		}
		newsMod = later(newsMod, p.Modified())
	}
	if !newsMod.IsZero() {
		files = append(files, sitemapFile{"news.xml", newsMod})
	}
	return files, nil
}

func newestStamp(ss []store.Stamp) time.Time {
	var t time.Time
	for _, s := range ss {
		t = later(t, s.Modified())
	}
	return t
}

func newestAddress(as []Address) time.Time {
	var t time.Time
	for _, a := range as {
		t = later(t, a.Modified)
	}
	return t
}
