package admin

import (
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
)

// EventForm is the editor's event fields as typed: times as
// datetime-local in the event's own zone.
type EventForm struct {
	StartsAt, EndsAt string
	TimeZone         string
	AllDay           bool
	Place, Address   string
	OnlineURL        string
	RegistrationURL  string
	Status           string
}

// BookForm is the editor's book fields as typed: one author a line, one
// link to buy it a line ("Label | URL").
type BookForm struct {
	Subtitle, Authors string
	ISBN, Publisher   string
	PublishedOn       string
	Pages             string
	Cover             string // media id; "" for none
	BuyLinks          string
}

// EventStatuses are the choices of an event's status.
var EventStatuses = []struct{ Value, Label string }{
	{"scheduled", "Takes place as announced"}, {"postponed", "Postponed"},
	{"cancelled", "Cancelled"}, {"moved_online", "Moved online"},
}

const localTime = "2006-01-02T15:04"

func eventFormOf(e *content.Event) EventForm {
	if e == nil {
		return EventForm{Status: string(content.EventScheduled)}
	}
	zone := e.Zone()
	return EventForm{StartsAt: e.StartsAt.In(zone).Format(localTime), EndsAt: e.EndsAt.In(zone).Format(localTime),
		TimeZone: e.TimeZone, AllDay: e.AllDay, Place: e.Location.Name, Address: e.Location.Address,
		OnlineURL: e.OnlineURL, RegistrationURL: e.RegistrationURL, Status: string(e.Status)}
}

func bookFormOf(b *content.Book) BookForm {
	if b == nil {
		return BookForm{}
	}
	f := BookForm{Subtitle: b.Subtitle, Authors: strings.Join(b.Authors, "\n"), ISBN: b.ISBN, Publisher: b.Publisher,
		PublishedOn: b.PublishedOn}
	if b.Pages > 0 {
		f.Pages = strconv.Itoa(b.Pages)
	}
	if b.CoverID != 0 {
		f.Cover = strconv.FormatInt(b.CoverID, 10)
	}
	var links []string
	for _, l := range b.BuyLinks {
		links = append(links, l.Label+" | "+l.URL)
	}
	f.BuyLinks = strings.Join(links, "\n")
	return f
}

func eventFormFrom(v func(string) string) EventForm {
	return EventForm{StartsAt: v("event_starts_at"), EndsAt: v("event_ends_at"), TimeZone: strings.TrimSpace(v("event_time_zone")),
		AllDay: v("event_all_day") != "", Place: v("event_place"), Address: v("event_address"),
		OnlineURL: v("event_online_url"), RegistrationURL: v("event_registration_url"), Status: v("event_status")}
}

func bookFormFrom(v func(string) string) BookForm {
	return BookForm{Subtitle: v("book_subtitle"), Authors: v("book_authors"), ISBN: v("book_isbn"), Publisher: v("book_publisher"),
		PublishedOn: v("book_published_on"), Pages: v("book_pages"), Cover: v("book_cover"), BuyLinks: v("book_buy_links")}
}

// event reads the event's fields, naming the one at fault.
func (f EventForm) event() (*content.Event, error) {
	loc := time.UTC
	if f.TimeZone != "" && f.TimeZone != "UTC" {
		if err := content.ValidateTimeZone(f.TimeZone); err != nil {
			return nil, content.FieldError("event.time_zone", "%s", err.Error())
		}
		loc, _ = time.LoadLocation(f.TimeZone)
	}
	at := func(field, s string) (time.Time, error) {
		if s == "" {
			return time.Time{}, content.FieldError(field, "give the date and time the event %s", map[string]string{
				"event.starts_at": "starts", "event.ends_at": "ends"}[field])
		}
		for _, layout := range []string{localTime, "2006-01-02T15:04:05", "2006-01-02"} {
			if t, err := time.ParseInLocation(layout, s, loc); err == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, content.FieldError(field, "%q is not a date and time", s)
	}
	starts, err := at("event.starts_at", f.StartsAt)
	if err != nil {
		return nil, err
	}
	ends, err := at("event.ends_at", f.EndsAt)
	if err != nil {
		return nil, err
	}
	zone := f.TimeZone
	if zone == "UTC" {
		zone = ""
	}
	e := &content.Event{StartsAt: starts, EndsAt: ends, TimeZone: zone, AllDay: f.AllDay,
		Location:  content.Location{Name: strings.TrimSpace(f.Place), Address: strings.TrimSpace(f.Address)},
		OnlineURL: strings.TrimSpace(f.OnlineURL), RegistrationURL: strings.TrimSpace(f.RegistrationURL),
		Status: content.EventStatus(f.Status)}
	return e, e.Validate()
}

// book reads the book's fields, naming the one at fault.
func (f BookForm) book() (*content.Book, error) {
	b := &content.Book{Subtitle: strings.TrimSpace(f.Subtitle), ISBN: strings.TrimSpace(f.ISBN),
		Publisher: strings.TrimSpace(f.Publisher), PublishedOn: strings.TrimSpace(f.PublishedOn)}
	for _, line := range strings.Split(f.Authors, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			b.Authors = append(b.Authors, line)
		}
	}
	if s := strings.TrimSpace(f.Pages); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, content.FieldError("book.pages", "%q is not a number of pages", s)
		}
		b.Pages = n
	}
	if f.Cover != "" {
		n, err := strconv.ParseInt(f.Cover, 10, 64)
		if err != nil {
			return nil, content.FieldError("book.cover", "%q is not a media item", f.Cover)
		}
		b.CoverID = n
	}
	for i, line := range strings.Split(f.BuyLinks, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		label, link, ok := strings.Cut(line, "|")
		if !ok {
			return nil, content.FieldError("book.buy_links", "line %d: write the shop's name, a bar and the address (Bookshop | https://…)", i+1)
		}
		b.BuyLinks = append(b.BuyLinks, content.BuyLink{Label: strings.TrimSpace(label), URL: strings.TrimSpace(link)})
	}
	return b, b.Validate()
}

// details adds the event's or the book's fields to in, for an entry of kind.
func (f Form) details(in *editorial.Input) error {
	var err error
	switch content.Kind(f.Kind) {
	case content.KindEvent:
		in.Event, err = f.Event.event()
	case content.KindBook:
		in.Book, err = f.Book.book()
	}
	return err
}

// newEvent is a new event's first time, for the editor to change: the
// next day, 18:00 to 20:00 UTC.
func newEvent(now time.Time) *content.Event {
	y, m, d := now.UTC().Date()
	start := time.Date(y, m, d+1, 18, 0, 0, 0, time.UTC)
	return &content.Event{StartsAt: start, EndsAt: start.Add(2 * time.Hour), Status: content.EventScheduled}
}
