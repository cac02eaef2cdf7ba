package export

import (
	"encoding/json"
	"strconv"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/wordpress"
)

// wpEventStatuses are The Events Calendar's names of events' statuses.
var wpEventStatuses = map[content.EventStatus]string{
	content.EventScheduled: "scheduled", content.EventCancelled: "canceled",
	content.EventPostponed: "postponed", content.EventMovedOnline: "moved-online",
}

// eventItem writes an event as The Events Calendar's tribe_events item
// (its times, zone, status and links as the plugin's meta), and returns
// the tribe_venue item of its place, numbered venueID, to be written
// before it; nil when it has no place. A book becomes a broadsheet_book
// item with its details as JSON.
func detailsItem(p *content.Post, it *wordpress.Item, venueID int64) (venue *wordpress.Item) {
	meta := func(key, value string) { it.Meta = append(it.Meta, wordpress.Meta{Key: key, Value: value}) }
	switch {
	case p.Kind == content.KindEvent && p.Event != nil:
		e := p.Event
		it.PostType = wordpress.PostTypeEvent
		zone := e.Zone()
		start, end := e.StartsAt.In(zone), e.EndsAt.In(zone)
		if e.AllDay {
			end = end.Add(-1e9) // the plugin ends a day at 23:59:59
		}
		meta(wordpress.MetaEventStart, start.Format(wordpress.EventTime))
		meta(wordpress.MetaEventEnd, end.Format(wordpress.EventTime))
		meta(wordpress.MetaEventStartUTC, start.UTC().Format(wordpress.EventTime))
		meta(wordpress.MetaEventEndUTC, end.UTC().Format(wordpress.EventTime))
		meta(wordpress.MetaEventTimezone, firstNonEmpty(e.TimeZone, "UTC"))
		meta(wordpress.MetaEventTimezoneAbbr, start.Format("MST"))
		meta(wordpress.MetaEventDuration, strconv.FormatInt(int64(e.EndsAt.Sub(e.StartsAt).Seconds()), 10))
		if e.AllDay {
			meta(wordpress.MetaEventAllDay, "yes")
		}
		meta(wordpress.MetaEventStatus, wpEventStatuses[e.Status])
		if e.OnlineURL != "" {
			meta(wordpress.MetaEventVirtualURL, e.OnlineURL)
		}
		if e.RegistrationURL != "" {
			meta(wordpress.MetaEventURL, e.RegistrationURL)
		}
		if !e.Location.IsZero() {
			meta(wordpress.MetaEventVenueID, strconv.FormatInt(venueID, 10))
			meta(wordpress.MetaEventLocation, e.Location.Name)
			venue = &wordpress.Item{Title: firstNonEmpty(e.Location.Name, e.Location.Address), PostID: venueID,
				PostType: wordpress.PostTypeVenue, Status: "publish", PostName: "venue-" + strconv.FormatInt(venueID, 10),
				GUID: it.GUID + "#venue", PostDate: it.PostDate, PostDateGMT: it.PostDateGMT, Creator: it.Creator,
				Meta: []wordpress.Meta{{Key: wordpress.MetaVenueAddress, Value: e.Location.Address}}}
		}
	case p.Kind == content.KindBook && p.Book != nil:
		b := p.Book
		it.PostType = wordpress.PostTypeBook
		type link struct {
			Label string `json:"label"`
			URL   string `json:"url"`
		}
		d := struct {
			Subtitle    string   `json:"subtitle,omitempty"`
			Authors     []string `json:"authors,omitempty"`
			ISBN        string   `json:"isbn,omitempty"`
			Publisher   string   `json:"publisher,omitempty"`
			PublishedOn string   `json:"published_on,omitempty"`
			Pages       int      `json:"pages,omitempty"`
			BuyLinks    []link   `json:"buy_links,omitempty"`
		}{b.Subtitle, b.Authors, b.ISBN, b.Publisher, b.PublishedOn, b.Pages, nil}
		for _, l := range b.BuyLinks {
			d.BuyLinks = append(d.BuyLinks, link(l))
		}
		buf, _ := json.Marshal(d) // strings and numbers only
		meta(wordpress.MetaBook, string(buf))
	}
	return venue
}
