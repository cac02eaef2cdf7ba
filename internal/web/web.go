// Package web is Broadsheet's HTTP plumbing: handlers that return errors and
// one adapter that turns every failure into a status page, the template
// engine with theme overrides, and the middleware every response passes
// through (recovery, logging, security headers).
package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

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

// Adapter turns HandlerFuncs into http.Handlers, rendering failures with
// one error page and logging the unexpected ones.
type Adapter struct {
	Log   *slog.Logger
	Error ErrorPage
}

// Handle adapts h.
func (a *Adapter) Handle(h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
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
