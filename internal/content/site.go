package content

import (
	"strings"
	"time"
	_ "time/tzdata" // time zones on systems without a zoneinfo database

	"golang.org/x/text/language"
)

// Alias is an old URL path that now lives elsewhere: it answers 301 to the
// current path of PostID, or to Target when no post is named.
type Alias struct {
	Path   string
	PostID int64
	Target string
}

// Settings are the site-wide choices editors make, kept in the database.
type Settings struct {
	Title        string
	Description  string
	Language     string // BCP 47, e.g. "en-GB"
	PostsPerPage int

	// FeedItems is how many of the latest posts each feed carries.
	FeedItems int
	// FeedFullText puts whole posts in feeds; when false, feeds carry
	// teasers with a link to continue reading.
	FeedFullText bool
	// RobotsTxt is served as /robots.txt; a Sitemap line is added to it.
	RobotsTxt string
	// WebSubHub, when set, is the WebSub hub advertised in feeds and
	// pinged when posts are published.
	WebSubHub string

	TimeZone string     // IANA name, e.g. "Africa/Lagos": editors give times in it
	Logo     string     // path on the site or http(s) address of the logo; "" for none
	Menu     []MenuItem // the site's navigation; empty shows the categories

	// TeaserStyle is how the front page and archives show posts:
	// TeaserFull (whole teasers, "" means it) or TeaserCards.
	TeaserStyle string

	// CommentsEnabled shows approved comments under posts and lets
	// readers send new ones, which wait for moderation.
	CommentsEnabled bool
}

// Teaser styles of listings (Settings.TeaserStyle).
const (
	// TeaserFull shows each post's teaser whole, with its byline.
	TeaserFull = "full"
	// TeaserCards shows headline, dek and thumbnail only.
	TeaserCards = "cards"
)

// MenuItem is one link of the site's navigation.
type MenuItem struct {
	Label string `json:"label"`
	URL   string `json:"url"` // a path on the site (/about/) or an http(s) address
}

// Location returns the site's time zone; UTC when unset or unknown.
func (s *Settings) Location() *time.Location {
	if loc, err := time.LoadLocation(s.TimeZone); err == nil && s.TimeZone != "" {
		return loc
	}
	return time.UTC
}

// DefaultRobotsTxt lets every crawler read the whole site.
const DefaultRobotsTxt = "User-agent: *\nDisallow:\n"

// MaxFeedItems bounds Settings.FeedItems.
const MaxFeedItems = 1000

// DefaultSettings are those of a fresh site.
func DefaultSettings() Settings {
	return Settings{Title: "Broadsheet", Description: "News and commentary", Language: "en", PostsPerPage: 10,
		FeedItems: 20, FeedFullText: true, RobotsTxt: DefaultRobotsTxt, TimeZone: "UTC", TeaserStyle: TeaserFull}
}

// Validate checks the settings.
func (s *Settings) Validate() error {
	if err := storableTexts("title", s.Title, "description", s.Description, "language", s.Language,
		"robots_txt", s.RobotsTxt, "websub_hub", s.WebSubHub, "time_zone", s.TimeZone, "logo", s.Logo); err != nil {
		return err
	}
	for _, m := range s.Menu {
		if err := storableTexts("menu", m.Label, "menu", m.URL); err != nil {
			return err
		}
	}
	if s.TeaserStyle != "" && s.TeaserStyle != TeaserFull && s.TeaserStyle != TeaserCards {
		return FieldError("teaser_style", "the teaser style must be %q or %q, not %q", TeaserFull, TeaserCards, s.TeaserStyle)
	}
	if s.Title == "" {
		return FieldError("title", "the site needs a title")
	}
	if s.Language != "" {
		if err := ValidateLanguage(s.Language); err != nil {
			return err
		}
	}
	if s.PostsPerPage < 1 || s.PostsPerPage > 100 {
		return FieldError("posts_per_page", "posts per page must be between 1 and 100, not %d", s.PostsPerPage)
	}
	if s.FeedItems < 1 || s.FeedItems > MaxFeedItems {
		return FieldError("feed_items", "feeds must carry between 1 and %d posts, not %d", MaxFeedItems, s.FeedItems)
	}
	if s.WebSubHub != "" {
		if err := ValidateHTTPURL(s.WebSubHub); err != nil {
			return FieldError("websub_hub", "the WebSub hub must be an absolute http(s) URL: %s", err.Error())
		}
	}
	if len(s.RobotsTxt) > 64<<10 {
		return FieldError("robots_txt", "robots.txt is longer than 64 KiB")
	}
	if s.TimeZone != "" {
		if _, err := time.LoadLocation(s.TimeZone); err != nil || strings.EqualFold(s.TimeZone, "local") {
			return FieldError("time_zone", "%q is not a time zone name such as Europe/London or Africa/Lagos", s.TimeZone)
		}
	}
	if s.Logo != "" && !strings.HasPrefix(s.Logo, "/") {
		if err := ValidateHTTPURL(s.Logo); err != nil {
			return FieldError("logo", "the logo must be a path on the site (/media/…) or an http(s) address")
		}
	}
	for i, m := range s.Menu {
		if strings.TrimSpace(m.Label) == "" {
			return FieldError("menu", "menu item %d has no label", i+1)
		}
		if !strings.HasPrefix(m.URL, "/") || strings.HasPrefix(m.URL, "//") {
			if err := ValidateHTTPURL(m.URL); err != nil {
				return FieldError("menu", "menu item %d (%s): %q is neither a path on the site (/about/) nor an http(s) address", i+1, m.Label, m.URL)
			}
		}
	}
	return nil
}

// ValidateLanguage checks that tag is a well-formed BCP 47 language tag
// whose subtags are registered (en, en-GB, pt-BR, sr-Latn).
func ValidateLanguage(tag string) error {
	if _, err := language.Parse(tag); err != nil || strings.ContainsAny(tag, " _") {
		return FieldError("language", "%q is not a BCP 47 language tag such as en, en-GB, fr or pt-BR", tag)
	}
	return nil
}
