package sourcedesk_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/fetch"
	"github.com/broadsheet/broadsheet/internal/sourcedesk"
	"github.com/broadsheet/broadsheet/internal/store"
)

var ctx = context.Background()

// outlets is a local web of news outlets: their homepages, feeds in every
// shape, article pages and images, each path switchable to a fault.
type outlets struct {
	t     *testing.T
	srv   *httptest.Server
	done  chan struct{}
	mu    sync.Mutex
	hits  map[string]int
	cond  map[string]int // conditional requests answered 304
	fault map[string]string
}

// routes maps paths to test files and their content types.
var routes = map[string][2]string{
	"/agency/":                       {"homepage.html", "text/html; charset=utf-8"},
	"/agency/feed.xml":               {"rss2.xml", "application/rss+xml"},
	"/agency/2026/01/14/summit.html": {"article.html", "text/html; charset=utf-8"},
	"/agency/images/summit.jpg":      {"summit.png", "image/jpeg"},
	"/agency/images/map.gif":         {"map.gif", "image/gif"},
	"/institute/atom.xml":            {"atom.xml", "application/atom+xml"},
	"/ministry/feed.json":            {"feed.json", "application/feed+json"},
	"/quotidien/rss.xml":             {"latin1.xml", "application/rss+xml; charset=ISO-8859-1"},
	"/think/rss.xml":                 {"entities.xml", "application/rss+xml"},
	"/journal/index.rdf":             {"rss1.rdf", "application/rdf+xml"},
	"/bulletin/rss.xml":              {"rss091.xml", "application/rss+xml"},
	"/nofeeds/":                      {"", "text/html"},
	"/faulty/feed.xml":               {"rss2.xml", "application/rss+xml"},
	"/daily/feed.xml":                {"", "application/rss+xml"},
	"/stred/2026/rozpocet.html":      {"cp1250.html", "text/html; charset=windows-1250"},
	"/gazeta/2026/ustawa.html":       {"iso8859-2.html", "text/html"},
	"/review/rss.xml":                {"undated.xml", "application/rss+xml"},
	"/review/corridor-history.html":  {"undated.html", "text/html; charset=utf-8"},
	"/lazy/2026/night-shift.html":    {"lazy.html", "text/html; charset=utf-8"},
	"/lazy/images/harbour.png":       {"summit.png", "image/png"},
	"/lazy/images/crane.png":         {"summit.png", "image/png"},
	"/lazy/images/crane-small.png":   {"summit.png", "image/png"},
	"/lazy/images/quay.png":          {"summit.png", "image/png"},
	"/lazy/images/ship.png":          {"summit.png", "image/png"},
	"/lazy/blank.gif":                {"map.gif", "image/gif"},
	"/wire/rss.xml":                  {"addresses.xml", "application/rss+xml"},
	"/notes/atom.xml":                {"atom-ids.xml", "application/atom+xml"},
	"/many/rss.xml":                  {"many.xml", "application/rss+xml"},
	"/press/rss.xml":                 {"canonical.xml", "application/rss+xml"},
	"/press/2026/port-deal.html":     {"canonical.html", "text/html; charset=utf-8"},
	"/press/amp/fees.html":           {"ogurl.html", "text/html; charset=utf-8"},
	"/canal/2026/lock.html":          {"video.html", "text/html; charset=utf-8"},
	"/canal/rss.xml":                 {"video-feed.xml", "application/rss+xml"},
	"/hebdo/rss.xml":                 {"latin1-undeclared.xml", "application/rss+xml; charset=ISO-8859-1"},
	"/harbour/rss.xml":               {"truncated.xml", "application/rss+xml"},
	"/harbour/":                      {"homepage-og.html", "text/html; charset=utf-8"},
	"/kanal/":                        {"homepage-ld.html", "text/html; charset=utf-8"},
	"/plain/":                        {"homepage-unnamed.html", "text/html; charset=utf-8"},
	"/canalnotes/atom.xml":           {"truncated-atom.xml", "application/atom+xml"},
}

func newOutlets(t *testing.T) *outlets {
	o := &outlets{t: t, done: make(chan struct{}), hits: map[string]int{}, cond: map[string]int{}, fault: map[string]string{}}
	o.srv = httptest.NewServer(http.HandlerFunc(o.serve))
	t.Cleanup(func() { close(o.done); o.srv.Close() })
	return o
}

func (o *outlets) URL(path string) string { return o.srv.URL + path }

func (o *outlets) setFault(path, fault string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.fault[path] = fault
}

func (o *outlets) hitCount(path string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.hits[path]
}

func (o *outlets) file(name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		o.t.Fatal(err)
	}
	return []byte(strings.ReplaceAll(string(b), "{{base}}", o.srv.URL))
}

func (o *outlets) serve(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	o.hits[r.URL.Path]++
	fault := o.fault[r.URL.Path]
	o.mu.Unlock()
	switch fault {
	case "timeout":
		select { // hold the request until the client gives up
		case <-r.Context().Done():
		case <-o.done:
		}
		return
	case "500":
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	case "html":
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<!DOCTYPE html><html><head><title>Welcome</title></head><body><h1>Our new website</h1></body></html>`)
		return
	case "loop":
		http.Redirect(w, r, r.URL.Path, http.StatusFound)
		return
	case "huge":
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>`)
		chunk := []byte(strings.Repeat("<item><title>padding</title></item>", 1000))
		for sent := 0; sent < 50<<20; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		return
	case "malformed":
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title><item><title>Unclosed</item></channel>`)
		return
	}
	if r.URL.Path == "/daily/feed.xml" {
		o.dailyFeed(w, r)
		return
	}
	route, ok := routes[r.URL.Path]
	if strings.HasPrefix(r.URL.Path, "/faulty/") {
		route, ok = routes["/agency/feed.xml"], true
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	if route[0] == "" {
		w.Header().Set("Content-Type", route[1])
		fmt.Fprint(w, `<!DOCTYPE html><html><head><title>No feeds here</title></head><body><p>Hello.</p></body></html>`)
		return
	}
	body := o.file(route[0])
	etag := fmt.Sprintf(`"%x"`, len(body))
	if r.Header.Get("If-None-Match") == etag {
		o.mu.Lock()
		o.cond[r.URL.Path]++
		o.mu.Unlock()
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", route[1])
	w.Write(body)
}

// dailyFeed is a second outlet carrying the agency's summit story (same
// article URL with other tracking parameters, and the same title) plus one
// story of its own.
func (o *outlets) dailyFeed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/rss+xml")
	fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>The Daily</title><link>%[1]s/daily/</link>
<item><title>Leaders meet at the summit in Addis-Ababa</title><link>%[1]s/daily/summit-report</link><guid>daily-1</guid><pubDate>Wed, 14 Jan 2026 11:00:00 +0000</pubDate></item>
<item><title>Agency story, shared</title><link>%[1]s/agency/2026/01/14/summit.html?utm_campaign=partner&amp;fbclid=abc</link><guid>daily-2</guid><pubDate>Wed, 14 Jan 2026 10:00:00 +0000</pubDate></item>
<item><title>Local elections: the results</title><link>%[1]s/daily/elections</link><guid>daily-3</guid><pubDate>Wed, 14 Jan 2026 12:00:00 +0000</pubDate></item>
</channel></rss>`, o.srv.URL)
}

// newDesk returns a desk over db whose client may reach the local outlets.
func newDesk(t *testing.T, db *store.DB, timeout time.Duration) *sourcedesk.Desk {
	return &sourcedesk.Desk{
		DB:     db,
		Fetch:  fetch.New(fetch.Options{AllowPrivate: true, Timeout: timeout}),
		Images: sourcedesk.DiskImages{Dir: filepath.Join(t.TempDir(), "media"), URLPrefix: "/media/"},
	}
}
