package wxr

import (
	"encoding/json"
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/wordpress"
)

func init() {
	// The Events Calendar's meta that the import reads, or that says
	// nothing a reader sees.
	for _, k := range []string{wordpress.MetaEventStart, wordpress.MetaEventEnd, wordpress.MetaEventStartUTC,
		wordpress.MetaEventEndUTC, wordpress.MetaEventTimezone, wordpress.MetaEventTimezoneAbbr, wordpress.MetaEventAllDay,
		wordpress.MetaEventDuration, wordpress.MetaEventVenueID, wordpress.MetaEventURL, wordpress.MetaEventStatus,
		wordpress.MetaEventVirtualURL, wordpress.MetaVenueAddress, wordpress.MetaVenueCity, wordpress.MetaVenueState,
		wordpress.MetaVenueProvince, wordpress.MetaVenueZip, wordpress.MetaVenueCountry, wordpress.MetaEventLocation,
		wordpress.MetaEventRegistration, wordpress.MetaBook, "_EventOrigin", "_EventShowMap", "_EventShowMapLink",
		"_VenueOrigin", "_VenueShowMap", "_VenueShowMapLink", "_VenueState", "_VenuePhone", "_VenueURL"} {
		quietMeta[k] = true
	}
}

// kindOf is the kind of entry a WordPress post type imports as.
func kindOf(postType string) content.Kind {
	switch postType {
	case wordpress.PostTypeEvent:
		return content.KindEvent
	case wordpress.PostTypeBook:
		return content.KindBook
	}
	return content.Kind(postType)
}

// venue remembers a venue of The Events Calendar, for the events after
// it in the export that name it.
func (imp *importer) venue(it *wordpress.Item) {
	if imp.venues == nil {
		imp.venues = map[int64]content.Location{}
	}
	state := firstNonEmpty(it.MetaValue(wordpress.MetaVenueState), it.MetaValue(wordpress.MetaVenueProvince), it.MetaValue("_VenueState"))
	var parts []string
	for _, s := range []string{it.MetaValue(wordpress.MetaVenueAddress),
		strings.TrimSpace(it.MetaValue(wordpress.MetaVenueZip) + " " + it.MetaValue(wordpress.MetaVenueCity)),
		state, it.MetaValue(wordpress.MetaVenueCountry)} {
		if s = strings.TrimSpace(html.UnescapeString(s)); s != "" {
			parts = append(parts, s)
		}
	}
	imp.venues[it.PostID] = content.Location{Name: strings.TrimSpace(html.UnescapeString(it.Title)), Address: strings.Join(parts, ", ")}
}

// details reads an event's time, zone, venue and status, or a book's
// details, from the item's meta into p; an error says why the item is
// not imported.
func (imp *importer) details(it *wordpress.Item, p *content.Post) error {
	switch p.Kind {
	case content.KindEvent:
		e, err := imp.eventOf(it)
		if err != nil {
			return err
		}
		p.Event = e
	case content.KindBook:
		b := &content.Book{}
		if s := it.MetaValue(wordpress.MetaBook); s != "" {
			var d struct {
				Subtitle    string   `json:"subtitle"`
				Authors     []string `json:"authors"`
				ISBN        string   `json:"isbn"`
				Publisher   string   `json:"publisher"`
				PublishedOn string   `json:"published_on"`
				Pages       int      `json:"pages"`
				BuyLinks    []struct {
					Label string `json:"label"`
					URL   string `json:"url"`
				} `json:"buy_links"`
			}
			if err := json.Unmarshal([]byte(s), &d); err != nil {
				return fmt.Errorf("the book's details (%s) are not JSON: %v", wordpress.MetaBook, err)
			}
			b = &content.Book{Subtitle: d.Subtitle, Authors: d.Authors, ISBN: d.ISBN, Publisher: d.Publisher,
				PublishedOn: d.PublishedOn, Pages: d.Pages}
			for _, l := range d.BuyLinks {
				b.BuyLinks = append(b.BuyLinks, content.BuyLink{Label: l.Label, URL: l.URL})
			}
		}
		if err := b.Validate(); err != nil {
			return fmt.Errorf("the book's details: %s", content.ErrorMessage(err))
		}
		p.Book = b
	}
	return nil
}

var eventStatuses = map[string]content.EventStatus{
	"": content.EventScheduled, "scheduled": content.EventScheduled, "canceled": content.EventCancelled,
	"cancelled": content.EventCancelled, "postponed": content.EventPostponed, "moved-online": content.EventMovedOnline,
}

func (imp *importer) eventOf(it *wordpress.Item) (*content.Event, error) {
	meta := func(k string) string { return strings.TrimSpace(it.MetaValue(k)) }
	e := &content.Event{AllDay: strings.EqualFold(meta(wordpress.MetaEventAllDay), "yes"),
		OnlineURL: meta(wordpress.MetaEventVirtualURL), RegistrationURL: meta(wordpress.MetaEventURL)}
	zone := meta(wordpress.MetaEventTimezone)
	at := func(local, utc string) (time.Time, error) {
		if zone != "" && zone != "UTC" && content.ValidateTimeZone(zone) == nil {
			loc, _ := time.LoadLocation(zone)
			if s := meta(local); s != "" {
				t, err := time.ParseInLocation(wordpress.EventTime, s, loc)
				if err != nil {
					return time.Time{}, fmt.Errorf("unreadable %s %q", local, s)
				}
				return t.UTC(), nil
			}
		}
		// A fixed offset ("UTC+2") or no zone: the UTC time, else the
		// local one read as UTC.
		for _, k := range []string{utc, local} {
			if s := meta(k); s != "" {
				t, err := time.Parse(wordpress.EventTime, s)
				if err != nil {
					return time.Time{}, fmt.Errorf("unreadable %s %q", k, s)
				}
				return t, nil
			}
		}
		return time.Time{}, fmt.Errorf("an event without %s", local)
	}
	var err error
	if e.StartsAt, err = at(wordpress.MetaEventStart, wordpress.MetaEventStartUTC); err != nil {
		return nil, err
	}
	if e.EndsAt, err = at(wordpress.MetaEventEnd, wordpress.MetaEventEndUTC); err != nil {
		return nil, err
	}
	if zone != "" && zone != "UTC" {
		if content.ValidateTimeZone(zone) == nil {
			e.TimeZone = zone
		} else {
			imp.changed(it, "the event's time zone %q is not an IANA zone: its times are kept in UTC", zone)
		}
	}
	if e.AllDay && e.EndsAt.Second() == 59 {
		e.EndsAt = e.EndsAt.Add(time.Second) // the plugin ends a day at 23:59:59
	}
	status, ok := eventStatuses[meta(wordpress.MetaEventStatus)]
	if !ok {
		imp.changed(it, "unknown event status %q: kept as scheduled", meta(wordpress.MetaEventStatus))
		status = content.EventScheduled
	}
	e.Status = status
	if s := meta(wordpress.MetaEventVenueID); s != "" && s != "0" {
		id, _ := strconv.ParseInt(s, 10, 64)
		if v, ok := imp.venues[id]; ok {
			e.Location = v
		} else {
			imp.changed(it, "venue %s is not in the export before the event: the event has no place", s)
		}
	}
	if name := meta(wordpress.MetaEventLocation); name != "" {
		e.Location.Name = html.UnescapeString(name)
	}
	if reg := meta(wordpress.MetaEventRegistration); reg != "" {
		e.RegistrationURL = reg
	}
	if e.OnlineURL != "" && content.ValidateHTTPURL(e.OnlineURL) != nil {
		imp.changed(it, "the event's online link %q is not an http(s) address: left out", e.OnlineURL)
		e.OnlineURL = ""
	}
	if e.RegistrationURL != "" && content.ValidateHTTPURL(e.RegistrationURL) != nil {
		imp.changed(it, "the event's link %q is not an http(s) address: left out", e.RegistrationURL)
		e.RegistrationURL = ""
	}
	if err := e.Validate(); err != nil {
		return nil, fmt.Errorf("the event's time: %s", content.ErrorMessage(err))
	}
	return e, nil
}

// sameDetails reports whether a and b have the same event or book details.
func sameDetails(a, b *content.Post) bool {
	if (a.Event == nil) != (b.Event == nil) || (a.Book == nil) != (b.Book == nil) {
		return false
	}
	if a.Event != nil && (a.Event.Changed(b.Event) || a.Event.RegistrationURL != b.Event.RegistrationURL) {
		return false
	}
	if x, y := a.Book, b.Book; x != nil {
		if x.Subtitle != y.Subtitle || x.ISBN != y.ISBN || x.Publisher != y.Publisher || x.PublishedOn != y.PublishedOn ||
			x.Pages != y.Pages || x.CoverID != y.CoverID || !slices.Equal(x.Authors, y.Authors) || !slices.Equal(x.BuyLinks, y.BuyLinks) {
			return false
		}
	}
	return true
}
