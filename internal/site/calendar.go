package site

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
	"github.com/broadsheet/broadsheet/internal/web/cache"
)

// calendarType is iCalendar's media type (RFC 5545).
const calendarType = "text/calendar; charset=utf-8"

// calendarPast is how many past events /events.ics keeps, besides every
// upcoming one, so a calendar subscribed to it keeps the recent ones.
const calendarPast = 50

// calendarFeed serves /events.ics: every upcoming event and the latest
// past ones, for calendars to subscribe to.
func (s *Site) calendarFeed(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	now := s.cfg.Now()
	upcoming, _, err := s.cfg.DB.FindEvents(ctx, store.EventFilter{Now: now})
	if err != nil {
		return err
	}
	past, _, err := s.cfg.DB.FindEvents(ctx, store.EventFilter{Now: now, Past: true, Limit: calendarPast})
	if err != nil {
		return err
	}
	cache.Depend(ctx, eventsTag)
	set, err := s.settings(ctx)
	if err != nil {
		return err
	}
	return s.writeCalendar(w, r, set.Title, append(upcoming, past...))
}

// eventCalendar serves /events/slug.ics, one event to add to a calendar.
func (s *Site) eventCalendar(w http.ResponseWriter, r *http.Request, slug string) error {
	ctx := r.Context()
	p, err := s.cfg.DB.FindPostBySlug(ctx, content.KindEvent, slug)
	if err != nil {
		return err
	}
	if !p.IsPublic(s.cfg.Now()) || p.Event == nil {
		return web.NotFound
	}
	cache.Depend(ctx, cache.PageTag(p.ID), eventsTag)
	set, err := s.settings(ctx)
	if err != nil {
		return err
	}
	return s.writeCalendar(w, r, set.Title, []*content.Post{p})
}

func (s *Site) writeCalendar(w http.ResponseWriter, r *http.Request, title string, events []*content.Post) error {
	cal := newCalendar(s.baseURL(r), title, events, s.cfg.Now())
	w.Header().Set("Content-Type", calendarType)
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	return cal.SerializeTo(w)
}

// newCalendar is the iCalendar of events: each a VEVENT with a UID that
// stays the event's whatever its title or address (its ID and the site's
// host), a SEQUENCE counting the changes of its time, place or status,
// STATUS:CANCELLED when cancelled, and its times in its own zone, whose
// VTIMEZONE (with the zone's offsets over the years the events cover)
// the calendar carries.
func newCalendar(base, title string, events []*content.Post, now time.Time) *ics.Calendar {
	cal := ics.NewCalendar()
	cal.SetProductId("-//Broadsheet//Broadsheet//EN")
	cal.SetMethod(ics.MethodPublish)
	cal.SetName(title)
	cal.SetXWRCalName(title)
	cal.SetCalscale("GREGORIAN")
	host := strings.TrimPrefix(strings.TrimPrefix(base, "https://"), "http://")
	zones := map[string][2]int{} // years each zone must describe
	for _, p := range events {
		e := p.Event
		if e == nil {
			continue
		}
		ev := cal.AddEvent(eventUID(p.ID, host))
		ev.SetDtStampTime(later(p.PublishedAt, p.UpdatedAt))
		ev.SetModifiedAt(p.UpdatedAt)
		ev.SetSequence(e.Sequence)
		ev.SetSummary(p.Title)
		ev.SetURL(base + p.Path())
		if text := summaryText(p, 1000); text != "" {
			ev.SetDescription(truncate(text, 1000))
		}
		zone := e.Zone()
		start, end := e.StartsAt.In(zone), e.EndsAt.In(zone)
		switch {
		case e.AllDay:
			ev.SetAllDayStartAt(start)
			// DTEND of a day is exclusive: the day after the last one.
			last := end
			if end.After(start) && end.Hour() == 0 && end.Minute() == 0 && end.Second() == 0 {
				last = end.Add(-time.Second)
			}
			y, m, d := last.Date()
			ev.SetAllDayEndAt(time.Date(y, m, d+1, 0, 0, 0, 0, zone))
		case e.TimeZone == "" || e.TimeZone == "UTC":
			ev.SetStartAt(start)
			ev.SetEndAt(end)
		default:
			ev.SetProperty(ics.ComponentPropertyDtStart, start.Format("20060102T150405"), ics.WithTZID(e.TimeZone))
			ev.SetProperty(ics.ComponentPropertyDtEnd, end.Format("20060102T150405"), ics.WithTZID(e.TimeZone))
			span, ok := zones[e.TimeZone]
			if !ok {
				span = [2]int{start.Year(), end.Year()}
			}
			zones[e.TimeZone] = [2]int{min(span[0], start.Year()), max(span[1], end.Year())}
		}
		var where []string
		if e.InPerson() {
			where = append(where, strings.TrimSpace(strings.Join(nonEmpty(e.Location.Name, e.Location.Address), ", ")))
		}
		if e.OnlineURL != "" {
			where = append(where, e.OnlineURL)
		}
		if len(where) > 0 {
			ev.SetLocation(strings.Join(where, " · "))
		}
		switch e.Status {
		case content.EventCancelled:
			ev.SetStatus(ics.ObjectStatusCancelled)
		case content.EventPostponed:
			ev.SetStatus(ics.ObjectStatusTentative)
		default:
			ev.SetStatus(ics.ObjectStatusConfirmed)
		}
	}
	names := make([]string, 0, len(zones))
	for name := range zones {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		addTimezone(cal, name, zones[name][0], zones[name][1])
	}
	return cal
}

// eventUID names an event for calendars for good: its ID on this site.
func eventUID(id int64, host string) string {
	return "event-" + strconv.FormatInt(id, 10) + "@" + host
}

// addTimezone describes the zone name over the years from first to last
// as a VTIMEZONE: one STANDARD or DAYLIGHT part for each of its periods
// (RFC 5545 §3.6.5), read from the system's zone database.
func addTimezone(cal *ics.Calendar, name string, first, last int) {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return
	}
	tz := ics.NewTimezone(name)
	t := time.Date(first, 1, 1, 0, 0, 0, 0, loc)
	end := time.Date(last+1, 1, 1, 0, 0, 0, 0, loc)
	_, prevOffset := t.Add(-time.Hour).Zone()
	for i := 0; i < 200 && t.Before(end); i++ {
		abbr, offset := t.Zone()
		start, next := t.ZoneBounds()
		if start.IsZero() || start.Before(time.Date(first, 1, 1, 0, 0, 0, 0, loc)) {
			start = time.Date(first, 1, 1, 0, 0, 0, 0, loc)
			prevOffset = offset
		}
		base := ics.ComponentBase{}
		// DTSTART is the local time, in the offset before the change.
		base.SetProperty(ics.ComponentPropertyDtStart, start.UTC().Add(time.Duration(prevOffset)*time.Second).Format("20060102T150405"))
		base.SetProperty(ics.ComponentProperty("TZOFFSETFROM"), utcOffset(prevOffset))
		base.SetProperty(ics.ComponentProperty("TZOFFSETTO"), utcOffset(offset))
		base.SetProperty(ics.ComponentProperty("TZNAME"), abbr)
		if t.IsDST() {
			tz.Components = append(tz.Components, &ics.Daylight{ComponentBase: base})
		} else {
			tz.Components = append(tz.Components, &ics.Standard{ComponentBase: base})
		}
		if next.IsZero() {
			break
		}
		prevOffset, t = offset, next
	}
	cal.AddVTimezone(tz)
}

// utcOffset writes an offset in seconds as iCalendar's UTC-OFFSET: +0100.
func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	h, m, s := sec/3600, sec%3600/60, sec%60
	out := sign + two(h) + two(m)
	if s != 0 {
		out += two(s)
	}
	return out
}

func two(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
