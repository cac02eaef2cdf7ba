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
	Excerpt    string
	Source     *Source
	// Autosave is true for a revision kept by autosave; the next autosave
	// by the same person replaces it.
	Autosave bool
}

// RevisionOf returns the revision of p's current state.
func RevisionOf(p *Post) Revision {
	r := Revision{PostID: p.ID, Title: p.Title, Slug: p.Slug, Status: p.Status, Body: p.Body, Excerpt: p.Excerpt}
	if !p.Source.IsZero() {
		s := *p.Source
		r.Source = &s
	}
	return r
}
