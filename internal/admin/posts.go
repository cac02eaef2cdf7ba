package admin

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
)

func (a *Admin) postRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/posts", a.page(a.list(content.KindPost)))
	mux.Handle("GET /admin/pages", a.page(a.list(content.KindPage)))
	mux.Handle("GET /admin/events", a.page(a.list(content.KindEvent)))
	mux.Handle("GET /admin/books", a.page(a.list(content.KindBook)))
	mux.Handle("POST /admin/posts/bulk", a.page(a.bulk))
	mux.Handle("POST /admin/posts/new", a.page(a.newEntry))
	mux.Handle("GET /admin/posts/{id}", a.page(a.edit))
	mux.Handle("POST /admin/posts/{id}", a.page(a.save))
	mux.Handle("GET /admin/posts/{id}/revisions", a.page(a.revisions))
	mux.Handle("POST /admin/posts/{id}/revisions/{n}/restore", a.page(a.restore))
}

// Tab is one status tab of a list.
type Tab struct {
	Label  string
	URL    string
	Count  int
	Active bool
}

// ListPage lists posts or pages.
type ListPage struct {
	Layout
	Kind       content.Kind
	Tabs       []Tab
	Status     string
	Posts      []*content.Post
	Total      int
	Authors    []*content.User
	Categories []*content.Term
	AuthorID   int64
	CategoryID int64
	Query      string
	Newer      string
	Older      string
	// Columns are the table's sortable headers; Sort and Dir the order shown.
	Columns []Column
	Sort    string
	Dir     string
	Back    string // this list, for the row actions to return to
}

const listPerPage = 25

func (a *Admin) list(kind content.Kind) PageFunc {
	return func(w http.ResponseWriter, r *http.Request, u *content.User) error {
		ctx := r.Context()
		if kind != content.KindPost && !u.CanCreate(kind) {
			return content.Errorf(content.EForbidden, "Your role (%s) may not manage %ss.", u.Role, kind)
		}
		q := r.URL.Query()
		f := store.EntryFilter{Kind: kind, Status: content.Status(q.Get("status")), Title: q.Get("q"), Limit: listPerPage}
		if f.Status != "" && !f.Status.Valid() {
			return content.FieldError("status", "unknown status %q", f.Status)
		}
		if err := listOrder(&f, q); err != nil {
			return err
		}
		page, _ := strconv.Atoi(q.Get("page"))
		if page < 1 {
			page = 1
		}
		f.Offset = (page - 1) * listPerPage
		f.AuthorID, _ = strconv.ParseInt(q.Get("author"), 10, 64)
		f.TermID, _ = strconv.ParseInt(q.Get("category"), 10, 64)
		countAuthor := int64(0)
		if !u.CanEditOthers() {
			f.AuthorID, countAuthor = u.ID, u.ID
		}
		posts, total, err := a.cfg.DB.FindEntries(ctx, f)
		if err != nil {
			return err
		}
		counts, err := a.cfg.DB.CountEntriesByStatus(ctx, kind, countAuthor)
		if err != nil {
			return err
		}
		base := "/admin/posts"
		title := "Posts"
		switch kind {
		case content.KindPage:
			base, title = "/admin/pages", "Pages"
		case content.KindEvent:
			base, title = "/admin/events", "Events"
		case content.KindBook:
			base, title = "/admin/books", "Books"
		}
		all := 0
		for s, n := range counts {
			if s != content.StatusTrash {
				all += n
			}
		}
		tabs := []Tab{{Label: "All", URL: base, Count: all, Active: f.Status == ""}}
		for _, t := range []struct {
			label string
			s     content.Status
		}{{"Drafts", content.StatusDraft}, {"Pending review", content.StatusPending}, {"Scheduled", content.StatusScheduled},
			{"Published", content.StatusPublished}, {"Trash", content.StatusTrash}} {
			tabs = append(tabs, Tab{Label: t.label, URL: base + "?status=" + string(t.s), Count: counts[t.s], Active: f.Status == t.s})
		}
		p := ListPage{Layout: Layout{Title: title, User: u, Section: string(kind), Flash: q.Get("flash")}, Kind: kind,
			Tabs: tabs, Status: string(f.Status), Posts: posts, Total: total, Query: f.Title,
			AuthorID: f.AuthorID, CategoryID: f.TermID}
		p.Sort, p.Dir, p.Columns = sortColumns(base, q, f)
		p.Back = listBack(base, q)
		if u.CanEditOthers() {
			if p.Authors, err = a.cfg.DB.FindUsers(ctx); err != nil {
				return err
			}
		}
		if p.Categories, err = a.cfg.DB.FindTerms(ctx, content.TaxCategory); err != nil {
			return err
		}
		link := func(n int) string {
			v := url.Values{}
			for k, vs := range q {
				v[k] = vs
			}
			v.Set("page", strconv.Itoa(n))
			return base + "?" + v.Encode()
		}
		if page > 1 {
			p.Newer = link(page - 1)
		}
		if page*listPerPage < total {
			p.Older = link(page + 1)
		}
		return a.render(w, "posts", p)
	}
}

// bulk applies one action to the selected entries, each checked on its own.
func (a *Admin) bulk(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if err := r.ParseForm(); err != nil {
		return content.Errorf(content.EInvalid, "The form could not be read.")
	}
	action := r.PostForm.Get("action")
	var status content.Status
	switch action {
	case "trash":
		status = content.StatusTrash
	case "restore", "draft":
		status = content.StatusDraft
	case "publish":
		status = content.StatusPublished
	case "pending":
		status = content.StatusPending
	case "delete":
	default:
		return content.FieldError("action", "choose a bulk action")
	}
	done, failed := 0, []string{}
	for _, s := range r.PostForm["id"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			continue
		}
		// A post u may not open is refused as one that does not exist,
		// before anything of it is told: its title, or that it is there.
		p, err := a.cfg.DB.FindPostByID(r.Context(), id)
		if err != nil && !content.IsNotFound(err) {
			return err
		}
		if err != nil || !u.CanRead(p) {
			failed = append(failed, fmt.Sprintf("#%d: no such post or page that you may change", id))
			continue
		}
		if action == "delete" {
			if p.Status != content.StatusTrash {
				failed = append(failed, fmt.Sprintf("%q is not in the trash", p.Title))
				continue
			}
			if _, err := a.svc.Delete(r.Context(), u, id); err != nil {
				failed = append(failed, fmt.Sprintf("#%d: %s", id, content.ErrorMessage(err)))
				continue
			}
		} else if _, err := a.svc.Update(r.Context(), u, id, editorial.Input{Status: &status}); err != nil {
			failed = append(failed, fmt.Sprintf("#%d: %s", id, content.ErrorMessage(err)))
			continue
		}
		done++
	}
	flash := fmt.Sprintf("%s: %d done.", action, done)
	if len(failed) > 0 {
		flash += fmt.Sprintf(" %d refused: %s", len(failed), strings.Join(failed, "; "))
	}
	back := r.PostForm.Get("back")
	if !strings.HasPrefix(back, "/admin/") {
		back = "/admin/posts"
	}
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	http.Redirect(w, r, back+sep+"flash="+url.QueryEscape(flash), http.StatusSeeOther)
	return nil
}

// newEntry creates an empty draft and opens it, so that autosave always
// has an entry to save to.
func (a *Admin) newEntry(w http.ResponseWriter, r *http.Request, u *content.User) error {
	kind := content.Kind(r.PostFormValue("kind"))
	if kind == "" {
		kind = content.KindPost
	}
	in := editorial.Input{Kind: kind}
	if kind == content.KindEvent {
		in.Event = newEvent(a.cfg.DB.Now())
	}
	e, err := a.svc.Create(r.Context(), u, in)
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/posts/%d", e.ID), http.StatusSeeOther)
	return nil
}

// Form holds the editor's fields as text, so that a refused save shows
// exactly what was typed.
type Form struct {
	Title, Slug, Body, Excerpt string
	Password                   string // "" for none
	// CommentsOpen lets readers comment; CommentsShown says the form had
	// the box, so that a form without it changes nothing.
	CommentsOpen, CommentsShown bool
	Categories                  []string // the names of the categories ticked
	Tags, Authors               string
	SourceName, SourceURL       string
	SourceAuthor, SourceDate    string
	PublishAt                   string // datetime-local, in the site's time zone
	Featured                    string // media id of the featured image; "" for none
	Version                     int
	// Format is the body's language: markdown, or html once the rich
	// editor has written it.
	Format string
	// Republished is true when the body is a republished article shown
	// as its parts: Introduction, then the attribution line (from the
	// source fields), then the article in Body.
	Republished  bool
	Introduction string
	Attribution  string // the stored attribution line, HTML, shown as it is
	// Kind is the entry's; an event's and a book's own fields are in
	// Event and Book.
	Kind  string
	Event EventForm
	Book  BookForm
}

// EditPage is the editor.
type EditPage struct {
	Layout
	Post      *content.Post
	Form      Form
	Revisions []*content.Revision
	URL       string // the public address
	Zone      string // the site's time zone, for publish_at
	Autosave  bool
	CanUpload bool
	// Thumbs are the library's recent images, for the featured image.
	Thumbs []Thumb
	// AttributionHTML is a republished article's attribution line, sanitised.
	AttributionHTML template.HTML
	// Categories are the existing ones, in their tree, offered as
	// checkboxes; Tags the existing tags, suggested as the editor types.
	Categories []TreeTerm
	Tags       []*content.Term
	// IntroPending is true while a republished draft's editorial
	// introduction is still the empty paragraph the source desk left.
	IntroPending bool
	// Covers are the images offered as a book's cover; Zones the time
	// zones and EventStatuses the statuses offered for an event.
	Covers        []Thumb
	Zones         []string
	EventStatuses []struct{ Value, Label string }
}

// HasCategory reports whether a category of that name exists, so that
// the picker shows a ticked name that does not (deleted meanwhile) apart.
func (p EditPage) HasCategory(name string) bool {
	for _, c := range p.Categories {
		if c.Name == name {
			return true
		}
	}
	return false
}

func termNames(ts []content.Term) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

func names(ts []content.Term) string { return strings.Join(termNames(ts), ", ") }

func formOf(e *editorial.Entry, loc *time.Location) Form {
	p := e.Post
	f := Form{Title: p.Title, Slug: p.Slug, Body: p.Body, Excerpt: p.Excerpt, Password: p.Password, Categories: termNames(p.Categories),
		Tags: names(p.Tags), Version: e.Version, Format: string(p.Format), Kind: string(p.Kind),
		Event: eventFormOf(p.Event), Book: bookFormOf(p.Book), CommentsOpen: !p.CommentsClosed, CommentsShown: true}
	if r, ok := content.SplitRepublished(p.Body); ok && p.Format == content.FormatHTML {
		f.Republished, f.Introduction, f.Attribution, f.Body = true, r.Introduction, r.Attribution, r.Article
	}
	if e.Featured != nil {
		f.Featured = strconv.FormatInt(e.Featured.ID, 10)
	}
	var slugs []string
	for _, u := range p.Authors {
		slugs = append(slugs, u.Slug)
	}
	f.Authors = strings.Join(slugs, ", ")
	if p.Title == "" && strings.HasPrefix(p.Slug, "untitled") {
		f.Slug = "" // a placeholder slug; the first title will name it
	}
	if p.Source != nil {
		f.SourceName, f.SourceURL, f.SourceAuthor = p.Source.Name, p.Source.URL, p.Source.Author
		if !p.Source.PublishedAt.IsZero() {
			f.SourceDate = p.Source.PublishedAt.UTC().Format("2006-01-02")
		}
	}
	if !p.PublishedAt.IsZero() {
		f.PublishAt = p.PublishedAt.In(loc).Format("2006-01-02T15:04:05")
	}
	return f
}

func formFrom(r *http.Request) Form {
	v := r.PostFormValue
	f := Form{Title: v("title"), Slug: v("slug"), Body: v("body"), Excerpt: v("excerpt"), Password: v("password"),
		Tags: v("tags"), Authors: v("authors"), SourceName: v("source_name"), SourceURL: v("source_url"),
		SourceAuthor: v("source_author"), SourceDate: v("source_date"), PublishAt: v("publish_at"), Featured: v("featured_image"),
		Format: v("format"), Republished: v("republished") != "", Introduction: v("introduction"), Kind: v("kind"),
		Event: eventFormFrom(v), Book: bookFormFrom(v), CommentsOpen: v("comments") != "", CommentsShown: v("comments_field") != ""}
	f.Version, _ = strconv.Atoi(v("version"))
	// One value per category ticked: names may hold commas.
	for _, name := range r.PostForm["categories"] {
		if name = strings.TrimSpace(name); name != "" {
			f.Categories = append(f.Categories, name)
		}
	}
	return f
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// input turns the form and the button pressed into an editorial change.
func (f Form) input(action string, u *content.User, loc *time.Location) (editorial.Input, error) {
	cats, tags := slices.Clone(f.Categories), splitList(f.Tags)
	if cats == nil {
		cats = []string{}
	}
	in := editorial.Input{Title: &f.Title, Body: &f.Body, Excerpt: &f.Excerpt, Password: &f.Password, Slug: &f.Slug,
		Categories: &cats, Tags: &tags, Version: &f.Version}
	if f.CommentsShown {
		closed := !f.CommentsOpen
		in.CommentsClosed = &closed
	}
	if f.Format != "" {
		format := content.Format(f.Format)
		if format != content.FormatMarkdown && format != content.FormatHTML {
			return in, content.FieldError("format", "the body's format must be markdown or html, not %q", f.Format)
		}
		in.Format = &format
	}
	if authors := splitList(f.Authors); u.CanEditOthers() && len(authors) > 0 {
		in.Authors = &authors
	}
	src := &content.Source{Name: f.SourceName, URL: f.SourceURL, Author: f.SourceAuthor}
	if f.SourceDate != "" {
		t, err := time.Parse("2006-01-02", f.SourceDate)
		if err != nil {
			return in, content.FieldError("source_date", "%q is not a date", f.SourceDate)
		}
		src.PublishedAt = t
	}
	in.Source = src
	var featured int64
	if f.Featured != "" {
		n, err := strconv.ParseInt(f.Featured, 10, 64)
		if err != nil {
			return in, content.FieldError("featured_image", "%q is not a media item", f.Featured)
		}
		featured = n
	}
	in.FeaturedImage = &featured
	if err := f.details(&in); err != nil {
		return in, err
	}
	set := func(s content.Status) { in.Status = &s }
	switch action {
	case "", "save":
	case "submit":
		set(content.StatusPending)
	case "publish":
		set(content.StatusPublished)
	case "schedule":
		set(content.StatusScheduled)
		if f.PublishAt == "" {
			return in, content.FieldError("publish_at", "choose the date and time to publish at")
		}
		t, err := time.ParseInLocation("2006-01-02T15:04:05", f.PublishAt, loc)
		if err != nil {
			t, err = time.ParseInLocation("2006-01-02T15:04", f.PublishAt, loc)
		}
		if err != nil {
			return in, content.FieldError("publish_at", "%q is not a date and time", f.PublishAt)
		}
		in.PublishAt = &t
	case "unpublish", "restore":
		set(content.StatusDraft)
	case "trash":
		set(content.StatusTrash)
	default:
		return in, content.FieldError("action", "unknown action %q", action)
	}
	return in, nil
}

func (a *Admin) editPage(r *http.Request, u *content.User, e *editorial.Entry, f Form) (EditPage, error) {
	revs, err := a.cfg.DB.FindRevisions(r.Context(), e.ID)
	if err != nil {
		return EditPage{}, err
	}
	loc := a.location(r)
	p := e.Post
	title := "Edit " + string(p.Kind)
	recent, _, err := a.cfg.DB.FindMediaList(r.Context(), "", 0, 60)
	if err != nil {
		return EditPage{}, err
	}
	cats, err := a.cfg.DB.FindTerms(r.Context(), content.TaxCategory)
	if err != nil {
		return EditPage{}, err
	}
	tags, err := a.cfg.DB.FindTerms(r.Context(), content.TaxTag)
	if err != nil {
		return EditPage{}, err
	}
	var images []*content.Media
	if e.Featured != nil {
		images = append(images, e.Featured)
	}
	for _, m := range recent {
		if m.IsImage() && (e.Featured == nil || m.ID != e.Featured.ID) {
			images = append(images, m)
		}
	}
	if f.Republished && f.Attribution == "" {
		if parts, ok := content.SplitRepublished(p.Body); ok {
			f.Attribution = parts.Attribution
		}
	}
	q := *p
	if q.PublishedAt.IsZero() {
		q.PublishedAt = a.cfg.DB.Now()
	}
	return EditPage{Layout: Layout{Title: title, User: u, Section: string(p.Kind), Flash: r.URL.Query().Get("flash")},
		Post: p, Form: f, Revisions: revs, URL: q.Path(), Zone: loc.String(),
		Autosave:  p.Status == content.StatusDraft || p.Status == content.StatusPending,
		CanUpload: u.CanUpload(), Thumbs: thumbs(images, f.Featured), Categories: termTree(cats), Tags: tags,
		Covers: thumbs(images, f.Book.Cover), Zones: zoneChoices(f.Event.TimeZone), EventStatuses: EventStatuses,
		AttributionHTML: template.HTML(markup.Sanitize(f.Attribution)),
		IntroPending:    content.IntroductionPending(p.Format, f.Body) || (f.Republished && strings.TrimSpace(f.Introduction) == "")}, nil
}

// Thumb is one image of the featured-image picker.
type Thumb struct {
	ID       int64
	Src      string // the smallest variant
	Width    int    // of Src, in pixels; 0 when not known
	Height   int
	Label    string
	Selected bool
}

func thumbs(images []*content.Media, featured string) []Thumb {
	out := make([]Thumb, 0, len(images))
	for _, m := range images {
		t := Thumb{ID: m.ID, Src: m.URL(), Width: m.Width, Height: m.Height, Label: m.Filename, Selected: strconv.FormatInt(m.ID, 10) == featured}
		if m.Alt != "" {
			t.Label = m.Alt
		}
		best := 0
		for _, v := range m.Variants {
			if best == 0 || v.Width < best {
				best, t.Src, t.Width, t.Height = v.Width, "/media/"+v.Key, v.Width, 0
				if m.Width > 0 {
					t.Height = v.Width * m.Height / m.Width // variants keep the image's proportions
				}
			}
		}
		out = append(out, t)
	}
	return out
}

func entryID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, content.Errorf(content.ENotFound, "There is no post %q.", r.PathValue("id"))
	}
	return id, nil
}

func (a *Admin) edit(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := entryID(r)
	if err != nil {
		return err
	}
	e, err := a.svc.Get(r.Context(), u, id)
	if err != nil {
		return err
	}
	page, err := a.editPage(r, u, e, formOf(e, a.location(r)))
	if err != nil {
		return err
	}
	return a.render(w, "edit", page)
}

func (a *Admin) save(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := entryID(r)
	if err != nil {
		return err
	}
	f := formFrom(r)
	action := r.PostFormValue("action")
	in, err := f.input(action, u, a.location(r))
	if err == nil {
		err = a.keepStored(r, u, id, f, &in)
	}
	var e *editorial.Entry
	if err == nil {
		e, err = a.svc.Update(r.Context(), u, id, in)
	}
	if err != nil {
		msg, field, unexpected := errorFor(err)
		if unexpected != nil {
			return unexpected
		}
		cur, gerr := a.svc.Get(r.Context(), u, id)
		if gerr != nil {
			return err
		}
		page, perr := a.editPage(r, u, cur, f)
		if perr != nil {
			return perr
		}
		page.Error, page.Field, page.Flash = msg, field, ""
		return a.tmpl.Render(w, statusFor(err), "edit", page)
	}
	flash := map[string]string{"": "Saved.", "save": "Saved.", "submit": "Submitted for review.", "publish": "Published.",
		"schedule":  "Scheduled for " + e.PublishedAt.In(a.location(r)).Format("2 Jan 2006 15:04 MST") + ".",
		"unpublish": "Unpublished: it is a draft again.", "trash": "Moved to the trash.", "restore": "Restored from the trash as a draft."}[action]
	if (action == "publish" || action == "schedule") && content.IntroductionPending(e.Post.Format, e.Post.Body) {
		// Allowed (the placeholder shows nothing to readers), but rarely meant.
		flash += " It has no editorial introduction: the empty paragraph above the attribution line is still empty."
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/posts/%d?flash=%s", id, url.QueryEscape(flash)), http.StatusSeeOther)
	return nil
}

// keepStored fills in what the form shows in another shape than it is
// stored: a republished body is put back together from its introduction,
// attribution line and article (byte for byte as it was when none of them
// changed), and an original date shown as a day keeps its stored time
// when the day is unchanged.
func (a *Admin) keepStored(r *http.Request, u *content.User, id int64, f Form, in *editorial.Input) error {
	cur, err := a.svc.Get(r.Context(), u, id)
	if err != nil {
		return err
	}
	old := cur.Source
	if old == nil {
		old = &content.Source{}
	}
	if in.Source != nil && !old.PublishedAt.IsZero() && f.SourceDate == old.PublishedAt.UTC().Format("2006-01-02") {
		in.Source.PublishedAt = old.PublishedAt
	}
	if !f.Republished {
		return nil
	}
	src := in.Source
	if src == nil {
		src = &content.Source{}
	}
	trim := strings.TrimSpace
	changed := trim(src.Name) != old.Name || trim(src.URL) != old.URL || trim(src.Author) != old.Author ||
		!src.PublishedAt.Equal(old.PublishedAt)
	body, ok := content.MergeRepublished(cur.Body, f.Introduction, f.Body, src, changed)
	if !ok {
		return content.FieldError("body", "this republished article was changed elsewhere since you opened it, so its introduction and attribution line can no longer be told apart: reload the page and make your change again")
	}
	in.Body = &body
	return nil
}

func statusFor(err error) int {
	var he *web.HTTPError
	if errors.As(err, &he) {
		return he.Status
	}
	switch content.ErrorCode(err) {
	case content.EConflict:
		return http.StatusConflict
	case content.EForbidden:
		return http.StatusForbidden
	case content.ENotFound:
		return http.StatusNotFound
	}
	return http.StatusUnprocessableEntity
}

// RevisionsPage compares two revisions.
type RevisionsPage struct {
	Layout
	Post      *content.Post
	Revisions []*content.Revision
	From, To  *content.Revision
	Diff      []DiffLine
	Version   int
}

func (a *Admin) revisions(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := entryID(r)
	if err != nil {
		return err
	}
	e, err := a.svc.Get(r.Context(), u, id)
	if err != nil {
		return err
	}
	revs, err := a.cfg.DB.FindRevisions(r.Context(), id)
	if err != nil {
		return err
	}
	page := RevisionsPage{Layout: Layout{Title: "Revisions", User: u, Section: string(e.Kind)}, Post: e.Post, Revisions: revs, Version: e.Version}
	if len(revs) == 0 {
		return a.render(w, "revisions", page)
	}
	pick := func(key string, def int) (*content.Revision, error) {
		n, err := strconv.Atoi(r.URL.Query().Get(key))
		if err != nil {
			n = def
		}
		return a.cfg.DB.FindRevision(r.Context(), id, n)
	}
	to := revs[0].Number
	from := to - 1
	if from < 1 {
		from = 1
	}
	if page.From, err = pick("from", from); err != nil {
		return err
	}
	if page.To, err = pick("to", to); err != nil {
		return err
	}
	page.Diff = Diff(revisionText(page.From), revisionText(page.To))
	return a.render(w, "revisions", page)
}

// revisionText lays a revision out as lines to compare.
func revisionText(r *content.Revision) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Title: %s\nSlug: %s\nExcerpt: %s\n", r.Title, r.Slug, r.Excerpt)
	if r.Source != nil {
		fmt.Fprintf(&b, "Source: %s, %s, %s\n", r.Source.Name, r.Source.URL, r.Source.Author)
	}
	if r.Terms {
		fmt.Fprintf(&b, "Categories: %s\nTags: %s\n", strings.Join(r.Categories, ", "), strings.Join(r.Tags, ", "))
		if r.FeaturedID != 0 {
			fmt.Fprintf(&b, "Featured image: media %d\n", r.FeaturedID)
		} else {
			b.WriteString("Featured image: none\n")
		}
	}
	b.WriteString("\n")
	b.WriteString(r.Body)
	return b.String()
}

func (a *Admin) restore(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := entryID(r)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		return content.Errorf(content.ENotFound, "There is no revision %q.", r.PathValue("n"))
	}
	var version *int
	if v, err := strconv.Atoi(r.PostFormValue("version")); err == nil {
		version = &v
	}
	if _, err := a.svc.RestoreRevision(r.Context(), u, id, n, version); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/posts/%d?flash=%s", id, url.QueryEscape(fmt.Sprintf("Restored revision %d.", n))), http.StatusSeeOther)
	return nil
}
