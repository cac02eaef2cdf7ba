package content

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
}

// DefaultSettings are those of a fresh site.
func DefaultSettings() Settings {
	return Settings{Title: "Broadsheet", Description: "News and commentary", Language: "en", PostsPerPage: 10}
}

// Validate checks the settings.
func (s *Settings) Validate() error {
	if s.Title == "" {
		return FieldError("title", "the site needs a title")
	}
	if s.PostsPerPage < 1 || s.PostsPerPage > 100 {
		return FieldError("posts_per_page", "posts per page must be between 1 and 100, not %d", s.PostsPerPage)
	}
	return nil
}
