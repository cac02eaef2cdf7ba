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
	// RetryAfter, when set, is sent as Retry-After: when a refused client
	// (429, 503) may come back.
	RetryAfter time.Duration
}

func (e *HTTPError) Error() string { return e.Message }

// SetRetryAfter sets the Retry-After header, in whole seconds rounded up,
// when err is an HTTPError that says when to come back.
func SetRetryAfter(w http.ResponseWriter, err error) {
	var he *HTTPError
	if errors.As(err, &he) && he.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((he.RetryAfter+time.Second-1)/time.Second)))
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
		SetRetryAfter(w, err)
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
				// connection): tell readers and proxies to come back soon.
				w.Header().Set("Retry-After", "5")
				msg = "The site is briefly unavailable. Please try again in a moment."
			}
		}
		a.Error(w, r, status, msg)
	})
}
