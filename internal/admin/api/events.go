package api

import (
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

// Event is an event's time, place and status as the API shows and takes
// them: times in RFC 3339, the zone an IANA name.
type Event struct {
	StartsAt        string        `json:"starts_at"`
	EndsAt          string        `json:"ends_at"`
	TimeZone        string        `json:"time_zone"`
	AllDay          bool          `json:"all_day"`
	Location        EventLocation `json:"location"`
	OnlineURL       string        `json:"online_url"`
	RegistrationURL string        `json:"registration_url"`
	Status          string        `json:"status"`
	// Sequence counts the changes of time, place or status (read only).
	Sequence int `json:"sequence"`
}

// EventLocation is where an event takes place in person.
type EventLocation struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

// Book is a book's details as the API shows and takes them.
type Book struct {
	Subtitle    string    `json:"subtitle"`
	Authors     []string  `json:"authors"`
	ISBN        string    `json:"isbn"`
	Publisher   string    `json:"publisher"`
	PublishedOn string    `json:"published_on"`
	Pages       int       `json:"pages"`
	Cover       int64     `json:"cover"`
	BuyLinks    []BuyLink `json:"buy_links"`
}

// BuyLink is a place to buy a book.
type BuyLink struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

func eventJSON(e *content.Event) *Event {
	if e == nil {
		return nil
	}
	zone := e.Zone()
	return &Event{StartsAt: e.StartsAt.In(zone).Format(time.RFC3339), EndsAt: e.EndsAt.In(zone).Format(time.RFC3339),
		TimeZone: e.TimeZone, AllDay: e.AllDay, Location: EventLocation{Name: e.Location.Name, Address: e.Location.Address},
		OnlineURL: e.OnlineURL, RegistrationURL: e.RegistrationURL, Status: string(e.Status), Sequence: e.Sequence}
}

func bookJSON(b *content.Book) *Book {
	if b == nil {
		return nil
	}
	out := &Book{Subtitle: b.Subtitle, Authors: b.Authors, ISBN: b.ISBN, Publisher: b.Publisher, PublishedOn: b.PublishedOn,
		Pages: b.Pages, Cover: b.CoverID, BuyLinks: []BuyLink{}}
	if out.Authors == nil {
		out.Authors = []string{}
	}
	for _, l := range b.BuyLinks {
		out.BuyLinks = append(out.BuyLinks, BuyLink(l))
	}
	return out
}

// event reads an event's details, naming the field at fault.
func (e *Event) event() (*content.Event, error) {
	if e.TimeZone != "" {
		if err := content.ValidateTimeZone(e.TimeZone); err != nil {
			return nil, content.FieldError("event.time_zone", "%s", err.Error())
		}
	}
	starts, err := eventTime("event.starts_at", e.StartsAt)
	if err != nil {
		return nil, err
	}
	ends, err := eventTime("event.ends_at", e.EndsAt)
	if err != nil {
		return nil, err
	}
	out := &content.Event{StartsAt: starts, EndsAt: ends, TimeZone: e.TimeZone, AllDay: e.AllDay,
		Location: content.Location{Name: e.Location.Name, Address: e.Location.Address}, OnlineURL: e.OnlineURL,
		RegistrationURL: e.RegistrationURL, Status: content.EventStatus(e.Status)}
	if err := out.Validate(); err != nil {
		return nil, err
	}
	return out, nil
}

func eventTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, content.FieldError(field, "an event needs its start and end times (RFC 3339, e.g. 2026-03-01T18:00:00+01:00)")
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, content.FieldError(field, "%q is not an RFC 3339 time such as 2026-03-01T18:00:00+01:00", s)
	}
	return t.UTC().Truncate(time.Second), nil
}

// book reads a book's details, naming the field at fault.
func (b *Book) book() (*content.Book, error) {
	out := &content.Book{Subtitle: b.Subtitle, Authors: b.Authors, ISBN: b.ISBN, Publisher: b.Publisher,
		PublishedOn: b.PublishedOn, Pages: b.Pages, CoverID: b.Cover}
	for _, l := range b.BuyLinks {
		out.BuyLinks = append(out.BuyLinks, content.BuyLink(l))
	}
	if err := out.Validate(); err != nil {
		return nil, err
	}
	return out, nil
}
