package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/readcache"
)

// eventJSON and bookJSON are how an entry's details are kept in the
// details column: the Admin API's field names, times in RFC 3339 (UTC).
type eventJSON struct {
	StartsAt        time.Time `json:"starts_at"`
	EndsAt          time.Time `json:"ends_at"`
	TimeZone        string    `json:"time_zone,omitempty"`
	AllDay          bool      `json:"all_day,omitempty"`
	LocationName    string    `json:"location_name,omitempty"`
	LocationAddress string    `json:"location_address,omitempty"`
	OnlineURL       string    `json:"online_url,omitempty"`
	RegistrationURL string    `json:"registration_url,omitempty"`
	Status          string    `json:"status,omitempty"`
	Sequence        int       `json:"sequence,omitempty"`
}

type buyLinkJSON struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

type bookJSON struct {
	Subtitle    string        `json:"subtitle,omitempty"`
	Authors     []string      `json:"authors,omitempty"`
	ISBN        string        `json:"isbn,omitempty"`
	Publisher   string        `json:"publisher,omitempty"`
	PublishedOn string        `json:"published_on,omitempty"`
	Pages       int           `json:"pages,omitempty"`
	Cover       int64         `json:"cover,omitempty"`
	BuyLinks    []buyLinkJSON `json:"buy_links,omitempty"`
}

type detailsJSON struct {
	Event *eventJSON `json:"event,omitempty"`
	Book  *bookJSON  `json:"book,omitempty"`
}

// encodeDetails returns what the details, event_starts_at and
// event_ends_at columns hold for p.
func encodeDetails(p *content.Post) (details string, starts, ends any, err error) {
	var d detailsJSON
	if e := p.Event; e != nil {
		d.Event = &eventJSON{StartsAt: e.StartsAt.UTC(), EndsAt: e.EndsAt.UTC(), TimeZone: e.TimeZone, AllDay: e.AllDay,
			LocationName: e.Location.Name, LocationAddress: e.Location.Address, OnlineURL: e.OnlineURL,
			RegistrationURL: e.RegistrationURL, Status: string(e.Status), Sequence: e.Sequence}
		starts, ends = e.StartsAt.Unix(), e.EndsAt.Unix()
	}
	if b := p.Book; b != nil {
		d.Book = &bookJSON{Subtitle: b.Subtitle, Authors: b.Authors, ISBN: b.ISBN, Publisher: b.Publisher,
			PublishedOn: b.PublishedOn, Pages: b.Pages, Cover: b.CoverID}
		for _, l := range b.BuyLinks {
			d.Book.BuyLinks = append(d.Book.BuyLinks, buyLinkJSON(l))
		}
	}
	if d.Event == nil && d.Book == nil {
		return "", nil, nil, nil
	}
	buf, err := json.Marshal(d)
	if err != nil {
		return "", nil, nil, fmt.Errorf("store: encode details of %q: %w", p.Slug, err)
	}
	return string(buf), starts, ends, nil
}

// decodeDetails fills p's event or book from the details column.
func decodeDetails(p *content.Post, details string) error {
	if details == "" {
		return nil
	}
	var d detailsJSON
	if err := json.Unmarshal([]byte(details), &d); err != nil {
		return fmt.Errorf("store: details of post %d: %w", p.ID, err)
	}
	if e := d.Event; e != nil {
		p.Event = &content.Event{StartsAt: e.StartsAt.UTC(), EndsAt: e.EndsAt.UTC(), TimeZone: e.TimeZone, AllDay: e.AllDay,
			Location: content.Location{Name: e.LocationName, Address: e.LocationAddress}, OnlineURL: e.OnlineURL,
			RegistrationURL: e.RegistrationURL, Status: content.EventStatus(e.Status), Sequence: e.Sequence}
		if p.Event.Status == "" {
			p.Event.Status = content.EventScheduled
		}
	}
	if b := d.Book; b != nil {
		p.Book = &content.Book{Subtitle: b.Subtitle, Authors: b.Authors, ISBN: b.ISBN, Publisher: b.Publisher,
			PublishedOn: b.PublishedOn, Pages: b.Pages, CoverID: b.Cover}
		for _, l := range b.BuyLinks {
			p.Book.BuyLinks = append(p.Book.BuyLinks, content.BuyLink(l))
		}
	}
	return nil
}

// EventFilter selects the public events of a listing.
type EventFilter struct {
	Now time.Time
	// Past lists the events ended at Now, latest first; otherwise those
	// not yet ended, soonest first.
	Past   bool
	Offset int
	Limit  int // 0 means no limit
}

// eventsPage is a page of events with the number of all the filter selects.
type eventsPage struct {
	posts []*content.Post
	total int
}

func (p eventsPage) clone() eventsPage { return eventsPage{clonePosts(p.posts), p.total} }

// FindEvents returns one page of the published events f selects, with
// their authors and terms, and the number of all it selects. While the
// process hears every change, a page is remembered until the next change,
// or until an event ends or an entry dated later becomes public.
func (c conn) FindEvents(ctx context.Context, f EventFilter) ([]*content.Post, int, error) {
	key := fmt.Sprintf("%t@%d+%d", f.Past, f.Offset, f.Limit)
	page, err := forSpan(ctx, c, func(m *caches) *readcache.Map[string, eventsPage] { return m.events }, key, f.Now,
		func(now time.Time) (eventsPage, error) {
			f.Now = now
			posts, total, err := c.findEvents(ctx, f)
			return eventsPage{posts, total}, err
		})
	return page.posts, page.total, err
}

func (c conn) findEvents(ctx context.Context, f EventFilter) ([]*content.Post, int, error) {
	now := f.Now.Unix()
	where := `p.kind = 'event' AND p.status = ? AND p.published_at <= ? AND p.event_ends_at > ?`
	order := ` ORDER BY p.event_starts_at, p.id`
	if f.Past {
		where = `p.kind = 'event' AND p.status = ? AND p.published_at <= ? AND p.event_ends_at <= ?`
		order = ` ORDER BY p.event_starts_at DESC, p.id DESC`
	}
	args := []any{content.StatusPublished, now, now}
	q := `SELECT ` + postColumns + `, '', '' FROM posts p WHERE ` + where + order
	if f.Limit > 0 {
		q += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: find events: %w", err)
	}
	var posts []*content.Post
	for rows.Next() {
		var body, bodyHTML string
		p, err := scanPost(rows, &body, &bodyHTML)
		if err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("store: scan event: %w", err)
		}
		posts = append(posts, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: find events: %w", err)
	}
	total := len(posts) + f.Offset
	if f.Limit > 0 && (len(posts) == f.Limit || (len(posts) == 0 && f.Offset > 0)) {
		err := c.queryRow(ctx, `SELECT COUNT(*) FROM posts p WHERE `+where, args[:3]...).Scan(&total)
		if err != nil && err != sql.ErrNoRows {
			return nil, 0, fmt.Errorf("store: count events: %w", err)
		}
	}
	if err := c.loadRelations(ctx, posts); err != nil {
		return nil, 0, err
	}
	return posts, total, nil
}
