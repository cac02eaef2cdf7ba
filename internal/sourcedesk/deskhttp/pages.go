package deskhttp

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/admin/api"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/sourcedesk"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
)

//go:embed templates
var templatesFS embed.FS

// framedFS replaces the desk's layout when its pages are shown inside
// another one (Config.Frame).
//
//go:embed framed
var framedFS embed.FS

// Pages serves the desk's HTML admin pages: Sources (list, add, poll now,
// remove) and Inbox (filters, search, star, skip, republish). Forms post
// back to the same paths and answer with a redirect (303), so the admin's
// cross-origin protection covers them like any other admin form.
type Pages struct {
	cfg      Config
	base     string
	tmpl     *web.Templates
	framed   *web.Templates // the pages without the desk's own layout
	mux      *http.ServeMux
	patterns []string
}

// pageData is what every desk page renders.
type pageData struct {
	Base, Title, Section string
	Error, ErrorField    string
	Existing             *postJSON
	URL                  string // the address in the republish-from-URL form

	Sources []*content.Outlet
	Form    sourceForm
	// Notice says the form was filled in from the homepage, to check.
	Notice string

	Items      []inboxRow
	Total      int
	Filter     inboxFilter
	Prev, Next string
}

type sourceForm struct {
	Name, Homepage, Feeds, Attribution, Notes, Canonical, Interval string
}

type inboxFilter struct {
	Source int64
	State  string
	Q      string
}

type inboxRow struct {
	*content.Item
	Post *postJSON
}

// NewPages returns the HTML pages under base (e.g. "/admin").
func NewPages(cfg Config, base string) (*Pages, error) {
	desk := New(cfg) // fills the defaults
	base = strings.TrimSuffix(base, "/")
	funcs := template.FuncMap{
		"stamp":   func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") },
		"iso":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"minutes": func(d time.Duration) int { return int(d / time.Minute) },
		"ago":     func(t time.Time) string { return ago(time.Since(t), t) },
		"excerpt": func(s string) string { return sourcedesk.Truncate(strings.Join(strings.Fields(s), " "), 280) },
		"states": func() []string {
			return []string{string(content.ItemNew), string(content.ItemStarred), string(content.ItemSkipped), string(content.ItemRepublished)}
		},
	}
	tmpl, err := web.ParseTemplates(templatesFS, "templates", funcs)
	if err != nil {
		return nil, err
	}
	upper, _ := fs.Sub(framedFS, "framed")
	framed, err := web.ParseTemplates(web.Overlay{Upper: upper, Lower: templatesFS}, "templates", funcs)
	if err != nil {
		return nil, err
	}
	p := &Pages{cfg: desk.cfg, base: base, tmpl: tmpl, framed: framed, mux: http.NewServeMux()}
	p.handle("GET "+base+"/sources", p.sources)
	p.handle("POST "+base+"/sources", p.addSource)
	p.handle("POST "+base+"/sources/{id}/poll", p.pollSource)
	p.handle("POST "+base+"/sources/{id}/delete", p.deleteSource)
	p.handle("GET "+base+"/inbox", p.inbox)
	p.handle("POST "+base+"/inbox/{id}/state", p.setState)
	p.handle("POST "+base+"/inbox/{id}/republish", p.republish)
	p.handle("POST "+base+"/republish", p.republishURL)
	for name, ctype := range map[string]string{"sourcedesk.css": "text/css; charset=utf-8", "inbox.js": "text/javascript; charset=utf-8"} {
		body, _ := templatesFS.ReadFile("templates/" + name)
		p.patterns = append(p.patterns, "GET "+base+"/"+name)
		p.mux.HandleFunc("GET "+base+"/"+name, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			w.Write(body)
		})
	}
	return p, nil
}

// ago says how long ago t was, for an inbox item: "12 minutes ago",
// "3 hours ago", "yesterday", then the date.
func ago(d time.Duration, t time.Time) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	case d < 48*time.Hour:
		return "yesterday"
	case d < 7*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day") + " ago"
	}
	return t.UTC().Format("2 Jan 2006")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// Mount registers the pages' routes on mux, each with its method.
func (p *Pages) Mount(mux *http.ServeMux) {
	for _, pat := range p.patterns {
		mux.Handle(pat, p)
	}
}

// ServeHTTP serves one request.
func (p *Pages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	p.mux.ServeHTTP(w, r)
}

// maxFormBytes bounds a form's body.
const maxFormBytes = 1 << 20

// pageFunc handles a request for a page by user.
type pageFunc func(w http.ResponseWriter, r *http.Request, user *content.User) error

func (p *Pages) handle(pattern string, h pageFunc) {
	p.patterns = append(p.patterns, pattern)
	p.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		err := web.CheckAddress(r)
		var user *content.User
		if err == nil {
			user, err = p.cfg.Authorise(r)
		}

		if content.ErrorCode(err) == content.EUnauthorized && r.Method == http.MethodGet && p.cfg.SignIn != "" {
			http.Redirect(w, r, p.cfg.SignIn+"?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if err == nil {
			r = r.WithContext(context.WithValue(r.Context(), userKey{}, user))
			err = h(w, r, user)
		}
		if err != nil {
			status := web.StatusOf(err)
			msg := content.ErrorMessage(err)
			if status >= 500 {
				p.cfg.Log.Error("source desk page", "method", r.Method, "path", r.URL.Path, "err", err)
				msg = "Something went wrong on our side. Please try again in a moment."
			}
			p.render(w, r, status, "error", &pageData{Title: http.StatusText(status), Error: msg})
		}
	})
}

// userKey keys the acting user in a request's context.
type userKey struct{}

func (p *Pages) render(w http.ResponseWriter, r *http.Request, status int, page string, d *pageData) error {
	d.Base = p.base
	if p.cfg.Frame == nil {
		return p.tmpl.Render(w, status, page, d)
	}
	var buf bytes.Buffer
	if err := p.framed.Execute(&buf, page, d); err != nil {
		return err
	}
	u, _ := r.Context().Value(userKey{}).(*content.User)
	return p.cfg.Frame(w, r, status, Frame{Title: d.Title, Section: d.Section, User: u,
		Body: template.HTML(buf.String())}) // our own templates' output
}

func (p *Pages) sources(w http.ResponseWriter, r *http.Request, _ *content.User) error {
	return p.renderSources(w, r, http.StatusOK, sourceForm{Attribution: content.DefaultAttribution,
		Canonical: content.CanonicalOriginal, Interval: strconv.Itoa(int(content.DefaultPollInterval / time.Minute))}, nil)
}

func (p *Pages) renderSources(w http.ResponseWriter, r *http.Request, status int, f sourceForm, formErr error) error {
	all, err := p.cfg.Desk.DB.FindOutlets(r.Context())
	if err != nil {
		return err
	}
	d := &pageData{Title: "Sources", Section: "sources", Sources: all, Form: f}
	if formErr != nil {
		d.Error = content.ErrorMessage(formErr)
		var ce *content.Error
		if errors.As(formErr, &ce) {
			d.ErrorField = ce.Field
		}
	}
	return p.render(w, r, status, "sources", d)
}

// renderSuggested shows the sources page with the add form filled in
// from the source's homepage, not yet added.
func (p *Pages) renderSuggested(w http.ResponseWriter, r *http.Request, f sourceForm) error {
	all, err := p.cfg.Desk.DB.FindOutlets(r.Context())
	if err != nil {
		return err
	}
	d := &pageData{Title: "Sources", Section: "sources", Sources: all, Form: f,
		Notice: "The name and feeds below are the ones the homepage gives: check them, then add the source."}
	return p.render(w, r, http.StatusOK, "sources", d)
}

func (p *Pages) addSource(w http.ResponseWriter, r *http.Request, _ *content.User) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return content.Errorf(content.EInvalid, "The form could not be read: %v", err)
	}
	f := sourceForm{Name: r.PostForm.Get("name"), Homepage: r.PostForm.Get("homepage"), Feeds: r.PostForm.Get("feeds"),
		Attribution: r.PostForm.Get("attribution"), Notes: r.PostForm.Get("notes"), Canonical: r.PostForm.Get("canonical"),
		Interval: r.PostForm.Get("interval")}
	if strings.TrimSpace(f.Name) == "" && strings.TrimSpace(f.Homepage) != "" && content.ValidateHTTPURL(strings.TrimSpace(f.Homepage)) == nil {
		// No name given: the form comes back with the name (and the
		// feeds) the homepage gives, for the editor to check and send.
		s, err := p.cfg.Desk.Suggest(r.Context(), strings.TrimSpace(f.Homepage))
		if s.Name == "" && err != nil {
			return p.renderSources(w, r, http.StatusBadRequest, f, err)
		}
		if s.Name == "" {
			return p.renderSources(w, r, http.StatusBadRequest, f,
				content.FieldError("name", "the source needs a name, and its homepage gives none: type the outlet's name"))
		}
		f.Name = s.Name
		if strings.TrimSpace(f.Feeds) == "" {
			f.Feeds = strings.Join(s.Feeds, "\n")
		}
		return p.renderSuggested(w, r, f)
	}
	o := &content.Outlet{Name: f.Name, Homepage: f.Homepage, Attribution: f.Attribution, Notes: f.Notes, Canonical: f.Canonical}
	for _, line := range strings.Split(f.Feeds, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			o.Feeds = append(o.Feeds, content.Feed{URL: line})
		}
	}
	if s := strings.TrimSpace(f.Interval); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return p.renderSources(w, r, http.StatusBadRequest, f,
				content.FieldError("interval", "the polling interval must be a whole number of minutes, not %q", s))
		}
		o.Interval = time.Duration(n) * time.Minute
	}
	if err := p.cfg.Desk.AddOutlet(r.Context(), o); err != nil {
		if content.ErrorCode(err) == content.EInvalid {
			return p.renderSources(w, r, http.StatusBadRequest, f, err)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("%s/sources#source-%d", p.base, o.ID), http.StatusSeeOther)
	return nil
}

func (p *Pages) pollSource(w http.ResponseWriter, r *http.Request, _ *content.User) error {
	id, err := api.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := p.cfg.Desk.PollNow(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("%s/sources#source-%d", p.base, id), http.StatusSeeOther)
	return nil
}

func (p *Pages) deleteSource(w http.ResponseWriter, r *http.Request, _ *content.User) error {
	id, err := api.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := p.cfg.Desk.DB.Update(r.Context(), func(tx *store.Tx) error { return tx.DeleteOutlet(r.Context(), id) }); err != nil {
		return err
	}
	http.Redirect(w, r, p.base+"/sources", http.StatusSeeOther)
	return nil
}

const inboxPerPage = 50

func (p *Pages) inbox(w http.ResponseWriter, r *http.Request, _ *content.User) error {
	return p.renderInbox(w, r, http.StatusOK, nil)
}

func (p *Pages) renderInbox(w http.ResponseWriter, r *http.Request, status int, existing *postJSON) error {
	return p.renderInboxWith(w, r, status, &pageData{Existing: existing})
}

// renderInboxWith renders the inbox over d, which may carry an error and
// the republish form's address.
func (p *Pages) renderInboxWith(w http.ResponseWriter, r *http.Request, status int, d *pageData) error {
	q := r.URL.Query()
	fl := inboxFilter{State: q.Get("state"), Q: q.Get("q")}
	f := store.ItemFilter{Query: fl.Q, Limit: inboxPerPage}
	if s := q.Get("source"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return content.FieldError("source", "%q is not a source id", s)
		}
		fl.Source, f.OutletID = id, id
	}
	switch fl.State {
	case "":
		f.States = []content.ItemState{content.ItemNew, content.ItemStarred}
	case "all":
	default:
		if !content.ItemState(fl.State).Valid() {
			return content.FieldError("state", "unknown state %q", fl.State)
		}
		f.States = []content.ItemState{content.ItemState(fl.State)}
	}
	page := 1
	if s := q.Get("page"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			page = n
		}
	}
	f.Offset = (page - 1) * inboxPerPage
	items, total, err := p.cfg.Desk.DB.FindItems(r.Context(), f)
	if err != nil {
		return err
	}
	all, err := p.cfg.Desk.DB.FindOutlets(r.Context())
	if err != nil {
		return err
	}
	desk := &API{cfg: p.cfg}
	d.Title, d.Section, d.Sources, d.Total, d.Filter = "Inbox", "inbox", all, total, fl
	for _, it := range items {
		j, err := desk.toItemJSON(r, it)
		if err != nil {
			return err
		}
		d.Items = append(d.Items, inboxRow{Item: it, Post: j.Post})
	}
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("page", strconv.Itoa(n))
		return p.base + "/inbox?" + v.Encode()
	}
	if page > 1 {
		d.Prev = link(page - 1)
	}
	if page*inboxPerPage < total {
		d.Next = link(page + 1)
	}
	return p.render(w, r, status, "inbox", d)
}

// back returns to the inbox page the form was posted from, if it was one.
func (p *Pages) back(w http.ResponseWriter, r *http.Request, anchor string) {
	to := p.base + "/inbox"
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Path == to && (ref.Host == "" || ref.Host == r.Host) {
		to += "?" + ref.RawQuery
	}
	http.Redirect(w, r, to+anchor, http.StatusSeeOther)
}

func (p *Pages) setState(w http.ResponseWriter, r *http.Request, _ *content.User) error {
	id, err := api.PathID(r, "id")
	if err != nil {
		return err
	}
	state := content.ItemState(r.PostFormValue("state"))
	if err := p.cfg.Desk.DB.Update(r.Context(), func(tx *store.Tx) error { return tx.SetItemState(r.Context(), id, state) }); err != nil {
		return err
	}
	p.back(w, r, fmt.Sprintf("#item-%d", id))
	return nil
}

func (p *Pages) republish(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := api.PathID(r, "id")
	if err != nil {
		return err
	}
	res, err := p.cfg.Desk.Republish(r.Context(), id, republishOptions(u, 0))
	return p.republished(w, r, res, err)
}

// republishURL republishes the article at the address the form gives;
// a bad address shows the inbox again with the error beside the field.
func (p *Pages) republishURL(w http.ResponseWriter, r *http.Request, u *content.User) error {
	raw := strings.TrimSpace(r.PostFormValue("url"))
	res, err := p.cfg.Desk.RepublishURL(r.Context(), raw, republishOptions(u, 0))
	var ce *content.Error
	if errors.As(err, &ce) && ce.Field == "url" {
		r.URL.RawQuery = ""
		return p.renderInboxWith(w, r, http.StatusUnprocessableEntity, &pageData{URL: raw, Error: ce.Message, ErrorField: "url"})
	}
	return p.republished(w, r, res, err)
}

// republished answers a republication: the new draft in the post editor,
// with a note; the inbox naming the post made before when it was
// republished already.
func (p *Pages) republished(w http.ResponseWriter, r *http.Request, res *sourcedesk.Republished, err error) error {
	if err != nil {
		if res != nil && res.Existing {
			desk := &API{cfg: p.cfg}
			r.URL.RawQuery = "state=all"
			return p.renderInbox(w, r, http.StatusConflict, desk.toPostJSON(res.Post))
		}
		return err
	}
	http.Redirect(w, r, withFlash(p.cfg.PostLink(res.Post), republishedNote(res)), http.StatusSeeOther)
	return nil
}

// republishedNote is what the editor reads on opening the new draft: what
// was made, what to do next, and anything that did not go to plan (an
// image left out, the feed's text used instead of the page's).
func republishedNote(res *sourcedesk.Republished) string {
	note := fmt.Sprintf("Republished from %s as a draft: write the introduction, then publish.", res.Post.Source.Name)
	// The note travels in the address; a long list is cut short, the
	// count kept.
	const shown = 3
	for i, w := range res.Warnings {
		if i == shown {
			note += fmt.Sprintf(" And %d more warnings.", len(res.Warnings)-shown)
			break
		}
		note += " Warning: " + w
	}
	return note
}

// withFlash adds the admin's one-line note (?flash=) to link.
func withFlash(link, note string) string {
	sep := "?"
	if strings.Contains(link, "?") {
		sep = "&"
	}
	return link + sep + "flash=" + url.QueryEscape(note)
}
