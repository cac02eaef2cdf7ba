package web

import (
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/markup"
)

// Chain wraps h in middleware, the first listed outermost.
func Chain(h http.Handler, mw ...func(http.Handler) http.Handler) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

// SecurityHeaders sets strict defaults on every response: no framing, no
// sniffing, a content security policy with no inline script, and HSTS when
// the client uses https or the base URL is https (see Clients).
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// Canonical keys and shared values, assigned directly: this runs
		// for every response, cached pages included.
		for _, kv := range securityHeaders {
			h[kv.key] = kv.value
		}
		if clientInfoOf(r).hsts {
			h["Strict-Transport-Security"] = hsts
		}
		next.ServeHTTP(w, r)
	})
}

// securityHeaders are set on every response; their value slices are shared
// and must not be modified.
var securityHeaders = []struct {
	key   string
	value []string
}{
	{"X-Content-Type-Options", []string{"nosniff"}},
	{"X-Frame-Options", []string{"DENY"}},
	{"Referrer-Policy", []string{"strict-origin-when-cross-origin"}},
	{"Cross-Origin-Opener-Policy", []string{"same-origin"}},
	{"Permissions-Policy", []string{"camera=(), microphone=(), geolocation=(), interest-cohort=()"}},
	// Pages may frame only the players of the embed allowlist.
	{"Content-Security-Policy", []string{"default-src 'self'; img-src 'self' https: data:; media-src 'self' https:; " +
		"frame-src 'self' " + strings.Join(markup.EmbedHosts, " ") + "; " +
		"style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"}},
}

var hsts = []string{"max-age=63072000; includeSubDomains"}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Logging logs each request with its status, size and duration.
func Logging(log *slog.Logger) func(http.Handler) http.Handler {
	h := log.Handler()
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			sw := &statusWriter{ResponseWriter: w}
			next.ServeHTTP(sw, r)
			ctx := r.Context()
			if !h.Enabled(ctx, slog.LevelInfo) {
				return
			}
			// The record made here rather than by Logger.LogAttrs: this
			// runs for every response, and the logger's look-up of its
			// caller (for a source no handler of ours prints) took a
			// twentieth of a cached page's time; the clock read for the
			// duration serves as the record's time. Typed attributes,
			// since boxing each value cost more than the page.
			end := time.Now()
			rec := slog.NewRecord(end, slog.LevelInfo, "request", 0)
			rec.AddAttrs(slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", sw.status),
				slog.Int("bytes", sw.bytes), slog.Duration("duration", end.Sub(start)), slog.String("client", clientString(r)))
			h.Handle(ctx, rec)
		})
	}
}

// clientString is the client's address for the log, "" when unknown.
func clientString(r *http.Request) string {
	if a := ClientOf(r).Addr; a.IsValid() {
		return a.String()
	}
	return ""
}

// Recover turns a panic in a handler into a logged 500 instead of a dropped
// connection. Chain it inside Logging, which then logs the request too.
func Recover(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if p := recover(); p != nil {
					if p == http.ErrAbortHandler {
						panic(p)
					}
					log.Error("panic", "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
					http.Error(w, "Internal server error", http.StatusInternalServerError)
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// DoubleSlashes answers a request whose path has an empty segment
// (//2024/05/10/port/, as old links and WordPress themes write them) with a
// permanent redirect to the path without it, its percent-escapes kept
// and written in upper case. http.ServeMux would clean such a path itself,
// but with a temporary redirect that escapes the escapes a second time
// (%ce becomes %25ce), to an address that is not found.
func DoubleSlashes(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.EscapedPath()
		if !strings.Contains(path, "//") || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			next.ServeHTTP(w, r)
			return
		}
		var b strings.Builder
		for i := 0; i < len(path); i++ {
			c := path[i]
			switch {
			case c == '/' && i > 0 && path[i-1] == '/':
				continue
			case c == '%' && i+2 < len(path):
				b.WriteByte('%')
				b.WriteString(strings.ToUpper(path[i+1 : i+3]))
				i += 2
				continue
			}
			b.WriteByte(c)
		}
		target := b.String()
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		w.Header().Set("Location", target)
		w.WriteHeader(http.StatusMovedPermanently)
	})
}
