package content

import "strings"

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
	// Logo is the publisher's logo in structured data: a path on the site
	// or an absolute URL.
	Logo string
}

// DefaultRobotsTxt lets every crawler read the whole site.
const DefaultRobotsTxt = "User-agent: *\nDisallow:\n"

// MaxFeedItems bounds Settings.FeedItems.
const MaxFeedItems = 1000

// DefaultSettings are those of a fresh site.
func DefaultSettings() Settings {
	return Settings{Title: "Broadsheet", Description: "News and commentary", Language: "en", PostsPerPage: 10,
		FeedItems: 20, FeedFullText: true, RobotsTxt: DefaultRobotsTxt, Logo: "/static/logo.png"}
}

// Validate checks the settings.
func (s *Settings) Validate() error {
	if s.Title == "" {
		return FieldError("title", "the site needs a title")
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
	if s.Logo != "" && !strings.HasPrefix(s.Logo, "/") {
		if err := ValidateHTTPURL(s.Logo); err != nil {
			return FieldError("logo", "the logo must be a path on the site or an absolute http(s) URL: %s", err.Error())
		}
	}
	if len(s.RobotsTxt) > 64<<10 {
		return FieldError("robots_txt", "robots.txt is longer than 64 KiB")
	}
	return nil
}
