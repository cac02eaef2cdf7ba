package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/store"
)

// Post is an entry as the API shows it.
type Post struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"`
	Title     string `json:"title"`
	Slug      string `json:"slug"`
	Status    string `json:"status"`
	PublishAt string `json:"publish_at,omitempty"`
	URL       string `json:"url"`
	Body      string `json:"body"`
	Format    string `json:"format"`
	Excerpt   string `json:"excerpt"`
	Password  string `json:"password"`
	// CommentStatus is "open" or "closed", as WordPress's comment_status.
	CommentStatus string   `json:"comment_status"`
	BodyHTML      string   `json:"body_html,omitempty"`
	TeaserHTML    string   `json:"teaser_html"`
	HasMore       bool     `json:"has_more"`
	Categories    []string `json:"categories"`
	Tags          []string `json:"tags"`
	Authors       []User   `json:"authors"`
	Source        *Source  `json:"source,omitempty"`
	Featured      *Media   `json:"featured_image,omitempty"`
	Event         *Event   `json:"event,omitempty"`
	Book          *Book    `json:"book,omitempty"`
	Version       int      `json:"version"`
	CreatedAt     string   `json:"created_at"`
	UpdatedAt     string   `json:"updated_at"`
}

// Source is a republished article's attribution.
type Source struct {
	Name        string `json:"name"`
	URL         string `json:"url"`
	Author      string `json:"author"`
	PublishedAt string `json:"published_at,omitempty"`
}

// User is a person as the API shows them.
type User struct {
	ID    int64  `json:"id"`
	Slug  string `json:"slug"`
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	Role  string `json:"role,omitempty"`
}

func userJSON(u *content.User) User {
	return User{ID: u.ID, Slug: u.Slug, Name: u.Name, Email: u.Email, Role: string(u.Role)}
}

// commentStatus names whether readers may comment as WordPress does.
func commentStatus(closed bool) string {
	if closed {
		return "closed"
	}
	return "open"
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// postJSON renders p; its url is where it is (or, unpublished, would be if
// published now) on the site.
func (a *API) postJSON(r *http.Request, p *content.Post, version int, withBody bool) Post {
	out := Post{ID: p.ID, Kind: string(p.Kind), Title: p.Title, Slug: p.Slug, Status: string(p.Status),
		PublishAt: rfc3339(p.PublishedAt), Format: string(p.Format), Excerpt: p.Excerpt, Password: p.Password,
		CommentStatus: commentStatus(p.CommentsClosed), TeaserHTML: p.TeaserHTML, HasMore: p.HasMore, Version: version,
		Categories: []string{}, Tags: []string{}, Authors: []User{},
		CreatedAt: rfc3339(p.CreatedAt), UpdatedAt: rfc3339(p.UpdatedAt)}
	if withBody {
		out.Body, out.BodyHTML = p.Body, p.BodyHTML
	}
	q := *p
	if q.PublishedAt.IsZero() {
		q.PublishedAt = a.cfg.DB.Now()
	}
	out.URL = a.baseURL(r) + q.Path()
	out.Event, out.Book = eventJSON(p.Event), bookJSON(p.Book)
	for _, t := range p.Categories {
		out.Categories = append(out.Categories, t.Name)
	}
	for _, t := range p.Tags {
		out.Tags = append(out.Tags, t.Name)
	}
	for _, u := range p.Authors {
		out.Authors = append(out.Authors, User{ID: u.ID, Slug: u.Slug, Name: u.Name})
	}
	if !p.Source.IsZero() {
		out.Source = &Source{Name: p.Source.Name, URL: p.Source.URL, Author: p.Source.Author, PublishedAt: rfc3339(p.Source.PublishedAt)}
	}
	return out
}

// entryJSON renders an entry with its featured image.
func (a *API) entryJSON(r *http.Request, e *editorial.Entry) Post {
	out := a.postJSON(r, e.Post, e.Version, true)
	if e.Featured != nil {
		m := mediaJSON(e.Featured)
		out.Featured = &m
	}
	return out
}

// PostInput is the body of POST and PATCH /api/v1/posts: absent (or null)
// fields are left as they are.
type PostInput struct {
	Kind          *string      `json:"kind"`
	Title         *string      `json:"title"`
	Body          *string      `json:"body"`
	Format        *string      `json:"format"`
	Excerpt       *string      `json:"excerpt"`
	Password      *string      `json:"password"`
	CommentStatus *string      `json:"comment_status"`
	Slug          *string      `json:"slug"`
	Status        *string      `json:"status"`
	PublishAt     *string      `json:"publish_at"`
	Categories    *[]string    `json:"categories"`
	Tags          *[]string    `json:"tags"`
	Authors       *[]string    `json:"authors"`
	Source        *SourceInput `json:"source"`
	Featured      *int64       `json:"featured_image"`
	Event         *Event       `json:"event"`
	Book          *Book        `json:"book"`
	Version       *int         `json:"version"`
	// Autosave marks a save made by a timer: it replaces the same
	// person's previous autosave revision instead of adding one.
	Autosave bool `json:"autosave"`
}

// SourceInput sets a post's attribution; an object of empty strings clears it.
type SourceInput struct {
	Name        string `json:"name"`
	URL         string `json:"url"`
	Author      string `json:"author"`
	PublishedAt string `json:"published_at"`
}

func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, content.FieldError(field, "%q is not an RFC 3339 time such as 2026-03-01T09:00:00Z", s)
	}
	return t.UTC(), nil
}

// input turns the JSON into an editorial change.
func (in *PostInput) input() (editorial.Input, error) {
	out := editorial.Input{Title: in.Title, Body: in.Body, Excerpt: in.Excerpt, Password: in.Password, Slug: in.Slug,
		Categories: in.Categories, Tags: in.Tags, Authors: in.Authors, Version: in.Version, FeaturedImage: in.Featured,
		Autosave: in.Autosave}
	if in.Kind != nil {
		out.Kind = content.Kind(*in.Kind)
	}
	if in.CommentStatus != nil {
		closed, ok := map[string]bool{"open": false, "closed": true}[*in.CommentStatus]
		if !ok {
			return out, content.FieldError("comment_status", "comment_status must be open or closed, not %q", *in.CommentStatus)
		}
		out.CommentsClosed = &closed
	}
	if in.Format != nil {
		f := content.Format(*in.Format)
		if f != content.FormatMarkdown && f != content.FormatHTML {
			return out, content.FieldError("format", "format must be markdown or html, not %q", *in.Format)
		}
		out.Format = &f
	}
	if in.Status != nil {
		s := content.Status(*in.Status)
		if !s.Valid() {
			return out, content.FieldError("status", "unknown status %q: use draft, pending, scheduled, published, private or trash", *in.Status)
		}
		out.Status = &s
	}
	if in.PublishAt != nil {
		t, err := parseTime("publish_at", *in.PublishAt)
		if err != nil {
			return out, err
		}
		out.PublishAt = &t
	}
	if in.Source != nil {
		t, err := parseTime("source.published_at", in.Source.PublishedAt)
		if err != nil {
			return out, err
		}
		out.Source = &content.Source{Name: in.Source.Name, URL: in.Source.URL, Author: in.Source.Author, PublishedAt: t}
	}
	if in.Event != nil {
		e, err := in.Event.event()
		if err != nil {
			return out, err
		}
		out.Event = e
	}
	if in.Book != nil {
		b, err := in.Book.book()
		if err != nil {
			return out, err
		}
		out.Book = b
	}
	return out, nil
}

// PostList is a page of posts.
type PostList struct {
	Posts []Post `json:"posts"`
	Page  int    `json:"page"`
	Pages int    `json:"pages"`
	Total int    `json:"total"`
}

// PerPage is the size of a page of GET /api/v1/posts.
const PerPage = 20

func (a *API) listPosts(w http.ResponseWriter, r *http.Request, u *content.User) error {
	q := r.URL.Query()
	f := store.EntryFilter{Kind: content.KindPost, Limit: PerPage}
	if k := q.Get("kind"); k != "" {
		f.Kind = content.Kind(k)
		if !f.Kind.Valid() {
			return malformed("kind", "kind must be post, page, event or book, not %q", k)
		}
	}
	if s := q.Get("status"); s != "" {
		f.Status = content.Status(s)
		if !f.Status.Valid() {
			return malformed("status", "unknown status %q: use draft, pending, scheduled, published, private or trash", s)
		}
	}
	page := 1
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return malformed("page", "page must be a whole number from 1, not %q", s)
		}
		page = n
	}
	f.Offset = (page - 1) * PerPage
	f.Title = q.Get("q")
	switch f.Sort = q.Get("sort"); f.Sort {
	case "", "date", "title", "author", "status", "modified":
	default:
		return malformed("sort", "the posts cannot be sorted by %q: use date, title, author, status or modified", f.Sort)
	}
	switch d := q.Get("dir"); d {
	case "asc":
		f.Asc = true
	case "", "desc":
	default:
		return malformed("dir", "dir must be asc or desc, not %q", d)
	}
	if !u.CanEditOthers() {
		if f.Kind != content.KindPost {
			return content.Errorf(content.EForbidden, "Your role (%s) may not manage %ss.", u.Role, f.Kind)
		}
		f.AuthorID = u.ID // others' posts are not theirs to manage
	}
	posts, total, err := a.cfg.DB.FindEntries(r.Context(), f)
	if err != nil {
		return err
	}
	out := PostList{Posts: []Post{}, Page: page, Total: total, Pages: (total + PerPage - 1) / PerPage}
	for _, p := range posts {
		v, err := a.cfg.DB.PostVersion(r.Context(), p.ID)
		if err != nil {
			return err
		}
		out.Posts = append(out.Posts, a.postJSON(r, p, v, false))
	}
	return WriteJSON(w, http.StatusOK, out)
}

func (a *API) createPost(w http.ResponseWriter, r *http.Request, u *content.User) error {
	var in PostInput
	if err := Decode(w, r, &in); err != nil {
		return err
	}
	ei, err := in.input()
	if err != nil {
		return err
	}
	e, err := a.svc.Create(r.Context(), u, ei)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/posts/"+strconv.FormatInt(e.ID, 10))
	return WriteJSON(w, http.StatusCreated, a.entryJSON(r, e))
}

func (a *API) getPost(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := PathID(r, "id")
	if err != nil {
		return err
	}
	e, err := a.svc.Get(r.Context(), u, id)
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, a.entryJSON(r, e))
}

func (a *API) patchPost(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := PathID(r, "id")
	if err != nil {
		return err
	}
	var in PostInput
	if err := Decode(w, r, &in); err != nil {
		return err
	}
	if in.Kind != nil {
		return malformed("kind", "the kind of an entry cannot change")
	}
	ei, err := in.input()
	if err != nil {
		return err
	}
	e, err := a.svc.Update(r.Context(), u, id, ei)
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, a.entryJSON(r, e))
}

func (a *API) deletePost(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := PathID(r, "id")
	if err != nil {
		return err
	}
	trashed, err := a.svc.Delete(r.Context(), u, id)
	if err != nil {
		return err
	}
	if trashed {
		e, err := a.svc.Get(r.Context(), u, id)
		if err != nil {
			return err
		}
		return WriteJSON(w, http.StatusOK, a.postJSON(r, e.Post, e.Version, false))
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Revision is a saved state of a post.
type Revision struct {
	Number    int     `json:"number"`
	Author    string  `json:"author"`
	CreatedAt string  `json:"created_at"`
	Title     string  `json:"title"`
	Slug      string  `json:"slug"`
	Status    string  `json:"status"`
	Body      string  `json:"body,omitempty"`
	Excerpt   string  `json:"excerpt"`
	Source    *Source `json:"source,omitempty"`
	// Categories, Tags and FeaturedImage are absent from revisions kept
	// before they were recorded.
	Categories    *[]string `json:"categories,omitempty"`
	Tags          *[]string `json:"tags,omitempty"`
	FeaturedImage *int64    `json:"featured_image,omitempty"`
}

func revisionJSON(rv *content.Revision, withBody bool) Revision {
	out := Revision{Number: rv.Number, Author: rv.AuthorName, CreatedAt: rfc3339(rv.CreatedAt), Title: rv.Title,
		Slug: rv.Slug, Status: string(rv.Status), Excerpt: rv.Excerpt}
	if withBody {
		out.Body = rv.Body
	}
	if !rv.Source.IsZero() {
		out.Source = &Source{Name: rv.Source.Name, URL: rv.Source.URL, Author: rv.Source.Author, PublishedAt: rfc3339(rv.Source.PublishedAt)}
	}
	if rv.Terms {
		cats, tags, featured := rv.Categories, rv.Tags, rv.FeaturedID
		if cats == nil {
			cats = []string{}
		}
		if tags == nil {
			tags = []string{}
		}
		out.Categories, out.Tags, out.FeaturedImage = &cats, &tags, &featured
	}
	return out
}

func (a *API) listRevisions(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := a.svc.Get(r.Context(), u, id); err != nil {
		return err
	}
	revs, err := a.cfg.DB.FindRevisions(r.Context(), id)
	if err != nil {
		return err
	}
	out := []Revision{}
	for _, rv := range revs {
		out = append(out, revisionJSON(rv, false))
	}
	return WriteJSON(w, http.StatusOK, map[string]any{"revisions": out})
}

func (a *API) getRevision(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := PathID(r, "id")
	if err != nil {
		return err
	}
	n, err := PathID(r, "n")
	if err != nil {
		return err
	}
	if _, err := a.svc.Get(r.Context(), u, id); err != nil {
		return err
	}
	rv, err := a.cfg.DB.FindRevision(r.Context(), id, int(n))
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, revisionJSON(rv, true))
}

func (a *API) restoreRevision(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := PathID(r, "id")
	if err != nil {
		return err
	}
	n, err := PathID(r, "n")
	if err != nil {
		return err
	}
	var in struct {
		Version *int `json:"version"`
	}
	if r.ContentLength != 0 {
		if err := Decode(w, r, &in); err != nil {
			return err
		}
	}
	e, err := a.svc.RestoreRevision(r.Context(), u, id, int(n), in.Version)
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, a.entryJSON(r, e))
}

// PreviewInput is the body of POST /api/v1/preview.
type PreviewInput struct {
	Body    string `json:"body"`
	Excerpt string `json:"excerpt"`
	Format  string `json:"format"`
}

func (a *API) preview(w http.ResponseWriter, r *http.Request, u *content.User) error {
	var in PreviewInput
	if err := Decode(w, r, &in); err != nil {
		return err
	}
	f := content.Format(in.Format)
	if f != "" && f != content.FormatMarkdown && f != content.FormatHTML {
		return content.FieldError("format", "format must be markdown or html, not %q", in.Format)
	}
	p, err := editorial.Preview(f, in.Body, in.Excerpt)
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, map[string]any{"body_html": p.BodyHTML, "teaser_html": p.TeaserHTML, "has_more": p.HasMore})
}
