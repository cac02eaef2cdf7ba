// Package desktest serves the source desk's test outlet over real HTTP for
// tests in any package: a homepage whose autodiscovery links name its
// feeds, an RSS and an Atom feed, an article page full of clutter
// (navigation, advertisements, comments, related links) with a lead image
// and a map in the text, and a feed that is down. The pages are the desk's
// fixtures in internal/sourcedesk/testdata.
package desktest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// files maps the outlet's paths to fixtures and their content types.
var files = map[string][2]string{
	"/agency/":                       {"homepage.html", "text/html; charset=utf-8"},
	"/agency/feed.xml":               {"rss2.xml", "application/rss+xml"},
	"/agency/2026/01/14/summit.html": {"article.html", "text/html; charset=utf-8"},
	"/agency/images/summit.jpg":      {"summit.png", "image/png"},
	"/agency/images/map.gif":         {"map.gif", "image/gif"},
	"/institute/atom.xml":            {"atom.xml", "application/atom+xml"},
	"/harbour/":                      {"homepage-og.html", "text/html; charset=utf-8"},
}

// BrokenFeed answers 500, as an outlet's feed does during maintenance.
const BrokenFeed = "/broken/feed.xml"

// Outlet starts the outlet, stopped when the test ends. "{{base}}" in a
// fixture becomes the outlet's address.
func Outlet(t testing.TB) *httptest.Server {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(self), "..", "testdata")
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == BrokenFeed {
			http.Error(w, "down for maintenance", http.StatusInternalServerError)
			return
		}
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		b, err := os.ReadFile(filepath.Join(dir, f[0]))
		if err != nil {
			t.Error(err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", f[1])
		w.Write(bytes.ReplaceAll(b, []byte("{{base}}"), []byte(srv.URL)))
	}))
	t.Cleanup(srv.Close)
	return srv
}
