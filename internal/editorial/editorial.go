// Package editorial is what an editor does to posts and pages, whatever
// the door they come in by (the admin's forms, its scripts, or the Admin
// API): create, change, move through the workflow, trash and restore,
// keep and restore revisions. It checks every action against the user's
// role, validates the result, renders the body with the public site's
// renderer, and writes everything of one save in one transaction, so a
// refused save changes nothing. Write is the one way posts are saved, by
// editors here and by the importer and the source desk, so every post
// follows the same rules of slugs, sanitising and revisions.
package editorial

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
)

// Service performs editorial actions on the store.
type Service struct {
	DB *store.DB
}

// Input is a change to an entry. Nil fields are left as they are; on
// creation they take their defaults.
type Input struct {
	Kind  content.Kind // on creation only; default post
	Title *string
	Body  *string // in Format
	// Format is the language of Body (markdown or html); nil keeps the
	// entry's, so a post written in Markdown stays Markdown.
	Format  *content.Format
	Excerpt *string
	// Password protects the post (its title public, its text behind a
	// form); "" removes it.
	Password *string
	// CommentsClosed keeps readers from commenting; a new page is closed
	// and a new post open unless it says.
	CommentsClosed *bool
	Slug           *string // "" derives it from the title
	Status         *content.Status
	PublishAt      *time.Time // the publication time; the zero time clears it
	Categories     *[]string  // names of existing categories; an unknown one is refused
	Tags           *[]string  // names; unknown ones are created
	Authors        *[]string  // user slugs
	Source         *content.Source
	// FeaturedImage is a media id from the library; 0 removes the image.
	FeaturedImage *int64
	// Event replaces an event's time, place and status (kind event only).
	Event *content.Event
	// Book replaces a book's details (kind book only).
	Book *content.Book
	// Autosave marks a save made by the editor's timer rather than by a
	// person: it replaces that person's previous autosave revision.
	Autosave bool
	// Version is the version the editor started from; when someone saved
	// since, the save is refused with a conflict. Nil skips the check.
	Version *int
}

// Entry is a post or page with its current version and featured image.
type Entry struct {
	*content.Post
	Version  int
	Featured *content.Media // nil when none
}

// find loads entry id, naming it when it does not exist.
func find(ctx context.Context, c interface {
	FindPostByID(context.Context, int64) (*content.Post, error)
}, id int64) (*content.Post, error) {
	p, err := c.FindPostByID(ctx, id)
	if content.IsNotFound(err) {
		return nil, content.Errorf(content.ENotFound, "There is no post or page %d.", id)
	}
	return p, err
}

func forbidden(format string, args ...any) error {
	return content.Errorf(content.EForbidden, format, args...)
}

// Get returns the entry id if u may open it.
func (s *Service) Get(ctx context.Context, u *content.User, id int64) (*Entry, error) {
	p, err := find(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if !u.CanRead(p) {
		return nil, forbidden("You may not open this %s: it is not yours, and your role (%s) only lets you open your own posts.", p.Kind, u.Role)
	}
	v, err := s.DB.PostVersion(ctx, id)
	if err != nil {
		return nil, err
	}
	f, err := s.DB.FindFeatured(ctx, id)
	if err != nil {
		return nil, err
	}
	return &Entry{Post: p, Version: v, Featured: f}, nil
}

// Create writes a new entry from in, by u.
func (s *Service) Create(ctx context.Context, u *content.User, in Input) (*Entry, error) {
	kind := in.Kind
	if kind == "" {
		kind = content.KindPost
	}
	if !kind.Valid() {
		return nil, content.FieldError("kind", "kind must be %q, %q, %q or %q", content.KindPost, content.KindPage, content.KindEvent, content.KindBook)
	}
	if !u.CanCreate(kind) {
		return nil, forbidden("Your role (%s) may not create %ss.", u.Role, kind)
	}
	p := &content.Post{Kind: kind, Status: content.StatusDraft, Format: content.FormatMarkdown, Authors: []content.User{*u}}
	in.Version = nil
	terms, err := termLists(in)
	if err != nil {
		return nil, err
	}
	var e *Entry
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		var err error
		e, err = s.apply(ctx, tx, u, p, true, in, terms)
		return err
	})
	return e, err
}

// Update applies in to the entry id, by u.
func (s *Service) Update(ctx context.Context, u *content.User, id int64, in Input) (*Entry, error) {
	terms, err := termLists(in)
	if err != nil {
		return nil, err
	}
	var e *Entry
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		p, err := find(ctx, tx, id)
		if err != nil {
			return err
		}
		if !u.CanEdit(p) {
			return s.editRefusal(u, p)
		}
		e, err = s.apply(ctx, tx, u, p, false, in, terms)
		return err
	})
	return e, err
}

func (s *Service) editRefusal(u *content.User, p *content.Post) error {
	switch {
	case !u.CanRead(p):
		return forbidden("You may not change this %s: it is not yours, and your role (%s) only lets you change your own posts.", p.Kind, u.Role)
	default:
		return forbidden("You may not change this %s now that it is %s: your role (%s) lets you change your own posts only until they are published or scheduled.", p.Kind, p.Status, u.Role)
	}
}

// Delete moves the entry to the trash; an entry already in the trash is
// deleted for good.
func (s *Service) Delete(ctx context.Context, u *content.User, id int64) (trashed bool, err error) {
	p, err := find(ctx, s.DB, id)
	if err != nil {
		return false, err
	}
	if !u.CanEdit(p) {
		return false, s.editRefusal(u, p)
	}
	if p.Status != content.StatusTrash {
		trash := content.StatusTrash
		_, err := s.Update(ctx, u, id, Input{Status: &trash})
		return true, err
	}
	return false, s.DB.Update(ctx, func(tx *store.Tx) error { return tx.DeletePost(ctx, id) })
}

// RestoreRevision brings back the title, body (in its format), excerpt, source, terms and
// featured image of revision n as a new revision; status, slug and time
// stay as they are. A revision kept before terms were recorded leaves the
// terms and image as they are. A category deleted since is left out (a
// renamed or merged one is found by its old name); a featured image since
// deleted from the library cannot come back, so the post keeps the image
// it has.
func (s *Service) RestoreRevision(ctx context.Context, u *content.User, id int64, n int, version *int) (*Entry, error) {
	r, err := s.DB.FindRevision(ctx, id, n)
	if err != nil {
		return nil, err
	}
	src := r.Source
	if src == nil {
		src = &content.Source{}
	}
	in := Input{Title: &r.Title, Body: &r.Body, Excerpt: &r.Excerpt, Source: src, Version: version}
	if r.Format != "" {
		format := r.Format
		in.Format = &format
	}
	if r.Terms {
		// A category deleted since is left out: only an editor's explicit
		// act creates one.
		cats, err := existingCategories(ctx, s.DB, r.Categories)
		if err != nil {
			return nil, err
		}
		tags, featured := r.Tags, r.FeaturedID
		in.Categories, in.Tags, in.FeaturedImage = &cats, &tags, &featured
		if featured != 0 {
			if _, err := s.DB.FindMedia(ctx, featured); content.IsNotFound(err) {
				in.FeaturedImage = nil // deleted since: the post keeps the image it has
			} else if err != nil {
				return nil, err
			}
		}
	}
	return s.Update(ctx, u, id, in)
}

// Preview renders what the body and excerpt would look like on the site,
// with the site's own renderer.
func Preview(format content.Format, body, excerpt string) (*content.Post, error) {
	if format == "" {
		format = content.FormatMarkdown
	}
	p := &content.Post{Format: format, Body: body, Excerpt: excerpt}
	if err := markup.RenderPost(p); err != nil {
		return nil, content.FieldError("body", "the body cannot be rendered: %v", err)
	}
	return p, nil
}

// apply changes p by in inside tx, checking u's rights, and saves it with
// a new revision.
func (s *Service) apply(ctx context.Context, tx *store.Tx, u *content.User, p *content.Post, isNew bool, in Input, terms termNames) (*Entry, error) {
	prevStatus := p.Status
	if in.Title != nil {
		p.Title = strings.TrimSpace(*in.Title)
	}
	if in.Format != nil {
		p.Format = *in.Format
	}
	// A body sent back as it was opened keeps its bytes: a browser's form
	// sends its line breaks as CR LF whatever they were.
	if in.Body != nil && !content.SameText(*in.Body, p.Body) {
		p.Body = *in.Body
	}
	if in.Password != nil {
		p.Password = *in.Password
	}
	if in.CommentsClosed != nil {
		p.CommentsClosed = *in.CommentsClosed
	} else if isNew {
		p.CommentsClosed = p.Kind == content.KindPage
	}
	if in.Excerpt != nil {
		p.Excerpt = strings.TrimSpace(*in.Excerpt)
	}
	if in.Source != nil {
		src := *in.Source
		src.Name, src.URL, src.Author = strings.TrimSpace(src.Name), strings.TrimSpace(src.URL), strings.TrimSpace(src.Author)
		src.KeepProvenance(p.Source)
		p.Source = &src
		if src.IsZero() {
			p.Source = nil
		}
	}
	if err := applyDetails(ctx, tx, p, in); err != nil {
		return nil, err
	}
	prevPublished := p.PublishedAt
	if err := s.applyStatus(u, p, prevStatus, isNew, in, tx.Now); err != nil {
		return nil, err
	}
	if !p.PublishedAt.Equal(prevPublished) || (isNew && !p.PublishedAt.IsZero()) {
		// The day in the post's address is read on the site's clock of
		// the moment it comes out, and kept when the zone changes later.
		set, err := tx.LoadSettings(ctx)
		if err != nil {
			return nil, err
		}
		p.SetPublished(p.PublishedAt, set.Location())
	}
	s.applySlug(p, isNew, in)
	if err := s.applyTerms(ctx, tx, u, p, in, terms); err != nil {
		return nil, err
	}
	if err := s.applyAuthors(ctx, tx, u, p, in); err != nil {
		return nil, err
	}
	base := store.AnyVersion
	if in.Version != nil {
		base = *in.Version
	}
	w, err := Write(ctx, tx, p, WriteOptions{New: isNew, By: u, Base: base, Autosave: in.Autosave, Featured: in.FeaturedImage})
	if err != nil {
		return nil, err
	}
	return &Entry{Post: p, Version: w.Version, Featured: w.Featured}, nil
}

func (s *Service) applyStatus(u *content.User, p *content.Post, prev content.Status, isNew bool, in Input, now time.Time) error {
	target := p.Status
	if in.Status != nil {
		target = *in.Status
	}
	if !target.Valid() {
		return content.FieldError("status", "unknown status %q: use draft, pending, scheduled, published, private or trash", target)
	}
	wasPublic := prev == content.StatusPublished || prev == content.StatusScheduled || prev == content.StatusPrivate
	switch target {
	case content.StatusPublished, content.StatusPrivate:
		if !u.CanPublish(p) {
			return forbidden("Your role (%s) may not publish this %s: submit it for review (status pending) instead.", u.Role, p.Kind)
		}
		switch {
		case in.PublishAt != nil && !in.PublishAt.IsZero():
			if in.PublishAt.After(now) {
				return content.FieldError("publish_at", "%s is in the future: to publish then, use the status scheduled",
					in.PublishAt.UTC().Format(time.RFC3339))
			}
			p.PublishedAt = in.PublishAt.UTC().Truncate(time.Second)
		case prev != target || p.PublishedAt.IsZero():
			p.PublishedAt = now
		}
	case content.StatusScheduled:
		if !u.CanPublish(p) {
			return forbidden("Your role (%s) may not schedule this %s: submit it for review (status pending) instead.", u.Role, p.Kind)
		}
		at := p.PublishedAt
		if in.PublishAt != nil {
			at = *in.PublishAt
		} else if prev != content.StatusScheduled {
			at = time.Time{}
		}
		if at.IsZero() {
			return content.FieldError("publish_at", "a scheduled post needs a publication time (publish_at, RFC 3339, e.g. 2026-03-01T09:00:00Z)")
		}
		if !at.After(now) {
			return content.FieldError("publish_at", "%s is not in the future: a scheduled post needs a later time, or publish it now with the status published",
				at.UTC().Format(time.RFC3339))
		}
		p.PublishedAt = at.UTC().Truncate(time.Second)
	case content.StatusDraft, content.StatusPending, content.StatusTrash:
		if wasPublic && !isNew && !u.CanPublish(p) {
			return forbidden("Your role (%s) may not unpublish this %s.", u.Role, p.Kind)
		}
		if in.PublishAt != nil {
			p.PublishedAt = in.PublishAt.UTC().Truncate(time.Second)
		}
	}
	p.Status = target
	return nil
}

// applySlug sets the slug the editor gave, or clears it for Write to
// derive one from the title while the entry is new or has none worth
// keeping; once a post has a real slug it keeps it, so its address holds.
func (s *Service) applySlug(p *content.Post, isNew bool, in Input) {
	if in.Slug != nil && strings.TrimSpace(*in.Slug) != "" {
		p.Slug = strings.TrimSpace(*in.Slug)
		return
	}
	if isNew || in.Slug != nil || (strings.HasPrefix(p.Slug, "untitled") && p.Title != "" && p.Status != content.StatusPublished) {
		p.Slug = ""
	}
}

// named is a term as an editor names it, with the slug it is found by.
type named struct{ name, slug string }

// termNames are an input's categories and tags, each once.
type termNames struct{ categories, tags []named }

// termLists reads in's categories and tags, each once, and refuses lists
// longer than a post may carry: before the write transaction starts, so
// that a request naming thousands holds no lock while they are counted,
// and before any term is looked up or created.
func termLists(in Input) (termNames, error) {
	// distinct stops past the limit, as a list that long is refused
	// anyway, and then counts the names as given.
	distinct := func(names []string) ([]named, int) {
		var out []named
		seen := map[string]bool{}
		for _, name := range names {
			if len(out) > content.MaxTermsPerPost {
				return out, len(names)
			}
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			slug := markup.Slugify(name)
			if seen[slug] {
				continue
			}
			seen[slug] = true
			out = append(out, named{name, slug})
		}
		return out, len(out)
	}
	var (
		t           termNames
		nCats, nTag int
	)
	if in.Categories != nil {
		t.categories, nCats = distinct(*in.Categories)
	}
	if in.Tags != nil {
		t.tags, nTag = distinct(*in.Tags)
	}
	return t, content.ValidateTermCount(nCats, nTag)
}

func (s *Service) applyTerms(ctx context.Context, tx *store.Tx, u *content.User, p *content.Post, in Input, names termNames) error {
	// With the post's own list in place of one the input leaves alone.
	nCats, nTags := len(p.Categories), len(p.Tags)
	if in.Categories != nil {
		nCats = len(names.categories)
	}
	if in.Tags != nil {
		nTags = len(names.tags)
	}
	if err := content.ValidateTermCount(nCats, nTags); err != nil {
		return err
	}
	resolve := func(tax content.Taxonomy, field string, names []named) ([]content.Term, error) {
		var out []content.Term
		for _, n := range names {
			if err := content.StorableText(field, n.name); err != nil {
				return nil, err
			}
			t, err := resolveTerm(ctx, tx, tax, n)
			if content.IsNotFound(err) {
				if tax == content.TaxCategory {
					return nil, content.FieldError(field,
						"there is no category %q: choose an existing one (an editor creates categories on the Categories page)", n.name)
				}
				// Upserted: two saves naming the same new tag at once both get it.
				t = &content.Term{Taxonomy: tax, Slug: n.slug, Name: n.name}
				err = tx.UpsertTerm(ctx, t)
			}
			if err != nil {
				return nil, err
			}
			out = append(out, *t)
		}
		return out, nil
	}
	var err error
	if in.Categories != nil {
		if p.Categories, err = resolve(content.TaxCategory, "categories", names.categories); err != nil {
			return err
		}
	}
	if in.Tags != nil {
		if p.Tags, err = resolve(content.TaxTag, "tags", names.tags); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) applyAuthors(ctx context.Context, tx *store.Tx, u *content.User, p *content.Post, in Input) error {
	if in.Authors == nil {
		return nil
	}
	var authors []content.User
	seen := map[string]bool{}
	for _, slug := range *in.Authors {
		slug = strings.TrimSpace(slug)
		if slug == "" || seen[slug] {
			continue
		}
		seen[slug] = true
		a, err := tx.FindUserBySlug(ctx, slug)
		if content.IsNotFound(err) {
			return content.FieldError("authors", "there is no user %q", slug)
		}
		if err != nil {
			return err
		}
		authors = append(authors, *a)
	}
	if len(authors) == 0 {
		return content.FieldError("authors", "a post needs at least one author")
	}
	if !u.CanEditOthers() && (len(authors) != 1 || authors[0].ID != u.ID) {
		return &content.Error{Code: content.EForbidden, Field: "authors",
			Message: fmt.Sprintf("your role (%s) may not name other people as authors", u.Role)}
	}
	p.Authors = authors
	return nil
}

// applyDetails sets an event's or a book's details; a book's cover must
// be in the media library.
func applyDetails(ctx context.Context, tx *store.Tx, p *content.Post, in Input) error {
	if in.Event != nil {
		if p.Kind != content.KindEvent {
			return content.FieldError("event", "only an event has event details, not a %s", p.Kind)
		}
		e := *in.Event
		e.Location.Name, e.Location.Address = strings.TrimSpace(e.Location.Name), strings.TrimSpace(e.Location.Address)
		e.OnlineURL, e.RegistrationURL = strings.TrimSpace(e.OnlineURL), strings.TrimSpace(e.RegistrationURL)
		if e.Status == "" {
			e.Status = content.EventScheduled
		}
		if p.Event != nil {
			e.Sequence = p.Event.Sequence // the store counts changes
		}
		p.Event = &e
	}
	if in.Book != nil {
		if p.Kind != content.KindBook {
			return content.FieldError("book", "only a book has book details, not a %s", p.Kind)
		}
		b := *in.Book
		b.Subtitle, b.Publisher = strings.TrimSpace(b.Subtitle), strings.TrimSpace(b.Publisher)
		var authors []string
		for _, a := range b.Authors {
			if a = strings.TrimSpace(a); a != "" {
				authors = append(authors, a)
			}
		}
		b.Authors = authors
		if b.ISBN != "" {
			isbn, err := content.NormalizeISBN(b.ISBN)
			if err != nil {
				return content.FieldError("book.isbn", "%s", err.Error())
			}
			b.ISBN = isbn
		}
		if b.CoverID != 0 {
			if _, err := tx.FindMedia(ctx, b.CoverID); content.IsNotFound(err) {
				return content.FieldError("book.cover", "there is no image %d in the media library", b.CoverID)
			} else if err != nil {
				return err
			}
		}
		p.Book = &b
	}
	switch {
	case p.Kind == content.KindEvent && p.Event == nil:
		return content.FieldError("event", "an event needs its start and end (event.starts_at, event.ends_at)")
	case p.Kind == content.KindBook && p.Book == nil:
		p.Book = &content.Book{}
	}
	return nil
}
