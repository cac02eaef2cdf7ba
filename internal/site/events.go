package site

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
	"github.com/broadsheet/broadsheet/internal/web/cache"
)

// The page cache's tags of the events' and the books' listings: an event
// is also on the front page (its upcoming events) and in /events.ics.
const (
	eventsTag = cache.ListPrefix + "events"
	booksTag  = cache.ListPrefix + "books"
)

// frontEvents is how many upcoming events the front page shows.
const frontEvents = 3

// EventItem is an event as the theme shows it: its times in its own zone.
type EventItem struct {
	*content.Post
	// Past is true once the event has ended.
	Past bool
	// Nested is true in a section of another page (the front page's
	// upcoming events), whose cards' titles are headings one level down.
	Nested bool
}

func eventItem(p *content.Post, now time.Time) EventItem {
	return EventItem{Post: p, Past: p.Event != nil && p.Event.Ended(now)}
}

// Start and End are the event's times in its zone.
func (e EventItem) Start() time.Time { return e.Event.StartsAt.In(e.Event.Zone()) }

// End is when the event ends, in its zone.
func (e EventItem) End() time.Time { return e.Event.EndsAt.In(e.Event.Zone()) }

// StartISO is the start for a <time datetime>: a date for an all-day event.
func (e EventItem) StartISO() string {
	if e.Event.AllDay {
		return e.Start().Format(time.DateOnly)
	}
	return e.Start().Format(time.RFC3339)
}

// EndISO is the end for a <time datetime>.
func (e EventItem) EndISO() string {
	if e.Event.AllDay {
		return e.End().Format(time.DateOnly)
	}
	return e.End().Format(time.RFC3339)
}

// Date is the event's day, or its first and last days.
func (e EventItem) Date() string {
	s, end := e.Start(), e.End()
	if e.Event.AllDay && end.Hour() == 0 && end.Minute() == 0 && end.After(s) {
		end = end.Add(-time.Second) // ends at midnight: the day before is its last
	}
	sy, sm, sd := s.Date()
	ey, em, ed := end.Date()
	switch {
	case sy == ey && sm == em && sd == ed:
		return s.Format("Monday 2 January 2006")
	case sy == ey && sm == em:
		return s.Format("2") + "–" + end.Format("2 January 2006")
	case sy == ey:
		return s.Format("2 January") + " – " + end.Format("2 January 2006")
	}
	return s.Format("2 January 2006") + " – " + end.Format("2 January 2006")
}

// Time is the event's hours and zone ("18:30–20:00 CET"), "" for an
// all-day event; an event over several days names both days' times.
func (e EventItem) Time() string {
	if e.Event.AllDay {
		return ""
	}
	s, end := e.Start(), e.End()
	zone := end.Format("MST")
	if strings.HasPrefix(zone, "+") || strings.HasPrefix(zone, "-") { // a zone without an abbreviation
		zone = "UTC" + zone
	}
	if y, m, d := s.Date(); y == end.Year() && m == end.Month() && d == end.Day() {
		return s.Format("15:04") + "–" + end.Format("15:04") + " " + zone
	}
	return "from " + s.Format("15:04") + " to " + end.Format("15:04 on 2 January") + " " + zone
}

// Zone names the event's time zone for readers ("Europe/Paris").
func (e EventItem) Zone() string {
	if e.Event.TimeZone == "" {
		return "UTC"
	}
	return e.Event.TimeZone
}

// StatusLabel says what became of the event, "" when it takes place as announced.
func (e EventItem) StatusLabel() string {
	switch e.Event.Status {
	case content.EventCancelled:
		return "Cancelled"
	case content.EventPostponed:
		return "Postponed"
	case content.EventMovedOnline:
		return "Moved online"
	}
	return ""
}

// CalendarPath is the address of the event's own iCalendar file.
func (e EventItem) CalendarPath() string { return "/events/" + url.PathEscape(e.Slug) + ".ics" }

// EventsPage is /events/ (upcoming) and /events/past/.
type EventsPage struct {
	Layout
	Heading string
	Past    bool
	Events  []EventItem
	Pager   Pager
}

// EventPage is one event's page.
type EventPage struct {
	Layout
	Event    EventItem
	Featured *content.Media
}

// BookItem is a book as the theme shows it, with its cover.
type BookItem struct {
	*content.Post
	Cover *content.Media
}

// ISBN is the book's ISBN for readers, with its prefix and groups apart
// where they are known (978- or 979-), else as stored.
func (b BookItem) ISBN() string {
	isbn := b.Book.ISBN
	if len(isbn) == 13 {
		return isbn[:3] + "-" + isbn[3:]
	}
	return isbn
}

// PublishedOn is the book's publication date for readers.
func (b BookItem) PublishedOn() string {
	t, err := time.Parse(time.DateOnly, b.Book.PublishedOn)
	if err != nil {
		return ""
	}
	return t.Format("2 January 2006")
}

// BooksPage is /books/.
type BooksPage struct {
	Layout
	Books []BookItem
	Pager Pager
}

// BookPage is one book's page.
type BookPage struct {
	Layout
	Book BookItem
}

// eventsList serves /events/ (past false) and /events/past/, page page.
func (s *Site) eventsList(w http.ResponseWriter, r *http.Request, past bool, page int) error {
	ctx := r.Context()
	layout, err := s.layout(ctx, "events")
	if err != nil {
		return err
	}
	per := max(layout.Site.PostsPerPage, 1)
	now := s.cfg.Now()
	posts, total, err := s.cfg.DB.FindEvents(ctx, store.EventFilter{Now: now, Past: past, Offset: (page - 1) * per, Limit: per})
	if err != nil {
		return err
	}
	pages := max(1, (total+per-1)/per)
	if page > pages {
		return web.NotFound
	}
	cache.Depend(ctx, eventsTag)
	base, path, heading := s.baseURL(r), "/events/", "Upcoming events"
	if past {
		path, heading = "/events/past/", "Past events"
	}
	pager := Pager{Page: page, Pages: pages}
	if page > 1 {
		pager.Newer = PagePath(path, page-1)
		layout.Head.Prev = base + pager.Newer
	}
	if page < pages {
		pager.Older = PagePath(path, page+1)
		layout.Head.Next = base + pager.Older
	}
	layout.Head.Canonical = base + PagePath(path, page)
	layout.Head.Title = joinTitle(heading, layout.Site.Title)
	layout.Head.Description = heading + " of " + layout.Site.Title
	layout.Head.Feeds = &FeedLinks{Title: layout.Site.Title + " – Events", RSS: "/events/feed/", Atom: "/events/feed/atom/", JSON: "/events/feed/json/"}
	layout.Section = "/events/"
	out := &EventsPage{Layout: layout, Heading: heading, Past: past, Pager: pager}
	for _, p := range posts {
		out.Events = append(out.Events, eventItem(p, now))
	}
	return s.tmpl.Render(w, http.StatusOK, "events", out)
}

// eventPage serves /events/slug/.
func (s *Site) eventPage(w http.ResponseWriter, r *http.Request, slug string) error {
	ctx := r.Context()
	p, err := s.cfg.DB.FindPostBySlug(ctx, content.KindEvent, slug)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	if !p.IsPublic(now) || p.Event == nil {
		return web.NotFound
	}
	layout, err := s.layout(ctx, "event")
	if err != nil {
		return err
	}
	e := s.newEntry(ctx, p, s.frags.Generation())
	layout.Head.Title = joinTitle(firstNonEmpty(p.SEOTitle, p.Title), layout.Site.Title)
	if err := s.entryHead(r, &layout, e); err != nil {
		return err
	}
	layout.Section, layout.InSection = "/events/", true
	featured, err := e.Featured()
	if err != nil {
		return err
	}
	cache.Depend(ctx, cache.PageTag(p.ID), eventsTag)
	cache.Shows(ctx, p)
	return s.tmpl.Render(w, http.StatusOK, "event", &EventPage{Layout: layout, Event: eventItem(p, now), Featured: featured})
}

// booksList serves /books/, page page: the newest first.
func (s *Site) booksList(w http.ResponseWriter, r *http.Request, page int) error {
	ctx := r.Context()
	layout, err := s.layout(ctx, "books")
	if err != nil {
		return err
	}
	per := max(layout.Site.PostsPerPage, 1)
	f := store.Published(s.cfg.Now())
	f.Kind, f.Limit, f.Offset = content.KindBook, per, (page-1)*per
	posts, total, err := s.cfg.DB.FindPosts(ctx, f)
	if err != nil {
		return err
	}
	pages := max(1, (total+per-1)/per)
	if page > pages {
		return web.NotFound
	}
	cache.Depend(ctx, booksTag)
	base := s.baseURL(r)
	pager := Pager{Page: page, Pages: pages}
	if page > 1 {
		pager.Newer = PagePath("/books/", page-1)
		layout.Head.Prev = base + pager.Newer
	}
	if page < pages {
		pager.Older = PagePath("/books/", page+1)
		layout.Head.Next = base + pager.Older
	}
	layout.Head.Canonical = base + PagePath("/books/", page)
	layout.Head.Title = joinTitle("Books", layout.Site.Title)
	layout.Head.Description = "Books published by " + layout.Site.Title
	layout.Head.Feeds = &FeedLinks{Title: layout.Site.Title + " – Books", RSS: "/books/feed/", Atom: "/books/feed/atom/", JSON: "/books/feed/json/"}
	layout.Section = "/books/"
	out := &BooksPage{Layout: layout, Pager: pager}
	for _, p := range posts {
		b, err := s.bookItem(ctx, p)
		if err != nil {
			return err
		}
		out.Books = append(out.Books, b)
	}
	return s.tmpl.Render(w, http.StatusOK, "books", out)
}

func (s *Site) bookItem(ctx context.Context, p *content.Post) (BookItem, error) {
	b := BookItem{Post: p}
	if p.Book == nil {
		b.Post.Book = &content.Book{}
	}
	if id := b.Book.CoverID; id != 0 {
		m, err := s.cfg.DB.FindMedia(ctx, id)
		if err != nil && !content.IsNotFound(err) {
			return b, err
		}
		b.Cover = m
	}
	return b, nil
}

// bookPage serves /books/slug/.
func (s *Site) bookPage(w http.ResponseWriter, r *http.Request, slug string) error {
	ctx := r.Context()
	p, err := s.cfg.DB.FindPostBySlug(ctx, content.KindBook, slug)
	if err != nil {
		return err
	}
	if !p.IsPublic(s.cfg.Now()) {
		return web.NotFound
	}
	layout, err := s.layout(ctx, "book")
	if err != nil {
		return err
	}
	b, err := s.bookItem(ctx, p)
	if err != nil {
		return err
	}
	e := s.newEntry(ctx, p, s.frags.Generation())
	layout.Head.Title = joinTitle(firstNonEmpty(p.SEOTitle, p.Title), layout.Site.Title)
	if err := s.entryHead(r, &layout, e); err != nil {
		return err
	}
	layout.Section, layout.InSection = "/books/", true
	cache.Depend(ctx, cache.PageTag(p.ID), booksTag)
	cache.Shows(ctx, p)
	return s.tmpl.Render(w, http.StatusOK, "book", &BookPage{Layout: layout, Book: b})
}

// upcoming returns the next events for the front page.
func (s *Site) upcoming(ctx context.Context) ([]EventItem, error) {
	now := s.cfg.Now()
	posts, _, err := s.cfg.DB.FindEvents(ctx, store.EventFilter{Now: now, Limit: frontEvents})
	if err != nil {
		return nil, err
	}
	cache.Depend(ctx, eventsTag)
	out := make([]EventItem, len(posts))
	for i, p := range posts {
		out[i] = eventItem(p, now)
		out[i].Nested = true
	}
	return out, nil
}

// html is an event's or a book's sanitised body for its page.
func bodyHTML(p *content.Post) template.HTML { return template.HTML(p.BodyHTML) }

// Body is the event's description, sanitised when saved.
func (e EventItem) Body() template.HTML { return bodyHTML(e.Post) }

// Body is the book's description, sanitised when saved.
func (b BookItem) Body() template.HTML { return bodyHTML(b.Post) }
