// Package api is Broadsheet's JSON Admin API under /api/v1/: everything
// the editor does, for scripts and for the admin's own pages. Requests are
// authenticated by a bearer token (Authorization: Bearer TOKEN) or the
// admin's session cookie; every call checks the user's role. Failures are
// JSON, {"error": {"code", "message", "field"}}, with 400 (malformed
// request), 401, 403, 404, 409 (slug clash, edit conflict), 413 (too
// large), 422 (a value is not acceptable) or 503 with Retry-After (the
// database is away); a bad request never gets a 500. The contract is
// documented in docs/admin-api.md and, for tools, docs/openapi.json.
//
// Every endpoint under /api/v1/ goes through this package's one adapter
// (Router.Handle): the API's own, listed in routes, and those of the areas
// outside it (the source desk's, search's), which register through
// Config.Areas and read and write JSON with Decode and WriteJSON. So every
// endpoint authenticates, checks its address, decodes and fails alike.
package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/broadsheet/broadsheet/internal/auth"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
)

// MaxBodyBytes bounds a JSON request body.
const MaxBodyBytes = 4 << 20

// Config is what the API needs from its composition root.
type Config struct {
	DB      *store.DB
	Auth    *auth.Auth
	BaseURL string // the site's public address; "" takes it from each request
	Log     *slog.Logger
	// Storage keeps the media library's files.
	Storage media.Storage
	// Areas register the endpoints of the areas outside this package (the
	// source desk's, search's) under /api/v1/.
	Areas []Area
}

// Area registers an area's endpoints with r.Handle, each its pattern and
// HandlerFunc; the area never sees the mux, so none of its endpoints can
// bypass the API's adapter.
type Area func(r *Router)

// Router registers endpoints through the API's adapter.
type Router struct {
	api      *API
	mux      *http.ServeMux // nil when only listing patterns
	patterns []string
}

// Handle registers h for pattern ("METHOD /api/v1/path") through the
// API's adapter, which refuses cross-site browser requests, checks the
// address, signs the caller in and renders a returned error in the one
// envelope.
func (r *Router) Handle(pattern string, h HandlerFunc) {
	r.patterns = append(r.patterns, pattern)
	if r.mux != nil {
		r.mux.Handle(pattern, r.api.adapt(h))
	}
}

// API serves /api/v1/.
type API struct {
	cfg Config
	svc *editorial.Service
	cop *http.CrossOriginProtection
}

// New returns the API.
func New(cfg Config) *API {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	a := &API{cfg: cfg, svc: &editorial.Service{DB: cfg.DB}, cop: http.NewCrossOriginProtection()}
	a.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &web.HTTPError{Status: http.StatusForbidden,
			Message: "Cross-origin request refused: the Admin API accepts state changes only from its own site or with a bearer token."})
	}))
	return a
}

// HandlerFunc handles an authenticated API call by u.
type HandlerFunc func(w http.ResponseWriter, r *http.Request, u *content.User) error

// routes are the API's own endpoints.
func (a *API) routes() []struct {
	pattern string
	h       HandlerFunc
} {
	return []struct {
		pattern string
		h       HandlerFunc
	}{
		{"GET /api/v1/me", a.me},
		{"GET /api/v1/posts", a.listPosts},
		{"POST /api/v1/posts", a.createPost},
		{"GET /api/v1/posts/{id}", a.getPost},
		{"PATCH /api/v1/posts/{id}", a.patchPost},
		{"DELETE /api/v1/posts/{id}", a.deletePost},
		{"GET /api/v1/posts/{id}/revisions", a.listRevisions},
		{"GET /api/v1/posts/{id}/revisions/{n}", a.getRevision},
		{"POST /api/v1/posts/{id}/revisions/{n}/restore", a.restoreRevision},
		{"POST /api/v1/preview", a.preview},
		{"GET /api/v1/media", a.listMedia},
		{"POST /api/v1/media", a.uploadMedia},
		{"PATCH /api/v1/media/{id}", a.patchMedia},
		{"DELETE /api/v1/media/{id}", a.deleteMedia},
		{"GET /api/v1/tokens", a.listTokens},
		{"POST /api/v1/tokens", a.createToken},
		{"DELETE /api/v1/tokens/{id}", a.revokeToken},
		{"GET /api/v1/settings", a.getSettings},
		{"PATCH /api/v1/settings", a.patchSettings},
		{"GET /api/v1/users", a.listUsers},
		{"POST /api/v1/users", a.createUser},
	}
}

// Patterns lists every endpoint the API serves, its own and its areas',
// as "METHOD /api/v1/path"; docs/openapi.json describes each (a test
// keeps the two in step).
func (a *API) Patterns() []string {
	return a.register(nil)
}

// Routes registers the API and its areas on mux.
func (a *API) Routes(mux *http.ServeMux) {
	a.register(mux)
	// The site answers every other GET; these make unknown API calls JSON.
	unknown := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, content.Errorf(content.ENotFound, "There is no API endpoint %s %s.", r.Method, r.URL.Path))
	})
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		mux.Handle(m+" /api/", unknown)
	}
}

// register registers every endpoint on mux (nil: none) and returns their
// patterns.
func (a *API) register(mux *http.ServeMux) []string {
	r := &Router{api: a, mux: mux}
	for _, rt := range append(append(a.routes(), a.termRoutes()...), a.commentRoutes()...) {
		r.Handle(rt.pattern, rt.h)
	}
	for _, area := range a.cfg.Areas {
		area(r)
	}
	return r.patterns
}

// adapt is the API's one adapter: it refuses cross-site browser requests,
// checks the address, authenticates the caller and renders a returned
// error in the one envelope.
func (a *API) adapt(h HandlerFunc) http.Handler {
	return a.cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if err := web.CheckAddress(r); err != nil {
			var ce *content.Error
			if errors.As(err, &ce) && ce.Code == content.EInvalid {
				err = &badRequest{ce}
			}
			writeError(w, err)
			return
		}
		u, _, err := a.cfg.Auth.Identify(r)
		if err == nil && u == nil {
			err = content.Errorf(content.EUnauthorized, "Sign in first, or send an API token as \"Authorization: Bearer TOKEN\".")
		}
		if err == nil {
			err = h(w, r.WithContext(auth.WithUser(r.Context(), u)), u)
		}
		if err != nil {
			if StatusOf(err) >= 500 {
				a.cfg.Log.Error("api call failed", "method", r.Method, "path", r.URL.Path, "err", err)
			}
			writeError(w, err)
		}
	}))
}

// StatusOf maps an error to the API's status: as the site's, except that
// a value that is well-formed but not acceptable is 422.
func StatusOf(err error) int {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	var be *badRequest
	if errors.As(err, &be) {
		return http.StatusBadRequest
	}
	if content.ErrorCode(err) == content.EInvalid {
		return http.StatusUnprocessableEntity
	}
	return web.StatusOf(err)
}

// badRequest is a request the API cannot read: malformed JSON, an unknown
// field, a value of the wrong type.
type badRequest struct{ err *content.Error }

func (e *badRequest) Error() string { return e.err.Error() }
func (e *badRequest) Unwrap() error { return e.err }

func malformed(field, format string, args ...any) error {
	return &badRequest{&content.Error{Code: content.EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}}
}

// ErrorBody is the JSON of every failure.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
	// Post is the post in the way, when the error names one (WithPost).
	Post any `json:"post,omitempty"`
}

// WithPost returns err naming post, the post in the way (the draft an
// inbox item was already republished as): the failure's JSON carries it
// beside "error", so a client can go to it.
func WithPost(err error, post any) error { return &withPost{err, post} }

type withPost struct {
	error
	post any
}

func (e *withPost) Unwrap() error { return e.error }

// ErrorDetail says what went wrong and where.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func writeError(w http.ResponseWriter, err error) {
	status := StatusOf(err)
	d := ErrorDetail{Code: content.ErrorCode(err), Message: content.ErrorMessage(err)}
	var ce *content.Error
	if errors.As(err, &ce) {
		d.Message, d.Field = ce.Message, ce.Field
	}
	var he *web.HTTPError
	if errors.As(err, &he) {
		d.Message = he.Message
		d.Code = codeOf(he.Status)
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		d.Code, d.Message = "too_large", fmt.Sprintf("The request body is larger than the limit of %d bytes.", mbe.Limit)
	}
	if status == http.StatusInternalServerError {
		d.Message = "Something went wrong on our side; nothing was changed by this request. Please try again."
	}
	if status == http.StatusServiceUnavailable && he == nil {
		// The database is unreachable for now (a restart, a cut connection).
		d.Code, d.Message = codeOf(status), "The site's database is briefly unavailable. Please try again in a moment."
	}
	body := ErrorBody{Error: d}
	var wp *withPost
	if errors.As(err, &wp) {
		body.Post = wp.post
	}
	web.SetRetryAfter(w, err, status)
	WriteJSON(w, status, body)
}

func codeOf(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "too_many_requests"
	case http.StatusForbidden:
		return content.EForbidden
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	}
	return strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_")
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Decode reads the request's JSON body into v, refusing unknown fields,
// trailing data, bodies over MaxBodyBytes and bodies that are not UTF-8
// (which encoding/json would quietly turn into U+FFFD); a body it cannot
// read is a 400 naming the problem and, when there is one, the field.
func Decode(w http.ResponseWriter, r *http.Request, v any) error {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		return decodeError(err)
	}
	if !utf8.Valid(raw) {
		at := 0
		for i := 0; i < len(raw); {
			c, size := utf8.DecodeRune(raw[i:])
			if c == utf8.RuneError && size == 1 {
				at = i
				break
			}
			i += size
		}
		return malformed("", "the request body is not valid UTF-8 (byte %d): send JSON as UTF-8", at+1)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return malformed("", "the request body holds more than one JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var (
		mbe *http.MaxBytesError
		se  *json.SyntaxError
		te  *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return malformed("", "the request body is empty: send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return malformed("", "the request body is cut short: it is not complete JSON")
	case errors.As(err, &se):
		return malformed("", "the request body is not valid JSON: %v (at byte %d)", se, se.Offset)
	case errors.As(err, &te):
		field := te.Field
		return malformed(field, "%s must be a JSON %s, not %s", orBody(field), te.Type.Kind(), te.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return malformed(name, "unknown field %q", name)
	}
	return malformed("", "the request body cannot be read: %v", err)
}

func orBody(field string) string {
	if field == "" {
		return "the body"
	}
	return field
}

// PathID reads a positive integer path value; any other is ENotFound.
func PathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, content.Errorf(content.ENotFound, "There is no %s %q.", name, r.PathValue(name))
	}
	return id, nil
}

func (a *API) baseURL(r *http.Request) string {
	if a.cfg.BaseURL != "" {
		return strings.TrimSuffix(a.cfg.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (a *API) me(w http.ResponseWriter, r *http.Request, u *content.User) error {
	return WriteJSON(w, http.StatusOK, userJSON(u))
}
