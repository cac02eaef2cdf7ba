package site

import (
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

// schema.org's Event, Place, VirtualLocation and Book, as search engines
// read them for event and book results.
type eventSchemaLD struct {
	Context             string         `json:"@context"`
	Type                string         `json:"@type"`
	Name                string         `json:"name"`
	Description         string         `json:"description,omitempty"`
	URL                 string         `json:"url"`
	Image               string         `json:"image,omitempty"`
	StartDate           string         `json:"startDate"`
	EndDate             string         `json:"endDate"`
	EventStatus         string         `json:"eventStatus"`
	EventAttendanceMode string         `json:"eventAttendanceMode"`
	Location            []any          `json:"location,omitempty"`
	Organizer           organizationLD `json:"organizer"`
	Offers              *offerLD       `json:"offers,omitempty"`
}

type placeLD struct {
	Type    string `json:"@type"`
	Name    string `json:"name,omitempty"`
	Address string `json:"address,omitempty"`
}

type virtualLocationLD struct {
	Type string `json:"@type"`
	URL  string `json:"url"`
}

type offerLD struct {
	Type string `json:"@type"`
	URL  string `json:"url"`
}

type personLD struct {
	Type string `json:"@type"`
	Name string `json:"name"`
}

type bookSchemaLD struct {
	Context       string     `json:"@context"`
	Type          string     `json:"@type"`
	Name          string     `json:"name"`
	Alternative   string     `json:"alternativeHeadline,omitempty"`
	Description   string     `json:"description,omitempty"`
	URL           string     `json:"url"`
	Image         string     `json:"image,omitempty"`
	Author        []personLD `json:"author,omitempty"`
	ISBN          string     `json:"isbn,omitempty"`
	Publisher     *placeLD   `json:"publisher,omitempty"`
	DatePublished string     `json:"datePublished,omitempty"`
	NumberOfPages int        `json:"numberOfPages,omitempty"`
	Offers        []offerLD  `json:"offers,omitempty"`
}

var eventStatusLD = map[content.EventStatus]string{
	content.EventScheduled:   "https://schema.org/EventScheduled",
	content.EventCancelled:   "https://schema.org/EventCancelled",
	content.EventPostponed:   "https://schema.org/EventPostponed",
	content.EventMovedOnline: "https://schema.org/EventMovedOnline",
}

func eventLD(base string, set content.Settings, p *content.Post, url, image, description string) *eventSchemaLD {
	e := p.Event
	zone := e.Zone()
	start, end := e.StartsAt.In(zone).Format(time.RFC3339), e.EndsAt.In(zone).Format(time.RFC3339)
	if e.AllDay {
		start, end = e.StartsAt.In(zone).Format(time.DateOnly), e.EndsAt.In(zone).Format(time.DateOnly)
	}
	status := eventStatusLD[e.Status]
	if status == "" {
		status = eventStatusLD[content.EventScheduled]
	}
	out := &eventSchemaLD{Context: "https://schema.org", Type: "Event", Name: p.Title, Description: description, URL: url,
		Image: image, StartDate: start, EndDate: end, EventStatus: status, Organizer: organization(base, set)}
	inPerson, online := e.InPerson(), e.Online() && e.OnlineURL != ""
	switch {
	case inPerson && online:
		out.EventAttendanceMode = "https://schema.org/MixedEventAttendanceMode"
	case online || e.Status == content.EventMovedOnline:
		out.EventAttendanceMode = "https://schema.org/OnlineEventAttendanceMode"
	default:
		out.EventAttendanceMode = "https://schema.org/OfflineEventAttendanceMode"
	}
	if inPerson {
		out.Location = append(out.Location, placeLD{Type: "Place", Name: e.Location.Name, Address: e.Location.Address})
	}
	if e.OnlineURL != "" {
		out.Location = append(out.Location, virtualLocationLD{Type: "VirtualLocation", URL: e.OnlineURL})
	}
	if e.RegistrationURL != "" {
		out.Offers = &offerLD{Type: "Offer", URL: e.RegistrationURL}
	}
	return out
}

func bookLD(base string, set content.Settings, p *content.Post, url, image, description string) *bookSchemaLD {
	b := p.Book
	out := &bookSchemaLD{Context: "https://schema.org", Type: "Book", Name: p.Title, Alternative: b.Subtitle,
		Description: description, URL: url, Image: image, ISBN: b.ISBN, DatePublished: b.PublishedOn, NumberOfPages: b.Pages}
	for _, a := range b.Authors {
		out.Author = append(out.Author, personLD{Type: "Person", Name: a})
	}
	if b.Publisher != "" {
		out.Publisher = &placeLD{Type: "Organization", Name: b.Publisher}
	}
	for _, l := range b.BuyLinks {
		out.Offers = append(out.Offers, offerLD{Type: "Offer", URL: l.URL})
	}
	return out
}
