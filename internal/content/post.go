package content

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Kind tells posts (dated, in the front page and archives) from pages,
// events and books.
type Kind string

// Kinds of entry.
const (
	KindPost Kind = "post"
	KindPage Kind = "page"
)

// Status is where an entry stands in the editorial workflow.
type Status string

// Statuses, in workflow order.
const (
	StatusDraft     Status = "draft"
	StatusPending   Status = "pending"
	StatusScheduled Status = "scheduled"
	StatusPublished Status = "published"
	StatusPrivate   Status = "private"
	StatusTrash     Status = "trash"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusDraft, StatusPending, StatusScheduled, StatusPublished, StatusPrivate, StatusTrash:
		return true
	}
	return false
}

// Format is the language a body is stored in.
type Format string

// Formats: Markdown for what is written in Broadsheet, sanitised HTML for
// what is imported.
const (
	FormatMarkdown Format = "markdown"
	FormatHTML     Format = "html"
)

// MoreMarker separates a post's teaser from the rest, in HTML and Markdown.
const MoreMarker = "<!--more-->"

// Post is a dated article or a page. A republished article carries its
// Source; its Body holds the editorial introduction and the article.
type Post struct {
	ID          int64
	Kind        Kind
	Title       string
	Slug        string
	Status      Status
	PublishedAt time.Time // publication time, UTC
	// PublishedOffset is the offset east of UTC, in seconds, of the
	// site's clock when the post was published (WordPress's post_date
	// beside post_date_gmt): the day in a post's address and the date
	// shown with it are read on that clock, so changing the site's time
	// zone later moves no address. See SetPublished.
	PublishedOffset int
	CreatedAt       time.Time
	// CommentsClosed keeps readers from commenting on it (WordPress's
	// comment_status "closed"); its approved comments are still shown.
	// New pages are closed, new posts open.
	CommentsClosed bool
	UpdatedAt      time.Time

	Format   Format
	Body     string // source text in Format
	Excerpt  string // hand-written excerpt, plain text; empty when none
	BodyHTML string // rendered, sanitised body
	// TeaserHTML is the excerpt, else what precedes the break, else the body.
	TeaserHTML string
	// HasMore is true when the post continues past its teaser.
	HasMore bool

	Authors    []User
	Categories []Term
	Tags       []Term
	Source     *Source
	// OutletID is the source desk's outlet the post was republished from
	// (its archive lists it); 0 for none.
	OutletID int64
	// CanonicalSource, for a republished post, names the original article
	// (Source.URL) as the canonical address instead of the post's own.
	CanonicalSource bool

	// ImportKey identifies the entry in the system it was imported from
	// (for a WordPress export, its guid), so a re-import updates, never duplicates.
	ImportKey string

	// Sticky posts stay at the top of the front page.
	Sticky bool
	// ParentID is a page's parent page; 0 for none.
	ParentID int64
	// MenuOrder orders sibling pages.
	MenuOrder int
	// SEOTitle and SEODescription, when set, replace the title and summary
	// in the page's <title> and description for search engines.
	SEOTitle       string
	SEODescription string

	// Event holds an event's time and place (kind event only).
	Event *Event
	// Book holds a book's details (kind book only).
	Book *Book
	// Password, when set, protects the post as WordPress does: its title
	// is public, its body and teaser only for readers who give it. It is
	// kept as written (an editor shares it), not hashed.
	Password string
}

// MaxPasswordLen bounds a post's password, in bytes (WordPress's limit).
const MaxPasswordLen = 255

// Protected reports whether the post is behind a password.
func (p *Post) Protected() bool { return p.Password != "" }

// Source attributes a republished article to the outlet that first published it.
type Source struct {
	Name        string    // outlet, e.g. "Xinhua"
	URL         string    // the original article
	Author      string    // the original author, if known
	PublishedAt time.Time // the original publication time; zero when unknown
	// Title is the original's headline; empty when unknown.
	Title string
	// Feed is the address of the outlet's feed that carried the original,
	// and FeedTitle that feed's title; empty when it did not come through
	// a feed.
	Feed, FeedTitle string
}

// IsZero reports whether no attribution is recorded.
func (s *Source) IsZero() bool {
	return s == nil || (s.Name == "" && s.URL == "" && s.Author == "" && s.PublishedAt.IsZero() &&
		s.Title == "" && s.Feed == "" && s.FeedTitle == "")
}

// KeepProvenance gives s what was recorded of the same original in old
// and s leaves empty: its headline and the feed that carried it, which
// editors do not type, outlive an edit of the attribution as long as it
// names the same article.
func (s *Source) KeepProvenance(old *Source) {
	if s == nil || old == nil || s.URL == "" || s.URL != old.URL {
		return
	}
	if s.Title == "" {
		s.Title = old.Title
	}
	if s.Feed == "" {
		s.Feed, s.FeedTitle = old.Feed, old.FeedTitle
	}
}

// MaxPublishedOffset bounds PublishedOffset: no time zone is further
// than 14 hours from UTC.
const MaxPublishedOffset = 14 * 60 * 60

// SetPublished sets the post's publication time to t, in whole seconds,
// with the offset the clock of loc showed then.
func (p *Post) SetPublished(t time.Time, loc *time.Location) {
	p.PublishedAt = t.UTC().Truncate(time.Second)
	p.PublishedOffset = 0
	if loc != nil && !t.IsZero() {
		_, p.PublishedOffset = t.In(loc).Zone()
	}
}

// PublishedLocal is the publication time on the site's clock of the day
// the post was published: its date is the one in the post's address.
func (p *Post) PublishedLocal() time.Time {
	if p.PublishedOffset == 0 || p.PublishedAt.IsZero() {
		return p.PublishedAt.UTC()
	}
	return p.PublishedAt.In(time.FixedZone(offsetName(p.PublishedOffset), p.PublishedOffset))
}

// offsetName is the name of a fixed offset as RFC 3339 writes it: +02:00.
func offsetName(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	return fmt.Sprintf("%c%02d:%02d", sign, sec/3600, sec/60%60)
}

// Path is the post's canonical URL path on the site: /yyyy/mm/dd/slug/ for
// posts, the day read on the site's clock when it was published (see
// PublishedOffset); /slug/ for pages.
func (p *Post) Path() string {
	switch p.Kind {
	case KindPage:
		return "/" + url.PathEscape(p.Slug) + "/"
	case KindEvent:
		return "/events/" + url.PathEscape(p.Slug) + "/"
	case KindBook:
		return "/books/" + url.PathEscape(p.Slug) + "/"
	}
	t := p.PublishedAt.Add(time.Duration(p.PublishedOffset) * time.Second).UTC()
	y, m, d := t.Date()
	if y < 0 || y > 9999 {
		return fmt.Sprintf("/%04d/%02d/%02d/%s/", y, m, d, url.PathEscape(p.Slug))
	}
	// By hand rather than with fmt: every page names several posts.
	slug := url.PathEscape(p.Slug)
	b := make([]byte, 0, len("/2006/01/02//")+len(slug))
	b = append(b, '/', byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10),
		'/', byte('0'+int(m)/10), byte('0'+int(m)%10), '/', byte('0'+d/10), byte('0'+d%10), '/')
	b = append(b, slug...)
	b = append(b, '/')
	return string(b)
}

// IsPublic reports whether readers may see the post at time now.
func (p *Post) IsPublic(now time.Time) bool {
	return p.Status == StatusPublished && !p.PublishedAt.After(now)
}

// MaxSlugLen bounds slugs, in characters.
const MaxSlugLen = 200

// MaxTitleLen bounds titles, in characters.
const MaxTitleLen = 1000

// MaxAuthorsPerPost bounds the authors one post names.
const MaxAuthorsPerPost = 50

// Validate checks the post's fields, returning an EInvalid *Error naming the
// first field at fault.
func (p *Post) Validate() error {
	if !p.Kind.Valid() {
		return FieldError("kind", "kind must be %q, %q, %q or %q, not %q", KindPost, KindPage, KindEvent, KindBook, p.Kind)
	}
	if err := p.validateDetails(); err != nil {
		return err
	}
	if !p.Status.Valid() {
		return FieldError("status", "unknown status %q", p.Status)
	}
	if strings.TrimSpace(p.Title) == "" && p.Status != StatusDraft {
		return FieldError("title", "a title is required before the post leaves draft")
	}
	src := p.Source
	if src == nil {
		src = &Source{}
	}
	if err := storableTexts("title", p.Title, "slug", p.Slug, "body", p.Body, "excerpt", p.Excerpt,
		"seo_title", p.SEOTitle, "seo_description", p.SEODescription, "source.name", src.Name,
		"source.url", src.URL, "source.author", src.Author, "source.title", src.Title, "source.feed", src.Feed,
		"source.feed_title", src.FeedTitle, "import_key", p.ImportKey, "password", p.Password); err != nil {
		return err
	}
	if p.PublishedOffset < -MaxPublishedOffset || p.PublishedOffset > MaxPublishedOffset {
		return FieldError("published_offset", "an offset from UTC of %d seconds is more than 14 hours", p.PublishedOffset)
	}
	if len(p.Password) > MaxPasswordLen {
		return FieldError("password", "the password is longer than %d bytes", MaxPasswordLen)
	}
	if err := ValidateTermCount(len(p.Categories), len(p.Tags)); err != nil {
		return err
	}
	for _, list := range []struct {
		field string
		terms []Term
	}{{"categories", p.Categories}, {"tags", p.Tags}} {
		for _, t := range list.terms {
			if err := storableTexts(list.field, t.Name, list.field, t.Slug); err != nil {
				return err
			}
		}
	}
	if len(p.Authors) > MaxAuthorsPerPost {
		return FieldError("authors", "a post may name at most %d authors, not %d", MaxAuthorsPerPost, len(p.Authors))
	}
	if utf8.RuneCountInString(p.Title) > MaxTitleLen {
		return FieldError("title", "the title is longer than %d characters", MaxTitleLen)
	}
	if err := ValidateSlug(p.Slug); err != nil {
		return err
	}
	if p.Format != FormatMarkdown && p.Format != FormatHTML {
		return FieldError("format", "format must be %q or %q, not %q", FormatMarkdown, FormatHTML, p.Format)
	}
	if (p.Status == StatusPublished || p.Status == StatusScheduled) && p.PublishedAt.IsZero() {
		return FieldError("published_at", "a publication time is required")
	}
	if p.Source != nil && p.Source.URL != "" {
		if err := ValidateHTTPURL(p.Source.URL); err != nil {
			return FieldError("source.url", "%s", err.Error())
		}
	}
	if p.CanonicalSource && (p.Source == nil || p.Source.URL == "") {
		return FieldError("canonical_source", "only a republished post with its original URL can name the original as canonical")
	}
	return nil
}

// ValidateSlug checks that s can be a URL segment.
func ValidateSlug(s string) error {
	if err := StorableText("slug", s); err != nil {
		return err
	}
	switch {
	case s == "":
		return FieldError("slug", "the slug is empty")
	case utf8.RuneCountInString(s) > MaxSlugLen:
		return FieldError("slug", "the slug is longer than %d characters", MaxSlugLen)
	case strings.ContainsAny(s, "/?#\\ \t\r\n"):
		return FieldError("slug", "the slug %q may not contain slashes, spaces, '?' or '#'", s)
	case !utf8.ValidString(s):
		return FieldError("slug", "the slug is not valid UTF-8")
	case s == "." || s == "..":
		return FieldError("slug", "the slug may not be %q: \".\" and \"..\" are the addresses of a folder and of its parent", s)
	}
	n := 0
	for _, r := range s {
		n++
		if Invisible(r) {
			return FieldError("slug", "the slug holds the invisible character U+%04X (character %d): readers could not tell it from another slug; remove it", r, n)
		}
	}
	return nil
}

// Invisible reports whether r shows nothing of itself where it stands:
// control and format characters (zero-width spaces and joiners, the byte
// order mark, the soft hyphen, bidirectional controls), spaces, and the
// characters Unicode says to draw as nothing (variation selectors, the
// combining grapheme joiner, the Hangul fillers, which are letters). A
// slug holding one looks like another slug, or like none.
func Invisible(r rune) bool {
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Z, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point)
}

// ValidateHTTPURL checks that s is an absolute http or https URL.
func ValidateHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	return nil
}

// validateDetails checks that an event has its time and a book its
// details, and that no other kind carries them.
func (p *Post) validateDetails() error {
	switch {
	case p.Kind == KindEvent && p.Event == nil:
		return FieldError("event", "an event needs its start and end (event.starts_at, event.ends_at)")
	case p.Kind == KindBook && p.Book == nil:
		return FieldError("book", "a book needs its details")
	case p.Kind != KindEvent && p.Event != nil:
		return FieldError("event", "only an event has event details, not a %s", p.Kind)
	case p.Kind != KindBook && p.Book != nil:
		return FieldError("book", "only a book has book details, not a %s", p.Kind)
	case p.Event != nil:
		return p.Event.Validate()
	case p.Book != nil:
		return p.Book.Validate()
	}
	return nil
}
