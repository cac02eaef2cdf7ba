// Package deskhttp is the source desk's part of the Admin API: JSON
// handlers for sources (/api/v1/sources) and the inbox (/api/v1/inbox,
// including republishing an item). It knows nothing of sessions or roles:
// whoever mounts it passes an Authorise callback that decides, for each
// request, who is acting and whether they may (the desk is for editors and
// up), and wraps it in the same cross-origin protection as the rest of the
// admin.
package deskhttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/sourcedesk"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
)

// Authorise decides whether r may use the desk. It returns the acting user
// (the author of drafts it republishes; nil for none) or an error carrying
// content.EUnauthorized or content.EForbidden.
type Authorise func(r *http.Request) (*content.User, error)

// Config configures the API.
type Config struct {
	Desk      *sourcedesk.Desk
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
	cfg      Config
	mux      *http.ServeMux
	patterns []string
}

// maxBody bounds a request body.
const maxBody = 1 << 20

// New returns the API. Mount it with Mount, or serve it as a handler for
// /api/v1/sources and /api/v1/inbox and everything under them.
func New(cfg Config) *API {
	if cfg.PostLink == nil {
		cfg.PostLink = func(p *content.Post) string { return "/admin/posts/" + strconv.FormatInt(p.ID, 10) }
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	a := &API{cfg: cfg, mux: http.NewServeMux()}
	a.handle("GET /api/v1/sources", a.listSources)
	a.handle("POST /api/v1/sources", a.createSource)
	a.handle("GET /api/v1/sources/{id}", a.getSource)
	a.handle("PATCH /api/v1/sources/{id}", a.updateSource)
	a.handle("PUT /api/v1/sources/{id}", a.updateSource)
	a.handle("DELETE /api/v1/sources/{id}", a.deleteSource)
	a.handle("POST /api/v1/sources/{id}/poll", a.pollSource)
	a.handle("GET /api/v1/inbox", a.listInbox)
	a.handle("GET /api/v1/inbox/{id}", a.getItem)
	a.handle("PATCH /api/v1/inbox/{id}", a.setItemState)
	a.handle("POST /api/v1/inbox/{id}/republish", a.republish)
	return a
}

// Mount registers the API's routes on mux, each with its method, so they
// sit beside the public site's "GET /" without conflict.
func (a *API) Mount(mux *http.ServeMux) {
	for _, p := range a.patterns {
		mux.Handle(p, a)
	}
}

// ServeHTTP serves one request.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	a.mux.ServeHTTP(w, r)
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, user *content.User) error

func (a *API) handle(pattern string, h handlerFunc) {
	a.patterns = append(a.patterns, pattern)
	a.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		err := web.CheckAddress(r)
		var user *content.User
		if err == nil {
			user, err = a.cfg.Authorise(r)
		}
		if err == nil {
			err = h(w, r, user)
		}
		if err != nil {
			a.fail(w, r, err)
		}
	})
}

// errorBody is every failure's JSON.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
	// Post is the existing post when republishing twice.
	Post *postJSON `json:"post,omitempty"`
}

var statusOf = map[string]int{
	content.EInvalid: http.StatusBadRequest, content.ENotFound: http.StatusNotFound,
	content.EConflict: http.StatusConflict, content.EUnauthorized: http.StatusUnauthorized,
	content.EForbidden: http.StatusForbidden,
}

func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var body errorBody
	body.Error.Code = content.ErrorCode(err)
	body.Error.Message = content.ErrorMessage(err)
	var ce *content.Error
	if errors.As(err, &ce) {
		body.Error.Message, body.Error.Field = ce.Message, ce.Field
	}
	var ex *existingError
	if errors.As(err, &ex) {
		body.Post = ex.post
	}
	status, ok := statusOf[body.Error.Code]
	if !ok {
		status = http.StatusInternalServerError
		a.cfg.Log.Error("source desk API", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// decode reads a JSON request body into v, refusing other media types (which
// also keeps plain HTML forms from other sites out), unknown fields and
// trailing data, with messages that say where the body is wrong.
func decode(r *http.Request, v any) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		return content.Errorf(content.EInvalid, "Send the request body as JSON, with Content-Type: application/json (not %q).", r.Header.Get("Content-Type"))
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody+1))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF):
			return content.Errorf(content.EInvalid, "The request body is empty; send a JSON object.")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return content.Errorf(content.EInvalid, "The JSON body is malformed: it ends before the value is complete.")
		case errors.As(err, &se):
			return content.Errorf(content.EInvalid, "The JSON body is malformed at byte %d: %v.", se.Offset, err)
		case errors.As(err, &te):
			return &content.Error{Code: content.EInvalid, Field: te.Field,
				Message: fmt.Sprintf("expected %s, got a JSON %s", te.Type, te.Value)}
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return &content.Error{Code: content.EInvalid, Field: f, Message: "no such field"}
		}
		return content.Errorf(content.EInvalid, "The JSON body could not be read: %v.", err)
	}
	if dec.More() {
		return content.Errorf(content.EInvalid, "The request body holds more than one JSON value.")
	}
	return nil
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, content.Errorf(content.ENotFound, "%q is not an id.", r.PathValue("id"))
	}
	return id, nil
}

// sourceJSON is a source as the API shows it.
type sourceJSON struct {
	ID              int64      `json:"id"`
	Name            string     `json:"name"`
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
	s := sourceJSON{ID: o.ID, Name: o.Name, Homepage: o.Homepage, Feeds: []feedJSON{}, Attribution: o.Attribution,
		AttributionLine: o.AttributionLine(), Notes: o.Notes, Canonical: o.Canonical,
		IntervalMinutes: int(o.Interval / time.Minute), NextPollAt: timePtr(o.NextPollAt),
		LastPolledAt: timePtr(o.LastPolledAt), LastSuccessAt: timePtr(o.LastSuccessAt), LastError: o.LastError, Failures: o.Failures}
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
	writeJSON(w, http.StatusOK, map[string]any{"sources": out})
	return nil
}

func (a *API) createSource(w http.ResponseWriter, r *http.Request, _ *content.User) error {
	var in sourceInput
	if err := decode(r, &in); err != nil {
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
	writeJSON(w, http.StatusCreated, map[string]any{"source": toSourceJSON(o)})
	return nil
}

func (a *API) getSource(w http.ResponseWriter, r *http.Request, _ *content.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := a.cfg.Desk.DB.FindOutletByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"source": toSourceJSON(o)})
	return nil
}

func (a *API) updateSource(w http.ResponseWriter, r *http.Request, _ *content.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in sourceInput
	if err := decode(r, &in); err != nil {
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
	writeJSON(w, http.StatusOK, map[string]any{"source": toSourceJSON(o)})
	return nil
}

func (a *API) deleteSource(w http.ResponseWriter, r *http.Request, _ *content.User) error {
	id, err := pathID(r)
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
	id, err := pathID(r)
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
		"not_modified": res.NotModified, "skipped": res.Skipped}
	writeJSON(w, http.StatusOK, out)
	return nil
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
	PublishedAt time.Time `json:"published_at"`
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
		Summary: it.Summary, Content: it.Content, Author: it.Author, PublishedAt: it.PublishedAt, State: string(it.State)}
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
	writeJSON(w, http.StatusOK, map[string]any{"items": out, "total": total, "page": page, "per_page": f.Limit})
	return nil
}

func (a *API) getItem(w http.ResponseWriter, r *http.Request, _ *content.User) error {
	id, err := pathID(r)
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
	writeJSON(w, http.StatusOK, map[string]any{"item": j})
	return nil
}

func (a *API) setItemState(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		State string `json:"state"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := a.cfg.Desk.DB.Update(r.Context(), func(tx *store.Tx) error {
		return tx.SetItemState(r.Context(), id, content.ItemState(in.State))
	}); err != nil {
		return err
	}
	return a.getItem(w, r, u)
}

// existingError is a conflict that names the post already made.
type existingError struct {
	error
	post *postJSON
}

func (e *existingError) Unwrap() error { return e.error }

func (a *API) republish(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		LeadParagraphs int `json:"lead_paragraphs"`
	}
	if r.ContentLength != 0 {
		if err := decode(r, &in); err != nil {
			return err
		}
	}
	if in.LeadParagraphs < 0 || in.LeadParagraphs > 50 {
		return &content.Error{Code: content.EInvalid, Field: "lead_paragraphs", Message: "lead_paragraphs must be between 1 and 50"}
	}
	res, err := a.cfg.Desk.Republish(r.Context(), id, republishOptions(u, in.LeadParagraphs))
	if err != nil {
		if res != nil && res.Existing {
			return &existingError{error: err, post: a.toPostJSON(res.Post)}
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
	writeJSON(w, http.StatusCreated, map[string]any{"post": a.toPostJSON(res.Post), "item": item, "warnings": warnings})
	return nil
}

// republishOptions makes the acting user the draft's author.
func republishOptions(u *content.User, lead int) sourcedesk.RepublishOptions {
	opt := sourcedesk.RepublishOptions{LeadParagraphs: lead}
	if u != nil {
		opt.Authors = []content.User{*u}
	}
	return opt
}
