package content

import (
	"strings"
	"time"
	_ "time/tzdata" // time zones on systems without a zoneinfo database
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
	TimeZone     string     // IANA name, e.g. "Africa/Lagos": editors give times in it
	Logo         string     // URL path or address of the site's logo image; "" for none
	Menu         []MenuItem // the site's navigation; empty shows the categories
}

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

// DefaultSettings are those of a fresh site.
func DefaultSettings() Settings {
	return Settings{Title: "Broadsheet", Description: "News and commentary", Language: "en", PostsPerPage: 10, TimeZone: "UTC"}
}

// Validate checks the settings.
func (s *Settings) Validate() error {
	if s.Title == "" {
		return FieldError("title", "the site needs a title")
	}
	if s.PostsPerPage < 1 || s.PostsPerPage > 100 {
		return FieldError("posts_per_page", "posts per page must be between 1 and 100, not %d", s.PostsPerPage)
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
