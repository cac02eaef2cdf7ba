// Package admin is Broadsheet's editorial admin under /admin/: sign-in,
// the post and page lists, the Markdown editor with live preview,
// autosave, workflow, revisions, media, users, settings and API tokens.
// Its pages are server-rendered forms that work without script; static/
// holds the script that adds preview, autosave, image upload and the
// unsaved-changes warning (the content security policy forbids inline
// script). What an action may do is decided by package editorial and
// content's role rules, shared with the JSON Admin API (package api),
// which this package also mounts.
//
// Adding an area (the source desk, say): write its handlers in a file of
// their own as PageFunc (func(w, r, user) error); register them in Routes
// with a.page (or through Config.Areas from outside, with Admin.Page); add
// its templates to templates/ (one file per page, defining "content") and
// a link to the navigation in templates/layout.html. Every route gets
// sign-in, cross-origin protection of its forms and the error page for
// free; the role check is yours to write with content's Can* methods.
package admin

import (
	"cmp"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/admin/api"
	"github.com/broadsheet/broadsheet/internal/auth"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/mailer"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/newsletter"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
)

//go:embed templates/*.html static
var files embed.FS

// Config is what the admin needs from its composition root.
type Config struct {
	DB      *store.DB
	BaseURL string // the site's public address; https:// makes cookies Secure
	Log     *slog.Logger
	DataDir string // where uploads are kept (DataDir/media) unless Media is set
	// Media keeps the media library's files; default: a folder DataDir/media.
	Media media.Storage
	// Areas register more admin pages (their API endpoints go in APIAreas).
	Areas []func(a *Admin, mux *http.ServeMux)
	// APIAreas register more endpoints under /api/v1/, through the API's
	// adapter (see api.Area).
	APIAreas []api.Area
	// Hasher checks and hashes passwords; nil means auth.DefaultHasher.
	Hasher *auth.Hasher
	// Mail sends password links, invitations and the newsletter; nil
	// (serve without --smtp) turns them off, and the admin says so.
	Mail *mailer.Mailer
	// Newsletter, with Mail, renders the newsletter's messages for the
	// admin's preview and test send.
	Newsletter *newsletter.Service
}

// Admin serves /admin/ and /api/v1/.
type Admin struct {
	cfg   Config
	auth  *auth.Auth
	svc   *editorial.Service
	tmpl  *web.Templates
	api   *api.API
	cop   *http.CrossOriginProtection
	adapt *web.Adapter
	zone  *zone
}

// New parses the admin's templates and returns it.
func New(cfg Config) (*Admin, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Media == nil {
		cfg.Media = media.Dir{Root: filepath.Join(cfg.DataDir, "media")}
	}
	a := &Admin{cfg: cfg, svc: &editorial.Service{DB: cfg.DB}, cop: http.NewCrossOriginProtection()}
	a.zone = newZone(cfg.DB, cfg.Log)
	a.auth = &auth.Auth{DB: cfg.DB, Secure: strings.HasPrefix(cfg.BaseURL, "https://"), Hasher: cmp.Or(cfg.Hasher, auth.DefaultHasher)}
	tmpl, err := web.ParseTemplates(files, "templates", a.funcs())
	if err != nil {
		return nil, err
	}
	a.tmpl = tmpl
	a.adapt = &web.Adapter{Log: cfg.Log, Error: a.errorPage}
	a.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.errorPage(w, r, http.StatusForbidden, "This form was sent from another site, so it was refused. Go back to the admin and send it again from there.")
	}))
	a.api = api.New(api.Config{DB: cfg.DB, Auth: a.auth, BaseURL: cfg.BaseURL, Log: cfg.Log, Storage: cfg.Media, Areas: cfg.APIAreas})
	return a, nil
}

// Auth returns the admin's authenticator.
func (a *Admin) Auth() *auth.Auth { return a.auth }

// Routes registers the admin and the Admin API on mux.
func (a *Admin) Routes(mux *http.ServeMux) {
	static, _ := fs.Sub(files, "static")
	mux.Handle("GET /admin/static/", http.StripPrefix("/admin/static/", http.FileServerFS(static)))
	mux.Handle("GET /admin/login", a.public(a.loginForm))
	mux.Handle("POST /admin/login", a.public(a.login))
	mux.Handle("POST /admin/logout", a.public(a.logout))
	mux.Handle("GET /admin/{$}", a.page(a.dashboard))
	mux.Handle("GET /admin", http.RedirectHandler("/admin/", http.StatusMovedPermanently))
	a.postRoutes(mux)
	a.rowRoutes(mux)
	a.tokenRoutes(mux)
	a.mediaRoutes(mux)
	a.settingsRoutes(mux)
	a.userRoutes(mux)
	a.accountRoutes(mux)
	a.termRoutes(mux)
	a.commentRoutes(mux)
	a.newsletterRoutes(mux)
	a.mailRoutes(mux)
	for _, f := range a.cfg.Areas {
		f(a, mux)
	}
	mux.Handle("GET /admin/", a.page(func(w http.ResponseWriter, r *http.Request, u *content.User) error {
		return web.NotFound
	}))
	a.api.Routes(mux)
}

// APIPatterns lists every endpoint of the Admin API, its areas' included,
// as "METHOD /api/v1/path".
func (a *Admin) APIPatterns() []string { return a.api.Patterns() }

// Page adapts h for an admin area registered from outside this package
// (see Config.Areas): sign-in, cross-origin protection and the error page.
func (a *Admin) Page(h PageFunc) http.Handler { return a.page(h) }

// Render renders one of the admin's templates with status.
func (a *Admin) Render(w http.ResponseWriter, status int, page string, data any) error {
	return a.tmpl.Render(w, status, page, data)
}

// AreaPage is a page of an area that renders its own HTML (the source
// desk), shown inside the admin's layout: its bar, notes and styles.
type AreaPage struct {
	Layout
	// Body is the area's rendered HTML, trusted: it comes from the area's
	// own html/template templates, never from user input.
	Body template.HTML
}

// RenderArea renders an area's page inside the admin's layout with status.
func (a *Admin) RenderArea(w http.ResponseWriter, status int, p AreaPage) error {
	return a.tmpl.Render(w, status, "area", p)
}

// PageFunc handles an admin request by a signed-in user.
type PageFunc func(w http.ResponseWriter, r *http.Request, u *content.User) error

// public adapts a handler that needs no sign-in (the sign-in page itself).
func (a *Admin) public(h web.HandlerFunc) http.Handler {
	return a.cop.Handler(noStore(a.adapt.Handle(func(w http.ResponseWriter, r *http.Request) error {
		if err := web.CheckQuery(r); err != nil {
			return err
		}
		return h(w, r)
	})))
}

// page adapts h: unsigned visitors are sent to the sign-in page, forms
// from other sites are refused, errors get the admin's error page.
func (a *Admin) page(h PageFunc) http.Handler {
	return a.cop.Handler(noStore(a.adapt.Handle(func(w http.ResponseWriter, r *http.Request) error {
		if err := web.CheckQuery(r); err != nil {
			return err
		}
		u, _, err := a.auth.Identify(r)
		if err != nil && content.ErrorCode(err) != content.EUnauthorized {
			return err
		}
		if u == nil {
			if r.Method != http.MethodGet {
				return content.Errorf(content.EUnauthorized, "Your session has ended: sign in again, then repeat what you did.")
			}
			http.Redirect(w, r, "/admin/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return nil
		}
		// Times on every page are given and read in the site's zone.
		if err := a.zone.ensure(r.Context()); err != nil {
			return err
		}
		return h(w, r.WithContext(auth.WithUser(r.Context(), u)), u)
	})))
}

func noStore(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// Layout is shared by every admin page.
type Layout struct {
	Title   string
	User    *content.User
	Section string // the navigation entry to highlight
	Flash   string // a note about what just happened
	Error   string // what went wrong, in words a person can act on
	Field   string // the form field the error is about
}

// ErrorPage is the page for a failed request.
type ErrorPage struct {
	Layout
	Status int
}

func (a *Admin) errorPage(w http.ResponseWriter, r *http.Request, status int, message string) {
	p := ErrorPage{Layout: Layout{Title: http.StatusText(status), User: auth.UserFrom(r.Context()), Error: message}, Status: status}
	if err := a.tmpl.Render(w, status, "error", p); err != nil {
		http.Error(w, message, status)
	}
}

func (a *Admin) render(w http.ResponseWriter, page string, data any) error {
	return a.tmpl.Render(w, http.StatusOK, page, data)
}

func (a *Admin) funcs() template.FuncMap {
	return template.FuncMap{
		"when": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(a.zone.get()).Format("2 Jan 2006 15:04 MST")
		},
		"html":    func(s string) template.HTML { return template.HTML(s) }, // only for sanitised, rendered HTML
		"join":    strings.Join,
		"has":     slices.Contains[[]string],
		"can":     can,
		"snippet": editorial.Snippet,
		"kb":      func(n int64) string { return fmt.Sprintf("%.0f KB", float64(n)/1024) },
	}
}

// can answers the templates' questions about what the user may do.
func can(u *content.User, what string, p *content.Post) bool {
	if u == nil {
		return false
	}
	switch what {
	case "edit":
		return u.CanEdit(p)
	case "publish":
		return u.CanPublish(p)
	case "others":
		return u.CanEditOthers()
	case "pages":
		return u.CanCreate(content.KindPage)
	case "users":
		return u.CanManageUsers()
	case "settings":
		return u.CanManageSettings()
	case "sources":
		return u.CanManageSources()
	case "terms":
		return u.CanManageTerms()
	case "comments":
		return u.CanEditOthers()
	}
	return false
}

// errorFor splits an error into the message and field a form shows; an
// unexpected error is returned for the adapter instead.
func errorFor(err error) (msg, field string, unexpected error) {
	var ce *content.Error
	if errors.As(err, &ce) && ce.Code != content.EInternal {
		return ce.Error(), ce.Field, nil
	}
	var he *web.HTTPError
	if errors.As(err, &he) {
		return he.Message, "", nil
	}
	return "", "", fmt.Errorf("admin: %w", err)
}
