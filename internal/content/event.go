package content

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Kinds of entry beyond posts and pages: a dated event (a seminar, a
// launch) and a book, each with its own details and its own addresses.
const (
	KindEvent Kind = "event"
	KindBook  Kind = "book"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	switch k {
	case KindPost, KindPage, KindEvent, KindBook:
		return true
	}
	return false
}

// EventStatus tells whether an event takes place as announced.
type EventStatus string

// Event statuses, as schema.org's eventStatus and iCalendar's STATUS name them.
const (
	EventScheduled   EventStatus = "scheduled"
	EventCancelled   EventStatus = "cancelled"
	EventPostponed   EventStatus = "postponed"
	EventMovedOnline EventStatus = "moved_online"
)

// Valid reports whether s is a known event status.
func (s EventStatus) Valid() bool {
	switch s {
	case EventScheduled, EventCancelled, EventPostponed, EventMovedOnline:
		return true
	}
	return false
}

// Location is where an event takes place in person.
type Location struct {
	Name    string
	Address string
}

// IsZero reports whether no place is named.
func (l Location) IsZero() bool { return l.Name == "" && l.Address == "" }

// Event holds what an event entry adds to a post: when and where it takes place.
type Event struct {
	StartsAt time.Time // UTC
	EndsAt   time.Time // UTC; after StartsAt
	// TimeZone is the IANA zone the event is held in, in which its page
	// shows its times; "" for UTC.
	TimeZone string
	// AllDay events show their dates alone (from StartsAt's day to
	// EndsAt's, in the event's zone).
	AllDay          bool
	Location        Location
	OnlineURL       string
	RegistrationURL string
	Status          EventStatus
	// Sequence counts the changes of the event's time, place or status,
	// so calendars that added it take the latest (iCalendar SEQUENCE).
	Sequence int
}

// Zone returns the event's time zone, UTC when none or unknown.
func (e *Event) Zone() *time.Location {
	if e.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(e.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Ended reports whether the event is over at now.
func (e *Event) Ended(now time.Time) bool { return !e.EndsAt.After(now) }

// Online reports whether the event can be attended online.
func (e *Event) Online() bool { return e.OnlineURL != "" || e.Status == EventMovedOnline }

// InPerson reports whether the event has a place to go to.
func (e *Event) InPerson() bool { return !e.Location.IsZero() && e.Status != EventMovedOnline }

// Changed reports whether o differs from e in what a calendar shows:
// time, place, link or status.
func (e *Event) Changed(o *Event) bool {
	return !e.StartsAt.Equal(o.StartsAt) || !e.EndsAt.Equal(o.EndsAt) || e.TimeZone != o.TimeZone ||
		e.AllDay != o.AllDay || e.Location != o.Location || e.OnlineURL != o.OnlineURL || e.Status != o.Status
}

// Validate checks the event's fields, naming the first at fault as
// event.<field>.
func (e *Event) Validate() error {
	if err := storableTexts("event.time_zone", e.TimeZone, "event.location.name", e.Location.Name,
		"event.location.address", e.Location.Address, "event.online_url", e.OnlineURL,
		"event.registration_url", e.RegistrationURL); err != nil {
		return err
	}
	if e.StartsAt.IsZero() {
		return FieldError("event.starts_at", "an event needs its start time (RFC 3339, e.g. 2026-03-01T18:00:00+01:00)")
	}
	if e.EndsAt.IsZero() {
		return FieldError("event.ends_at", "an event needs its end time (RFC 3339, e.g. 2026-03-01T20:00:00+01:00)")
	}
	if e.EndsAt.Before(e.StartsAt) {
		return FieldError("event.ends_at", "the event ends (%s) before it starts (%s)",
			e.EndsAt.UTC().Format(time.RFC3339), e.StartsAt.UTC().Format(time.RFC3339))
	}
	if e.TimeZone != "" {
		if err := ValidateTimeZone(e.TimeZone); err != nil {
			return FieldError("event.time_zone", "%s", err.Error())
		}
	}
	if e.Status != "" && !e.Status.Valid() {
		return FieldError("event.status", "unknown event status %q: use scheduled, cancelled, postponed or moved_online", e.Status)
	}
	for _, u := range []struct{ field, url string }{{"event.online_url", e.OnlineURL}, {"event.registration_url", e.RegistrationURL}} {
		if u.url != "" {
			if err := ValidateHTTPURL(u.url); err != nil {
				return FieldError(u.field, "%s", err.Error())
			}
		}
	}
	if utf8.RuneCountInString(e.Location.Name) > MaxTitleLen || utf8.RuneCountInString(e.Location.Address) > MaxTitleLen {
		return FieldError("event.location", "the place's name and address may be at most %d characters each", MaxTitleLen)
	}
	return nil
}

// ValidateTimeZone checks that name is an IANA time zone this system knows.
func ValidateTimeZone(name string) error {
	// LoadLocation also reads files by relative path: refuse what is no zone name.
	if name == "Local" || strings.Contains(name, "..") || strings.HasPrefix(name, "/") {
		return Errorf(EInvalid, "%q is not an IANA time zone (e.g. Europe/Paris)", name)
	}
	if _, err := time.LoadLocation(name); err != nil {
		return Errorf(EInvalid, "%q is not an IANA time zone (e.g. Europe/Paris)", name)
	}
	return nil
}

// BuyLink is a place to buy a book.
type BuyLink struct {
	Label string
	URL   string
}

// Book holds what a book entry adds to a post.
type Book struct {
	Subtitle  string
	Authors   []string
	ISBN      string // ISBN-10 or ISBN-13, digits (and a final X) only
	Publisher string
	// PublishedOn is the book's publication date, YYYY-MM-DD; "" when unknown.
	PublishedOn string
	Pages       int
	CoverID     int64 // a media id; 0 for none
	BuyLinks    []BuyLink
}

// MaxBookAuthors and MaxBuyLinks bound a book's lists.
const (
	MaxBookAuthors = 50
	MaxBuyLinks    = 20
)

// Validate checks the book's fields, naming the first at fault as book.<field>.
func (b *Book) Validate() error {
	if err := storableTexts("book.subtitle", b.Subtitle, "book.isbn", b.ISBN, "book.publisher", b.Publisher,
		"book.published_on", b.PublishedOn); err != nil {
		return err
	}
	if utf8.RuneCountInString(b.Subtitle) > MaxTitleLen {
		return FieldError("book.subtitle", "the subtitle is longer than %d characters", MaxTitleLen)
	}
	if len(b.Authors) > MaxBookAuthors {
		return FieldError("book.authors", "a book may name at most %d authors, not %d", MaxBookAuthors, len(b.Authors))
	}
	for _, a := range b.Authors {
		if err := StorableText("book.authors", a); err != nil {
			return err
		}
		if strings.TrimSpace(a) == "" {
			return FieldError("book.authors", "an author's name is empty")
		}
	}
	if b.ISBN != "" {
		if _, err := NormalizeISBN(b.ISBN); err != nil {
			return FieldError("book.isbn", "%s", err.Error())
		}
	}
	if b.PublishedOn != "" {
		if _, err := time.Parse(time.DateOnly, b.PublishedOn); err != nil {
			return FieldError("book.published_on", "%q is not a date (YYYY-MM-DD, e.g. 2026-03-01)", b.PublishedOn)
		}
	}
	if b.Pages < 0 {
		return FieldError("book.pages", "the number of pages cannot be negative (%d)", b.Pages)
	}
	if b.CoverID < 0 {
		return FieldError("book.cover", "%d is not a media id", b.CoverID)
	}
	if len(b.BuyLinks) > MaxBuyLinks {
		return FieldError("book.buy_links", "a book may have at most %d links to buy it, not %d", MaxBuyLinks, len(b.BuyLinks))
	}
	for i, l := range b.BuyLinks {
		if err := storableTexts("book.buy_links", l.Label, "book.buy_links", l.URL); err != nil {
			return err
		}
		if strings.TrimSpace(l.Label) == "" {
			return FieldError("book.buy_links", "link %d has no label (e.g. the bookshop's name)", i+1)
		}
		if err := ValidateHTTPURL(l.URL); err != nil {
			return FieldError("book.buy_links", "link %d: %s", i+1, err.Error())
		}
	}
	return nil
}

// NormalizeISBN returns s as bare digits (a final X for ISBN-10), with
// spaces and hyphens removed, after checking its length and check digit.
func NormalizeISBN(s string) (string, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '-' || r == ' ':
		case r >= '0' && r <= '9', r == 'X' || r == 'x':
			b.WriteRune(r)
		default:
			return "", Errorf(EInvalid, "%q is not an ISBN: it holds %q (an ISBN is 10 or 13 digits, hyphens allowed)", s, r)
		}
	}
	d := strings.ToUpper(b.String())
	switch len(d) {
	case 10:
		sum := 0
		for i := 0; i < 10; i++ {
			v := int(d[i] - '0')
			if d[i] == 'X' {
				if i != 9 {
					return "", Errorf(EInvalid, "%q is not an ISBN: X may only be its last character", s)
				}
				v = 10
			}
			sum += (10 - i) * v
		}
		if sum%11 != 0 {
			return "", Errorf(EInvalid, "%q is not a valid ISBN-10: its check digit is wrong", s)
		}
	case 13:
		if strings.Contains(d, "X") {
			return "", Errorf(EInvalid, "%q is not an ISBN: an ISBN-13 is digits only", s)
		}
		sum := 0
		for i := 0; i < 13; i++ {
			w := 1
			if i%2 == 1 {
				w = 3
			}
			sum += w * int(d[i]-'0')
		}
		if sum%10 != 0 {
			return "", Errorf(EInvalid, "%q is not a valid ISBN-13: its check digit is wrong", s)
		}
	default:
		return "", Errorf(EInvalid, "%q is not an ISBN: it has %d digits, not 10 or 13", s, len(d))
	}
	return d, nil
}
