// Package web is Broadsheet's HTTP plumbing: handlers that return errors and
// one adapter that turns every failure into a status page, the template
// engine with theme overrides, and the middleware every response passes
// through (recovery, logging, security headers).
package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
)

// HandlerFunc is an HTTP handler that reports failure by returning an error.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// ErrorPage renders the page for a failed request with the given status.
type ErrorPage func(w http.ResponseWriter, r *http.Request, status int, message string)

// StatusOf maps an error's domain code to an HTTP status.
func StatusOf(err error) int {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status
	}
	if store.IsUnavailable(err) {
		return http.StatusServiceUnavailable
	}
	switch content.ErrorCode(err) {
	case content.ENotFound:
		return http.StatusNotFound
	case content.EInvalid:
		return http.StatusBadRequest
	case content.EConflict:
		return http.StatusConflict
	case content.EForbidden:
		return http.StatusForbidden
	case content.EUnauthorized:
		return http.StatusUnauthorized
	}
	return http.StatusInternalServerError
}

// HTTPError is an error with an explicit status, for cases the domain
// codes do not name (405, 413, 503 …).
type HTTPError struct {
	Status  int
	Message string
	// RetryAfter, for a 429 or a 503, is how long to wait before trying
	// again; 0 leaves it to RetryAfter's default.
	RetryAfter time.Duration
}

func (e *HTTPError) Error() string { return e.Message }

// defaultRetryAfter is the wait a 429 or 503 names when its error does not:
// about what a database restart or a cut connection takes.
const defaultRetryAfter = 5 * time.Second

// RetryAfter returns the Retry-After header's value, in whole seconds, for
// a response of status caused by err: the wait the error names (an
// HTTPError's RetryAfter), else defaultRetryAfter, for every 429 and 503;
// "" for other statuses. Both the site's pages and the Admin API send it,
// so a client refused for now always learns when to come back.
func RetryAfter(err error, status int) string {
	if status != http.StatusTooManyRequests && status != http.StatusServiceUnavailable {
		return ""
	}
	wait := defaultRetryAfter
	var he *HTTPError
	if errors.As(err, &he) && he.RetryAfter > 0 {
		wait = he.RetryAfter
	}
	return strconv.Itoa(int((wait + time.Second - 1) / time.Second))
}

// SetRetryAfter sets the Retry-After header RetryAfter gives for a
// response of status caused by err.
func SetRetryAfter(w http.ResponseWriter, err error, status int) {
	if v := RetryAfter(err, status); v != "" {
		w.Header().Set("Retry-After", v)
	}
}

// NotFound is the error for a path that names nothing.
var NotFound = content.Errorf(content.ENotFound, "There is nothing at this address.")

// CheckPath refuses a request whose path holds text no page, term, author
// or date can have: text that is not valid UTF-8 or holds a control
// character (NUL included) names nothing, and is ENotFound. Adapter calls
// it before every handler of the site and the admin, as the APIs do, so
// no such text reaches a query: PostgreSQL cannot even compare it, and
// SQLite would answer otherwise.
func CheckPath(r *http.Request) error {
	if !readable(r.URL.Path, false) {
		return NotFound
	}
	return nil
}

// CheckQuery refuses a request with a query-string parameter that is not
// valid UTF-8 or holds a NUL or other control character but tabs and line
// breaks: an EInvalid error naming the parameter. The admin and the APIs,
// whose parameters filter lists in the database, call it before their
// handlers; the public site's few parameters are read by handlers that
// clean them (search) or escape them (WordPress's ?p=12).
func CheckQuery(r *http.Request) error {
	for pair := range strings.SplitSeq(r.URL.RawQuery, "&") {
		key, value, _ := strings.Cut(pair, "=")
		// As url.ParseQuery does; a part it cannot unescape it drops.
		key, kerr := url.QueryUnescape(key)
		value, verr := url.QueryUnescape(value)
		switch {
		case kerr == nil && !readable(key, false):
			return content.FieldError("", "a parameter's name in the address is not valid UTF-8 text or holds a control character")
		case kerr == nil && verr == nil && !readable(value, true):
			return content.FieldError(key, "the parameter %s in the address is not valid UTF-8 text or holds a NUL or control character", key)
		}
	}
	return nil
}

// CheckAddress is CheckPath, then CheckQuery.
func CheckAddress(r *http.Request) error {
	if err := CheckPath(r); err != nil {
		return err
	}
	return CheckQuery(r)
}

// readable reports whether s is valid UTF-8 without control characters
// (C0, DEL and C1); multiline allows tabs and line breaks.
func readable(s string, multiline bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if (r < 0x20 || (r >= 0x7f && r < 0xa0)) && !(multiline && (r == '\t' || r == '\n' || r == '\r')) {
			return false
		}
	}
	return true
}

// Adapter turns HandlerFuncs into http.Handlers, rendering failures with
// one error page and logging the unexpected ones.
type Adapter struct {
	Log   *slog.Logger
	Error ErrorPage
}

// Handle adapts h.
func (a *Adapter) Handle(h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := CheckPath(r)
		if err == nil {
			err = h(w, r)
		}
		if err == nil {
			return
		}
		status := StatusOf(err)
		msg := content.ErrorMessage(err)
		var he *HTTPError
		if errors.As(err, &he) {
			msg = he.Message
		}
		if status >= 500 {
			a.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
			if status == http.StatusInternalServerError {
				msg = "Something went wrong on our side. Please try again in a moment."
			}
			if status == http.StatusServiceUnavailable && he == nil {
				// The database is unreachable for now (a restart, a cut
				// connection).
				msg = "The site is briefly unavailable. Please try again in a moment."
			}
		}
		// Tell readers and proxies refused for now when to come back.
		SetRetryAfter(w, err, status)
		a.Error(w, r, status, msg)
	})
}
