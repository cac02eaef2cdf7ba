// Package deskhttp is the source desk's HTTP side: its part of the Admin
// API, JSON handlers for sources (/api/v1/sources) and the inbox
// (/api/v1/inbox, including republishing an item), and its admin pages
// (pages.go). The JSON handlers register through the Admin API's adapter
// (API.Routes, an api.Area), which authenticates the caller, checks the
// address, reads JSON and renders every failure in the API's one envelope;
// the pages are given an Authorise callback by whoever mounts them.
package deskhttp

import (
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/admin/api"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/sourcedesk"
	"github.com/broadsheet/broadsheet/internal/store"
)

// Authorise decides whether r may use the desk's pages. It returns the
// acting user (the author of drafts it republishes; nil for none) or an
// error carrying content.EUnauthorized (GET requests are then sent to
// SignIn) or content.EForbidden.
type Authorise func(r *http.Request) (*content.User, error)

// Config configures the API and the pages.
type Config struct {
	Desk *sourcedesk.Desk
	// Authorise admits users to the pages; the API's users come from the
	// Admin API's adapter, and the desk admits editors and up (Routes).
	Authorise Authorise
	// PostLink is where the admin edits a post; default /admin/posts/{id}.
	PostLink func(p *content.Post) string
	// SignIn, when set, is where the pages send a visitor who is not signed
	// in, with the page asked for in its "next" parameter.
	SignIn string
	// Frame, when set, shows the pages inside another layout (the
	// admin's): it gets each page's rendered HTML, without the desk's own
	// header, and writes the response with status.
	Frame func(w http.ResponseWriter, r *http.Request, status int, f Frame) error
	Log   *slog.Logger
}

// Frame is one desk page handed to Config.Frame.
type Frame struct {
	Title   string
	Section string        // "inbox" or "sources"; "" on an error page
	User    *content.User // nil when nobody is signed in
	// Body is the page's HTML, rendered by the desk's html/template
	// templates.
	Body template.HTML
}

// API serves the desk's JSON endpoints.
type API struct {
	cfg Config
}

// New returns the API. Register it on the Admin API as an area:
// api.Config{Areas: []api.Area{deskhttp.New(cfg).Routes}}.
func New(cfg Config) *API {
	if cfg.PostLink == nil {
		cfg.PostLink = func(p *content.Post) string { return "/admin/posts/" + strconv.FormatInt(p.ID, 10) }
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &API{cfg: cfg}
}

// Routes registers the desk's endpoints through the Admin API's adapter.
func (a *API) Routes(r *api.Router) {
	for _, rt := range []struct {
		pattern string
		h       api.HandlerFunc
	}{
		{"GET /api/v1/sources", a.listSources},
		{"POST /api/v1/sources", a.createSource},
		{"GET /api/v1/sources/{id}", a.getSource},
		{"PATCH /api/v1/sources/{id}", a.updateSource},
		{"PUT /api/v1/sources/{id}", a.updateSource},
		{"DELETE /api/v1/sources/{id}", a.deleteSource},
		{"POST /api/v1/sources/{id}/poll", a.pollSource},
		{"GET /api/v1/inbox", a.listInbox},
		{"GET /api/v1/inbox/{id}", a.getItem},
		{"PATCH /api/v1/inbox/{id}", a.setItemState},
		{"POST /api/v1/inbox/{id}/republish", a.republish},
		{"POST /api/v1/republish", a.republishURL},
	} {
		r.Handle(rt.pattern, editorsOnly(rt.h))
	}
}

// editorsOnly refuses h to users who may not use the desk: it is for
// editors and administrators.
func editorsOnly(h api.HandlerFunc) api.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, u *content.User) error {
		if !u.CanManageSources() {
			return content.Errorf(content.EForbidden, "The source desk is for editors and administrators; your role is %s.", u.Role)
		}
		return h(w, r, u)
	}
}

// sourceJSON is a source as the API shows it.
type sourceJSON struct {
	ID              int64      `json:"id"`
	Name            string     `json:"name"`
	Slug            string     `json:"slug"` // its public archive is /source/{slug}/
	Homepage        string     `json:"homepage"`
	Feeds           []feedJSON `json:"feeds"`
	Attribution     string     `json:"attribution"`
	AttributionLine string     `json:"attribution_line"`
	Notes           string     `json:"notes"`
	Canonical       string     `json:"canonical"`
	IntervalMinutes int        `json:"interval_minutes"`
	NextPollAt      *time.Time `json:"next_poll_at"`
	LastPolledAt    *time.Time `json:"last_polled_at"`
	LastSuccessAt   *time.Time `json:"last_success_at"`
	LastError       string     `json:"last_error"`
	LastWarning     string     `json:"last_warning,omitempty"`
	Failures        int        `json:"failures"`
}

type feedJSON struct {
	URL   string `json:"url"`
	Title string `json:"title,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toSourceJSON(o *content.Outlet) sourceJSON {
	s := sourceJSON{ID: o.ID, Name: o.Name, Slug: o.Slug, Homepage: o.Homepage, Feeds: []feedJSON{}, Attribution: o.Attribution,
		AttributionLine: o.AttributionLine(), Notes: o.Notes, Canonical: o.Canonical,
		IntervalMinutes: int(o.Interval / time.Minute), NextPollAt: timePtr(o.NextPollAt),
		LastPolledAt: timePtr(o.LastPolledAt), LastSuccessAt: timePtr(o.LastSuccessAt), LastError: o.LastError, LastWarning: o.LastWarning, Failures: o.Failures}
	for _, f := range o.Feeds {
		s.Feeds = append(s.Feeds, feedJSON{URL: f.URL, Title: f.Title})
	}
	return s
}

// sourceInput is what clients send to create or edit a source; absent
// fields are left as they are (or take their defaults on creation).
type sourceInput struct {
	Name            *string   `json:"name"`
	Homepage        *string   `json:"homepage"`
	Feeds           *[]string `json:"feeds"`
	Attribution     *string   `json:"attribution"`
	Notes           *string   `json:"notes"`
	Canonical       *string   `json:"canonical"`
	IntervalMinutes *int      `json:"interval_minutes"`
}

func (in sourceInput) apply(o *content.Outlet) {
	if in.Name != nil {
		o.Name = *in.Name
	}
	if in.Homepage != nil {
		o.Homepage = *in.Homepage
	}
	if in.Feeds != nil {
		o.Feeds = o.Feeds[:0]
		for _, u := range *in.Feeds {
			o.Feeds = append(o.Feeds, content.Feed{URL: u})
		}
	}
	if in.Attribution != nil {
		o.Attribution = *in.Attribution
	}
	if in.Notes != nil {
		o.Notes = *in.Notes
	}
	if in.Canonical != nil {
		o.Canonical = *in.Canonical
	}
	if in.IntervalMinutes != nil {
		o.Interval = time.Duration(*in.IntervalMinutes) * time.Minute
	}
}

// check refuses what apply cannot express to the domain's validation.
func (in sourceInput) check() error {
	if in.IntervalMinutes != nil && (*in.IntervalMinutes < 1 || *in.IntervalMinutes > 7*24*60) {
		return &content.Error{Code: content.EInvalid, Field: "interval_minutes",
			Message: fmt.Sprintf("the polling interval must be between 1 and %d minutes, not %d", 7*24*60, *in.IntervalMinutes)}
	}
	return nil
}

func (a *API) listSources(w http.ResponseWriter, r *http.Request, _ *content.User) error {
	os, err := a.cfg.Desk.DB.FindOutlets(r.Context())
	if err != nil {
		return err
	}
	out := []sourceJSON{}
	for _, o := range os {
		out = append(out, toSourceJSON(o))
	}
	return api.WriteJSON(w, http.StatusOK, map[string]any{"sources": out})
}

func (a *API) createSource(w http.ResponseWriter, r *http.Request, _ *content.User) error {
	var in sourceInput
	if err := api.Decode(w, r, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	o := &content.Outlet{}
	in.apply(o)
	if err := a.cfg.Desk.AddOutlet(r.Context(), o); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/sources/"+strconv.FormatInt(o.ID, 10))
	return api.WriteJSON(w, http.StatusCreated, map[string]any{"source": toSourceJSON(o)})
}

func (a *API) getSource(w http.ResponseWriter, r *http.Request, _ *content.User) error {
	id, err := api.PathID(r, "id")
	if err != nil {
		return err
	}
	o, err := a.cfg.Desk.DB.FindOutletByID(r.Context(), id)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, map[string]any{"source": toSourceJSON(o)})
}

func (a *API) updateSource(w http.ResponseWriter, r *http.Request, _ *content.User) error {
	id, err := api.PathID(r, "id")
	if err != nil {
		return err
	}
	var in sourceInput
	if err := api.Decode(w, r, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	o, err := a.cfg.Desk.DB.FindOutletByID(r.Context(), id)
	if err != nil {
		return err
	}
	in.apply(o)
	if err := a.cfg.Desk.UpdateOutlet(r.Context(), o); err != nil {
		return err
	}
	o, err = a.cfg.Desk.DB.FindOutletByID(r.Context(), id)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, map[string]any{"source": toSourceJSON(o)})
}

func (a *API) deleteSource(w http.ResponseWriter, r *http.Request, _ *content.User) error {
	id, err := api.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.cfg.Desk.DB.Update(r.Context(), func(tx *store.Tx) error { return tx.DeleteOutlet(r.Context(), id) }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) pollSource(w http.ResponseWriter, r *http.Request, _ *content.User) error {
	id, err := api.PathID(r, "id")
	if err != nil {
		return err
	}
	res, err := a.cfg.Desk.PollNow(r.Context(), id)
	if err != nil {
		return err
	}
	o, err := a.cfg.Desk.DB.FindOutletByID(r.Context(), id)
	if err != nil {
		return err
	}
	out := map[string]any{"source": toSourceJSON(o), "added": res.Added, "duplicates": res.Duplicates,
		"pending": res.Pending, "not_modified": res.NotModified, "skipped": res.Skipped}
	return api.WriteJSON(w, http.StatusOK, out)
}

// itemJSON is an inbox item as the API shows it.
type itemJSON struct {
	ID          int64     `json:"id"`
	SourceID    int64     `json:"source_id"`
	Source      string    `json:"source"`
	Title       string    `json:"title"`
	URL         string    `json:"url"`
	Summary     string    `json:"summary"`
	Content     string    `json:"content,omitempty"`
	Author      string    `json:"author,omitempty"`
	ImageURL    string    `json:"image_url,omitempty"`
	PublishedAt time.Time `json:"published_at,omitzero"` // left out when the outlet gave no date
	FetchedAt   time.Time `json:"fetched_at"`
	State       string    `json:"state"`
	Post        *postJSON `json:"post,omitempty"`
}

// postJSON names a post made from an item.
type postJSON struct {
	ID     int64  `json:"id"`
	Title  string `json:"title"`
	Status string `json:"status"`
	// EditURL is where the admin edits it; URL its public address once published.
	EditURL string `json:"edit_url"`
	URL     string `json:"url,omitempty"`
}

func (a *API) toPostJSON(p *content.Post) *postJSON {
	pj := &postJSON{ID: p.ID, Title: p.Title, Status: string(p.Status), EditURL: a.cfg.PostLink(p)}
	if p.Status == content.StatusPublished {
		pj.URL = p.Path()
	}
	return pj
}

func (a *API) toItemJSON(r *http.Request, it *content.Item) (itemJSON, error) {
	j := itemJSON{ID: it.ID, SourceID: it.OutletID, Source: it.OutletName, Title: it.Title, URL: it.URL,
		Summary: it.Summary, Content: it.Content, Author: it.Author, ImageURL: it.ImageURL, PublishedAt: it.PublishedAt, FetchedAt: it.FetchedAt, State: string(it.State)}
	if it.PostID != 0 {
		p, err := a.cfg.Desk.DB.FindPostByID(r.Context(), it.PostID)
		if err != nil && !content.IsNotFound(err) {
			return j, err
		}
		if p != nil {
			j.Post = a.toPostJSON(p)
		}
	}
	return j, nil
}

func (a *API) listInbox(w http.ResponseWriter, r *http.Request, _ *content.User) error {
	q := r.URL.Query()
	f := store.ItemFilter{Query: q.Get("q"), Limit: 50}
	if s := q.Get("source"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return &content.Error{Code: content.EInvalid, Field: "source", Message: fmt.Sprintf("%q is not a source id", s)}
		}
		f.OutletID = id
	}
	for _, s := range q["state"] {
		for _, one := range strings.Split(s, ",") {
			st := content.ItemState(strings.TrimSpace(one))
			if !st.Valid() {
				return &content.Error{Code: content.EInvalid, Field: "state",
					Message: fmt.Sprintf("unknown state %q; use new, skipped, starred or republished", one)}
			}
			f.States = append(f.States, st)
		}
	}
	page := 1
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return &content.Error{Code: content.EInvalid, Field: "page", Message: fmt.Sprintf("%q is not a page number", s)}
		}
		page = n
	}
	if s := q.Get("per_page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 200 {
			return &content.Error{Code: content.EInvalid, Field: "per_page", Message: "per_page must be between 1 and 200"}
		}
		f.Limit = n
	}
	f.Offset = (page - 1) * f.Limit
	items, total, err := a.cfg.Desk.DB.FindItems(r.Context(), f)
	if err != nil {
		return err
	}
	out := []itemJSON{}
	for _, it := range items {
		j, err := a.toItemJSON(r, it)
		if err != nil {
			return err
		}
		out = append(out, j)
	}
	return api.WriteJSON(w, http.StatusOK, map[string]any{"items": out, "total": total, "page": page, "per_page": f.Limit})
}

func (a *API) getItem(w http.ResponseWriter, r *http.Request, _ *content.User) error {
	id, err := api.PathID(r, "id")
	if err != nil {
		return err
	}
	it, err := a.cfg.Desk.DB.FindItemByID(r.Context(), id)
	if err != nil {
		return err
	}
	j, err := a.toItemJSON(r, it)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, map[string]any{"item": j})
}

func (a *API) setItemState(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := api.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		State string `json:"state"`
	}
	if err := api.Decode(w, r, &in); err != nil {
		return err
	}
	if err := a.cfg.Desk.DB.Update(r.Context(), func(tx *store.Tx) error {
		return tx.SetItemState(r.Context(), id, content.ItemState(in.State))
	}); err != nil {
		return err
	}
	return a.getItem(w, r, u)
}

func (a *API) republish(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := api.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		LeadParagraphs int `json:"lead_paragraphs"`
	}
	if r.ContentLength != 0 {
		if err := api.Decode(w, r, &in); err != nil {
			return err
		}
	}
	if in.LeadParagraphs < 0 || in.LeadParagraphs > 50 {
		return &content.Error{Code: content.EInvalid, Field: "lead_paragraphs", Message: "lead_paragraphs must be between 1 and 50"}
	}
	res, err := a.cfg.Desk.Republish(r.Context(), id, republishOptions(u, in.LeadParagraphs))
	return a.republished(w, r, res, err)
}

// republishURL republishes the article at a URL given in the body, with
// no source needed: {"url": "…", "lead_paragraphs": n}.
func (a *API) republishURL(w http.ResponseWriter, r *http.Request, u *content.User) error {
	var in struct {
		URL            string `json:"url"`
		LeadParagraphs int    `json:"lead_paragraphs"`
	}
	if err := api.Decode(w, r, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.URL) == "" {
		return &content.Error{Code: content.EInvalid, Field: "url", Message: "give the url of the article to republish"}
	}
	if in.LeadParagraphs < 0 || in.LeadParagraphs > 50 {
		return &content.Error{Code: content.EInvalid, Field: "lead_paragraphs", Message: "lead_paragraphs must be between 1 and 50"}
	}
	res, err := a.cfg.Desk.RepublishURL(r.Context(), in.URL, republishOptions(u, in.LeadParagraphs))
	return a.republished(w, r, res, err)
}

// republished answers a republication: 201 with the draft, its inbox item
// and the warnings; a conflict naming the existing post when it was
// republished before.
func (a *API) republished(w http.ResponseWriter, r *http.Request, res *sourcedesk.Republished, err error) error {
	if err != nil {
		if res != nil && res.Existing {
			return api.WithPost(err, a.toPostJSON(res.Post))
		}
		return err
	}
	item, err := a.toItemJSON(r, res.Item)
	if err != nil {
		return err
	}
	warnings := res.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	w.Header().Set("Location", a.cfg.PostLink(res.Post))
	return api.WriteJSON(w, http.StatusCreated, map[string]any{"post": a.toPostJSON(res.Post), "item": item, "warnings": warnings})
}

// republishOptions makes the acting user the draft's author.
func republishOptions(u *content.User, lead int) sourcedesk.RepublishOptions {
	opt := sourcedesk.RepublishOptions{LeadParagraphs: lead}
	if u != nil {
		opt.Authors = []content.User{*u}
	}
	return opt
}
