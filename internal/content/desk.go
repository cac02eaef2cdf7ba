package content

import (
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Outlet is a source on the source desk: a publication whose feeds are
// followed and whose articles may be republished with attribution.
type Outlet struct {
	ID   int64
	Name string // e.g. "Xinhua"
	// Slug names the outlet's public archive, /source/{slug}/: made from
	// Name when the outlet is created, unique, and kept when it is renamed.
	Slug     string
	Homepage string // the outlet's site; feeds are discovered from it when none are given
	Feeds    []Feed
	// Attribution is the line placed before a republished article;
	// "{outlet}" stands for Name.
	Attribution string
	// Notes record the permission or licence under which articles are carried.
	Notes string
	// Canonical says whose address search engines should treat as the
	// article's: CanonicalOriginal (the outlet's) or CanonicalOurs.
	Canonical string
	// Interval is the time between two polls when all is well.
	Interval time.Duration

	NextPollAt    time.Time // when the outlet is next due
	LastPolledAt  time.Time // the last attempt
	LastSuccessAt time.Time // the last attempt that worked
	LastError     string    // why the last attempt failed; empty after a success
	// LastWarning is what the last attempt read only in part (a feed cut
	// off mid-item); empty when it read everything.
	LastWarning string
	Failures    int // failed attempts in a row, for the backoff
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Feed is one feed of an outlet, with the validators of its last answer so
// the next request can be conditional.
type Feed struct {
	ID           int64
	URL          string
	Title        string
	ETag         string
	LastModified string
}

// Canonical choices for republished articles.
const (
	CanonicalOriginal = "original"
	CanonicalOurs     = "ours"
)

// DefaultAttribution is the attribution line of a new outlet.
const DefaultAttribution = "The following article was originally published by {outlet}."

// Outlet polling intervals.
const (
	DefaultPollInterval = 30 * time.Minute
	MinPollInterval     = 1 * time.Minute
	MaxPollInterval     = 7 * 24 * time.Hour
)

// Path is the URL path of the outlet's public archive of the posts
// republished from it.
func (o *Outlet) Path() string { return "/source/" + url.PathEscape(o.Slug) + "/" }

// AttributionLine is the outlet's attribution with its name filled in.
func (o *Outlet) AttributionLine() string {
	a := o.Attribution
	if strings.TrimSpace(a) == "" {
		a = DefaultAttribution
	}
	return strings.ReplaceAll(a, "{outlet}", o.Name)
}

// Normalize fills defaults and trims spaces.
func (o *Outlet) Normalize() {
	o.Name = strings.TrimSpace(o.Name)
	o.Homepage = strings.TrimSpace(o.Homepage)
	if strings.TrimSpace(o.Attribution) == "" {
		o.Attribution = DefaultAttribution
	}
	if o.Canonical == "" {
		o.Canonical = CanonicalOriginal
	}
	if o.Interval == 0 {
		o.Interval = DefaultPollInterval
	}
	for i := range o.Feeds {
		o.Feeds[i].URL = strings.TrimSpace(o.Feeds[i].URL)
	}
}

// Validate checks an outlet's fields, naming the first at fault.
func (o *Outlet) Validate() error {
	if err := storableTexts("name", o.Name, "homepage", o.Homepage, "attribution", o.Attribution, "notes", o.Notes); err != nil {
		return err
	}
	for _, f := range o.Feeds {
		if err := StorableText("feeds", f.URL); err != nil {
			return err
		}
	}
	switch {
	case strings.TrimSpace(o.Name) == "":
		return FieldError("name", "the source needs a name")
	case utf8.RuneCountInString(o.Name) > 200:
		return FieldError("name", "the name is longer than 200 characters")
	case o.Homepage == "" && len(o.Feeds) == 0:
		return FieldError("homepage", "give the source's homepage or at least one feed")
	case o.Canonical != CanonicalOriginal && o.Canonical != CanonicalOurs:
		return FieldError("canonical", "canonical must be %q or %q, not %q", CanonicalOriginal, CanonicalOurs, o.Canonical)
	case o.Interval < MinPollInterval || o.Interval > MaxPollInterval:
		return FieldError("interval", "the polling interval must be between 1 minute and 7 days, not %s", o.Interval)
	case utf8.RuneCountInString(o.Attribution) > 1000:
		return FieldError("attribution", "the attribution line is longer than 1000 characters")
	}
	if o.Homepage != "" {
		if err := ValidateHTTPURL(o.Homepage); err != nil {
			return FieldError("homepage", "%s", err.Error())
		}
	}
	seen := map[string]bool{}
	for i, f := range o.Feeds {
		if err := ValidateHTTPURL(f.URL); err != nil {
			return FieldError("feeds", "feed %d: %s", i+1, err.Error())
		}
		if seen[f.URL] {
			return FieldError("feeds", "feed %s is listed twice", f.URL)
		}
		seen[f.URL] = true
	}
	return nil
}

// ItemState is where an inbox item stands.
type ItemState string

// Inbox item states.
const (
	ItemNew         ItemState = "new"
	ItemSkipped     ItemState = "skipped"
	ItemStarred     ItemState = "starred"
	ItemRepublished ItemState = "republished"
)

// Valid reports whether s is a known state.
func (s ItemState) Valid() bool {
	switch s {
	case ItemNew, ItemSkipped, ItemStarred, ItemRepublished:
		return true
	}
	return false
}

// Item is an entry of an outlet's feed, waiting in the inbox.
type Item struct {
	ID         int64
	OutletID   int64
	OutletName string // read with the item, for listings
	GUID       string
	URL        string
	Title      string
	Summary    string // plain text
	Content    string // the feed's full text, sanitised HTML, when it has one
	Author     string
	// ImageURL is the item's lead image at the outlet (absolute, http or
	// https), shown in the inbox; empty when the feed names none.
	ImageURL string
	// FeedURL is the outlet's feed the item came from; empty for an
	// article republished from its address.
	FeedURL     string
	PublishedAt time.Time // as the feed or page says; zero when neither says
	FetchedAt   time.Time // when it came into the inbox; the inbox sorts undated items by it
	State       ItemState
	// PostID is the post the item was republished as; 0 when none.
	PostID int64
	// Canonical is the canonical choice the post was made with.
	Canonical string
}

// trackingParams are query parameters that say how a reader arrived, not
// what they read; URLs differing only in them are the same article.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "msclkid": true, "mc_cid": true, "mc_eid": true,
	"igshid": true, "yclid": true, "_ga": true, "ref": true, "ref_src": true, "cmpid": true,
	"ocid": true, "smid": true, "partner": true, "xtor": true, "at_medium": true, "at_campaign": true,
}

// NormalizeURL returns the form of an article URL used to find the same
// article linked twice: scheme and "www." dropped, host lower-cased,
// tracking parameters (utm_* and the like) and the fragment removed, the
// remaining parameters sorted, a trailing slash dropped.
func NormalizeURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return strings.TrimSpace(raw)
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	if p := u.Port(); p != "" && p != "80" && p != "443" {
		host += ":" + p
	}
	q := u.Query()
	for k := range q {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "utm_") || trackingParams[lk] {
			q.Del(k)
		}
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	key := host + path
	if enc := q.Encode(); enc != "" { // Encode sorts by key
		key += "?" + enc
	}
	return key
}

// TitleKey returns the form of a title used to find the same story carried
// by several outlets: lower case, letters and digits only, one space between
// words, typographic quotes and dashes ignored.
func TitleKey(title string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(title) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			continue
		}
		if r == '\'' || r == '’' || r == '‘' {
			continue // "China's" and "Chinas" are the same word
		}
		space = true
	}
	return b.String()
}
