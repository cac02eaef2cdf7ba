// Package static writes the whole public site as files for any static host
// or CDN: every page of every listing, every post and page, the theme's
// assets, feeds and sitemaps where the build serves them, a 404 page, and
// the old addresses kept as aliases, both as a _redirects file (Netlify,
// Cloudflare Pages) and as HTML pages that refresh to the new address.
//
// Pages are found by enumerating the store and rendered through the site's
// own http.Handler in-process, so what the export holds is byte for byte
// what the server answers, and routes added later come along once their
// addresses are listed (see AddURLs).
package static

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
)

// ManifestName is the file in the export folder that lists every file the
// export wrote with its hash, for --incremental and for removing files a
// later export no longer has.
const ManifestName = ".broadsheet-export.json"

// Options configure an export.
type Options struct {
	DB *store.DB
	// Handler is the whole site, as serve runs it (without a page cache).
	Handler http.Handler
	// BaseURL is the public address the files will be served from; pages'
	// canonical links are made with it.
	BaseURL string
	// Assets maps each static file of the theme to its fingerprinted path.
	Assets map[string]string
	Dir    string
	// Incremental leaves alone files whose bytes did not change since the
	// previous export into Dir.
	Incremental bool
	// Workers render pages in parallel; default GOMAXPROCS.
	Workers int
	// Progress, when set, is called as pages are done.
	Progress func(done, total int)
	Now      time.Time // default: the store's clock
}

// Report says what an export did.
type Report struct {
	Pages     int   // addresses rendered and kept
	Written   int   // files written
	Unchanged int   // files left alone by --incremental
	Removed   int   // files of the previous export the site no longer has
	Redirects int   // aliases written
	Bytes     int64 // bytes of all files of the export
	// NotServed counts the optional addresses tried (feeds, sitemaps,
	// robots.txt …) that this build of the site does not serve.
	NotServed int
	Skipped   []Skip
}

// Skip is an address left out, and why.
type Skip struct {
	URL    string
	Reason string
}

// URLSource lists addresses to export beyond the pages the store
// enumerates; an address the site answers with 404 is skipped quietly.
type URLSource func(ctx context.Context, db *store.DB, ix *store.PublicIndex) ([]string, error)

var (
	sourcesMu sync.Mutex
	sources   []URLSource
)

// AddURLs registers more addresses for every export: feeds, sitemaps and
// whatever future routes need.
func AddURLs(src URLSource) {
	sourcesMu.Lock()
	sources = append(sources, src)
	sourcesMu.Unlock()
}

// wellKnown are addresses a Broadsheet site may serve (feeds and sitemaps
// are built apart from the pages); each is exported when the site answers
// it, and for every archive its feed is tried too.
var wellKnown = []string{"/feed/", "/feed/atom/", "/feed/json/", "/sitemap.xml", "/robots.txt", "/favicon.ico"}

// job is one address to render, or a file to write as is.
type job struct {
	url      string
	optional bool   // a 404 is not worth a line in the summary
	body     []byte // set: write this instead of rendering
	file     string // set: the file name, else derived from url
	// then are the listing's next pages, rendered in order by the same
	// worker: each starts where the previous ended (see store.FindPosts).
	then []string
}

// result is a rendered address.
type result struct {
	job
	status   int
	location string
	ctype    string
	err      error
	name     string // the file written
	skip     error  // why no file could be written
}

// Export writes the site into opt.Dir.
func Export(ctx context.Context, opt Options) (*Report, error) {
	if opt.Dir == "" {
		return nil, errors.New("no folder to export into")
	}
	if opt.Now.IsZero() {
		opt.Now = opt.DB.Now()
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	base, err := url.Parse(strings.TrimSuffix(opt.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("the base URL %q is not an http(s) address like https://example.org", opt.BaseURL)
	}
	if err := os.MkdirAll(opt.Dir, 0o755); err != nil {
		return nil, err
	}
	jobs, rep, aliases, err := plan(ctx, opt, base)
	if err != nil {
		return nil, err
	}

	previous := map[string]string{}
	if b, err := os.ReadFile(filepath.Join(opt.Dir, ManifestName)); err == nil {
		var m manifest
		if json.Unmarshal(b, &m) == nil {
			previous = m.Files
		}
	}
	// Until the new manifest is written, none is trusted: an export cut
	// short leaves files a later --incremental must not believe unchanged.
	if err := os.Remove(filepath.Join(opt.Dir, ManifestName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	w := &writer{dir: opt.Dir, incremental: opt.Incremental, previous: previous, files: map[string]string{}}

	// Render and write in parallel, in any order: each worker writes what
	// it rendered, so the files' system calls overlap the rendering.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	in := make(chan job)
	out := make(chan result, opt.Workers*2)
	var wg sync.WaitGroup
	for range opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for first := range in {
				for i := 0; i <= len(first.then); i++ {
					j := first
					if i > 0 {
						j = job{url: first.then[i-1]}
					}
					j.then = nil
					r := render(ctx, opt.Handler, base, j)
					if r.err == nil && (r.status == http.StatusOK || r.status == http.StatusNotFound && r.file == "404.html") {
						r.name = r.file
						if r.name == "" {
							r.name, r.skip = fileFor(r.url)
						}
						if r.skip == nil {
							r.err = w.put(r.name, r.body)
						}
					}
					r.body = nil
					out <- r
				}
			}
		}()
	}
	go func() {
		defer close(in)
		for _, j := range jobs {
			select {
			case in <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(out) }()

	var headers []string
	done, total := 0, 0
	for _, j := range jobs {
		total += 1 + len(j.then)
	}
	var firstErr error
	for r := range out {
		done++
		if opt.Progress != nil {
			opt.Progress(done, total)
		}
		if firstErr != nil {
			continue
		}
		switch {
		case r.err != nil:
			firstErr = fmt.Errorf("%s: %w", r.url, r.err)
			cancel()
			continue
		case r.status == http.StatusNotFound && r.optional:
			rep.NotServed++
			continue
		case r.status == http.StatusNotFound && r.file == "404.html":
		case r.status == http.StatusMovedPermanently && r.location != "":
			aliases = append(aliases, content.Alias{Path: r.url, Target: r.location})
			continue
		case r.status != http.StatusOK:
			rep.Skipped = append(rep.Skipped, Skip{r.url, fmt.Sprintf("the site answers %d", r.status)})
			continue
		}
		if r.skip != nil {
			rep.Skipped = append(rep.Skipped, Skip{r.url, r.skip.Error()})
			continue
		}
		if r.file == "" && strings.HasSuffix(r.url, "/") && !strings.HasPrefix(r.ctype, "text/html") {
			// Hosts serve a folder's index.html as HTML; say what it is.
			headers = append(headers, r.url+"\n  Content-Type: "+r.ctype+"\n")
		}
		rep.Pages++
	}
	if firstErr != nil {
		return nil, fmt.Errorf("export stopped: %w (the files written so far stay; run the export again)", firstErr)
	}

	if err := writeRedirects(opt, base, w, aliases, rep); err != nil {
		return nil, err
	}
	if len(headers) > 0 {
		sort.Strings(headers)
		if err := w.put("_headers", []byte(strings.Join(headers, ""))); err != nil {
			return nil, err
		}
	}
	// Files of the previous export the site no longer has.
	for name := range previous {
		if _, ok := w.files[name]; !ok {
			if err := os.Remove(filepath.Join(opt.Dir, filepath.FromSlash(name))); err == nil {
				w.removed++
			}
		}
	}
	b, err := json.MarshalIndent(manifest{Version: 1, Files: w.files}, "", " ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(opt.Dir, ManifestName), b, 0o644); err != nil {
		return nil, err
	}
	rep.Written, rep.Unchanged, rep.Removed, rep.Bytes = w.written, w.unchanged, w.removed, w.bytes
	return rep, nil
}

// plan lists every address to export.
func plan(ctx context.Context, opt Options, base *url.URL) ([]job, *Report, []content.Alias, error) {
	db := opt.DB
	rep := &Report{}
	ix, err := db.FindPublicIndex(ctx, opt.Now)
	if err != nil {
		return nil, nil, nil, err
	}
	set, err := db.LoadSettings(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	per := max(set.PostsPerPage, 1)
	var jobs []job
	seen := map[string]bool{}
	add := func(u string, optional bool) {
		if !seen[u] {
			seen[u] = true
			jobs = append(jobs, job{url: u, optional: optional})
		}
	}
	paginate := func(base string, n int) {
		if seen[base] {
			return
		}
		seen[base] = true
		j := job{url: base}
		for p := 2; p <= (n+per-1)/per; p++ {
			u := base + "page/" + strconv.Itoa(p) + "/"
			seen[u] = true
			j.then = append(j.then, u)
		}
		jobs = append(jobs, j)
	}
	posts := 0
	days := map[string]int{}
	for _, e := range ix.Entries {
		add(e.Path(), false)
		if e.Kind != content.KindPost {
			continue
		}
		posts++
		t := e.PublishedAt
		days[fmt.Sprintf("/%04d/", t.Year())]++
		days[fmt.Sprintf("/%04d/%02d/", t.Year(), t.Month())]++
		days[fmt.Sprintf("/%04d/%02d/%02d/", t.Year(), t.Month(), t.Day())]++
	}
	paginate("/", posts)
	var archives []string
	for _, tax := range []content.Taxonomy{content.TaxCategory, content.TaxTag} {
		terms, err := db.FindTerms(ctx, tax)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, t := range terms {
			if n := ix.TermCounts[t.ID]; n > 0 {
				paginate(t.Path(), n)
				archives = append(archives, t.Path())
			}
		}
	}
	users, err := db.FindUsers(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, u := range users {
		if n := ix.AuthorCounts[u.ID]; n > 0 {
			paginate(u.Path(), n)
			archives = append(archives, u.Path())
		}
	}
	dates := make([]string, 0, len(days))
	for d := range days {
		dates = append(dates, d)
	}
	sort.Strings(dates)
	for _, d := range dates {
		paginate(d, days[d])
	}
	for _, u := range wellKnown {
		add(u, true)
	}
	for _, a := range archives {
		for _, feed := range []string{"feed/", "feed/atom/", "feed/json/"} {
			add(a+feed, true)
		}
	}
	// A sitemap index names the sitemaps the build serves.
	if r := render(ctx, opt.Handler, base, job{url: "/sitemap.xml"}); r.status == http.StatusOK && bytes.Contains(r.body, []byte("<sitemapindex")) {
		for _, m := range sitemapLoc.FindAllSubmatch(r.body, -1) {
			loc := html.UnescapeString(string(m[1]))
			if u, ok := strings.CutPrefix(loc, base.String()); ok && strings.HasPrefix(u, "/") {
				add(u, true)
			}
		}
	}
	sourcesMu.Lock()
	srcs := append([]URLSource(nil), sources...)
	sourcesMu.Unlock()
	for _, src := range srcs {
		urls, err := src(ctx, db, ix)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, u := range urls {
			add(u, true)
		}
	}
	names := make([]string, 0, len(opt.Assets))
	for name := range opt.Assets {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		add("/static/"+name, false)
		add(opt.Assets[name], false)
	}
	jobs = append(jobs, job{url: "/404.html", file: "404.html"})
	// Longest listings first, so that no worker is left with one at the end.
	sort.SliceStable(jobs, func(i, k int) bool { return len(jobs[i].then) > len(jobs[k].then) })

	aliases, err := db.FindAliases(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	var keep []content.Alias
	for _, a := range aliases {
		switch {
		case strings.ContainsAny(a.Path, "?#"):
			rep.Skipped = append(rep.Skipped, Skip{a.Path, "an address with a query string cannot be a file on a static host"})
			continue
		case seen[a.Path] || seen[a.Path+"/"]:
			rep.Skipped = append(rep.Skipped, Skip{a.Path, "a page of the site has this address"})
			continue
		}
		if a.PostID != 0 {
			p, err := db.FindPostByID(ctx, a.PostID)
			if err != nil || !p.IsPublic(opt.Now) {
				rep.Skipped = append(rep.Skipped, Skip{a.Path, "it leads to a post that is not published"})
				continue
			}
			a.Target = p.Path()
		}
		keep = append(keep, *a)
	}
	return jobs, rep, keep, nil
}

// render runs one request through the site.
func render(ctx context.Context, h http.Handler, base *url.URL, j job) result {
	if j.body != nil {
		return result{job: j, status: http.StatusOK}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.String()+j.url, nil)
	if err != nil {
		return result{job: j, err: err}
	}
	if base.Scheme == "https" {
		req.TLS = tlsState
	}
	rw := &recorder{header: http.Header{}}
	h.ServeHTTP(rw, req)
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	j.body = rw.body.Bytes()
	r := result{job: j, status: rw.status, ctype: rw.header.Get("Content-Type")}
	if loc := rw.header.Get("Location"); loc != "" {
		r.location = loc
	}
	if rw.status >= 500 {
		r.err = fmt.Errorf("the site failed with %d: %.200s", rw.status, rw.body.String())
	}
	return r
}

// recorder is a minimal ResponseWriter keeping the response in memory.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// fileFor maps a URL path to a file in the export: folders get index.html.
func fileFor(u string) (string, error) {
	p, err := url.PathUnescape(u)
	if err != nil {
		return "", fmt.Errorf("not a valid address: %v", err)
	}
	if strings.HasSuffix(p, "/") {
		p += "index.html"
	}
	clean := path.Clean(p)
	if !strings.HasPrefix(clean, "/") || strings.Contains(clean, "/../") || strings.Contains(clean, "\x00") || strings.Contains(clean, "\\") {
		return "", errors.New("the address cannot be a file name")
	}
	return strings.TrimPrefix(clean, "/"), nil
}

// writeRedirects writes the _redirects file and a refresh page per alias.
func writeRedirects(opt Options, base *url.URL, w *writer, aliases []content.Alias, rep *Report) error {
	sort.Slice(aliases, func(i, j int) bool { return aliases[i].Path < aliases[j].Path })
	var b strings.Builder
	b.WriteString("# Old addresses of this site and where they moved, written by Broadsheet.\n")
	for _, a := range aliases {
		if strings.ContainsAny(a.Path+a.Target, " \t\n") {
			rep.Skipped = append(rep.Skipped, Skip{a.Path, "an address with spaces cannot be written in _redirects"})
			continue
		}
		fmt.Fprintf(&b, "%s %s 301\n", a.Path, a.Target)
		name := a.Path
		if !strings.HasSuffix(name, "/") && path.Ext(name) == "" {
			name += "/" // /old-post is served from /old-post/index.html
		}
		file, err := fileFor(name)
		if err != nil {
			rep.Skipped = append(rep.Skipped, Skip{a.Path, err.Error()})
			continue
		}
		if _, taken := w.files[file]; taken {
			rep.Skipped = append(rep.Skipped, Skip{a.Path, "a page of the site is written to the same file"})
			continue
		}
		target := a.Target
		if strings.HasPrefix(target, "/") {
			target = base.String() + target
		}
		t := html.EscapeString(target)
		page := `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Moved</title>
<meta name="robots" content="noindex">
<link rel="canonical" href="` + t + `">
<meta http-equiv="refresh" content="0; url=` + t + `">
</head>
<body>
<p>This page has moved to <a href="` + t + `">` + t + `</a>.</p>
</body>
</html>
`
		if err := w.put(file, []byte(page)); err != nil {
			return err
		}
		rep.Redirects++
	}
	return w.put("_redirects", []byte(b.String()))
}

type manifest struct {
	Version int               `json:"version"`
	Files   map[string]string `json:"files"` // file → sha256 of its bytes
}

// writer writes files, skipping unchanged ones when incremental.
type writer struct {
	dir         string
	incremental bool
	previous    map[string]string // read only
	dirs        sync.Map
	mu          sync.Mutex // guards what follows
	files       map[string]string
	written     int
	unchanged   int
	removed     int
	bytes       int64
}

func (w *writer) put(name string, body []byte) error {
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	w.mu.Lock()
	w.files[name] = hash
	w.bytes += int64(len(body))
	w.mu.Unlock()
	full := filepath.Join(w.dir, filepath.FromSlash(name))
	if w.incremental && w.previous[name] == hash {
		if st, err := os.Stat(full); err == nil && st.Size() == int64(len(body)) {
			w.mu.Lock()
			w.unchanged++
			w.mu.Unlock()
			return nil
		}
	}
	dir := filepath.Dir(full)
	if _, ok := w.dirs.Load(dir); !ok {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		w.dirs.Store(dir, true)
	}
	if err := os.WriteFile(full, body, 0o644); err != nil {
		return err
	}
	w.mu.Lock()
	w.written++
	w.mu.Unlock()
	return nil
}

var sitemapLoc = regexp.MustCompile(`<loc>\s*([^<\s]+)\s*</loc>`)

// tlsState marks rendering requests for an https:// base as secure, so
// the site builds https:// links and headers.
var tlsState = &tls.ConnectionState{}
