package content

import "time"

// Revision is a saved state of a post: what an editor controls, kept at
// every save so that any two can be compared and an older one restored.
type Revision struct {
	PostID     int64
	Number     int // 1, 2, …; a post's version is its newest revision's number
	AuthorID   int64
	AuthorName string
	CreatedAt  time.Time
	Title      string
	Slug       string
	Status     Status
	Body       string
	// Format is the language of Body; "" on revisions kept before it was
	// recorded.
	Format  Format
	Excerpt string
	Source  *Source
	// Categories and Tags are the post's terms by name, and FeaturedID its
	// featured image (0 for none). Terms is false for revisions kept before
	// they were recorded: restoring one leaves terms and image alone.
	Categories []string
	Tags       []string
	FeaturedID int64
	Terms      bool
	// Autosave is true for a revision kept by autosave; the next autosave
	// by the same person replaces it.
	Autosave bool
}

// RevisionOf returns the revision of p's current state, featuring the
// media item featuredID (0 for none).
func RevisionOf(p *Post, featuredID int64) Revision {
	r := Revision{PostID: p.ID, Title: p.Title, Slug: p.Slug, Status: p.Status, Body: p.Body, Format: p.Format, Excerpt: p.Excerpt,
		Categories: termNames(p.Categories), Tags: termNames(p.Tags), FeaturedID: featuredID, Terms: true}
	if !p.Source.IsZero() {
		s := *p.Source
		r.Source = &s
	}
	return r
}

func termNames(ts []Term) []string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name
	}
	return names
}
