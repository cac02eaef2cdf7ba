// Package static writes the whole public site as files for any static host
// or CDN: every page of every listing, every post and page, the theme's
// assets, feeds, sitemaps, robots.txt, a 404 page, and
// the old addresses kept as aliases, both as a _redirects file (Netlify,
// Cloudflare Pages) and as HTML pages that refresh to the new address.
//
// The addresses are the site's own list of them (site.Site.Addresses, which
// the site's router, sitemaps and page cache follow too), each rendered
// through the site's http.Handler in-process, so that what the export holds
// is byte for byte what the server answers. Workers render in parallel,
// each listing's pages in order so that each page starts where the
// previous one ended; one goroutine writes the files into a staging folder, which is
// moved into place only when every page rendered. A file the previous
// export wrote and whose bytes did not change is left as it is.
package static

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
)

// ManifestName is the file in the export folder that lists every file the
// export wrote with its hash, for --incremental and for removing files a
// later export no longer has.
const ManifestName = ".broadsheet-export.json"

// Options configure an export.
type Options struct {
	DB *store.DB
	// Site lists the addresses to export (site.Site.Addresses).
	Site *site.Site
	// Handler is the whole site, as serve runs it (without a page cache).
	Handler http.Handler
	// BaseURL is the public address the files will be served from; pages'
	// canonical links are made with it.
	BaseURL string
	Dir     string
	// Incremental leaves alone files whose bytes did not change since the
	// previous export into Dir, trusting its manifest and the files'
	// sizes. Without it a file is left alone only when it is found to
	// hold exactly the bytes the export would write.
	Incremental bool
	// Workers render pages in parallel; default GOMAXPROCS.
	Workers int
	// Progress, when set, is called as pages are done.
	Progress func(done, total int)
	// Log hears what goes wrong beside the export (the change relay).
	Log *slog.Logger
	Now time.Time // default: the store's clock
}

// Report says what an export did.
type Report struct {
	Pages     int   // addresses rendered and kept
	Written   int   // files written
	Unchanged int   // files of the previous export left alone: their bytes did not change
	Removed   int   // files of the previous export the site no longer has
	Redirects int   // aliases written
	Bytes     int64 // bytes of all files of the export
	Skipped   []Skip
}

// Skip is an address left out, and why.
type Skip struct {
	URL    string
	Reason string
}

// readAhead is how many pages of a listing, or posts' pages, the store
// reads at once for an export (store.DB.ReadAhead).
const readAhead = 64

// stagingName is the folder inside the export folder that an export
// writes into; only a complete export is moved into place, so a failed one
// leaves the folder as it was.
const stagingName = ".broadsheet-staging"

// job is one address to render.
type job struct {
	url     string
	entry   bool   // a post's or page's own page
	file    string // the file it is written to
	fileErr error  // why it cannot be a file
	// then are the listing's next pages, rendered in order by the same
	// worker: each starts where the previous ended (see store.FindPosts).
	then []job
}

// page is a rendered address.
type page struct {
	job
	status   int
	location string
	ctype    string
	body     *bytes.Buffer
	sum      uint64 // xxHash64 of body
	same     bool   // the file in the export folder holds these bytes already
	err      error
}

// kept reports whether the page becomes a file.
func (p *page) kept() bool {
	return p.err == nil && (p.status == http.StatusOK || p.status == http.StatusNotFound && p.file == "404.html")
}

// Export writes the site into opt.Dir: every page is rendered into a
// staging folder inside it, and only when all are done are they moved into
// place, so that an export that fails changes nothing in opt.Dir.
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
	defer hearChanges(ctx, opt.DB, opt.Log)()
	// Every listing is rendered page after page and the posts' own pages
	// in the front page's order: one read serves many pages.
	opt.DB.ReadAhead(readAhead)
	defer opt.DB.ReadAhead(0)
	jobs, rep, aliases, err := plan(ctx, opt)
	if err != nil {
		return nil, err
	}

	previous, trusted := map[string]string{}, false
	if b, err := os.ReadFile(filepath.Join(opt.Dir, ManifestName)); err == nil {
		var m manifest
		if json.Unmarshal(b, &m) == nil && m.Files != nil {
			previous, trusted = m.Files, m.Version == manifestVersion
		}
	}
	stage := filepath.Join(opt.Dir, stagingName)
	// What an export cut short (killed) left behind.
	if err := os.RemoveAll(stage); err != nil {
		return nil, err
	}
	if err := os.Mkdir(stage, 0o755); err != nil {
		return nil, err
	}
	defer os.RemoveAll(stage)
	w := &writer{dir: opt.Dir, stage: stage, incremental: opt.Incremental, previous: previous, trusted: trusted,
		files: map[string]string{}, made: map[string]bool{stage: true}}

	var c collected
	if err := render(ctx, opt, base, jobs, w, rep, &c); err != nil {
		return nil, err
	}
	if err := writeRedirects(base, w, append(aliases, c.moved...), rep); err != nil {
		return nil, err
	}
	if len(c.headers) > 0 {
		sort.Strings(c.headers)
		b := []byte(strings.Join(c.headers, ""))
		if err := w.putChecked("_headers", b); err != nil {
			return nil, err
		}
	}
	if err := w.commit(); err != nil {
		return nil, err
	}
	sort.Slice(rep.Skipped, func(i, j int) bool { return rep.Skipped[i].URL < rep.Skipped[j].URL })
	rep.Written, rep.Unchanged, rep.Removed, rep.Bytes = w.written, w.unchanged, w.removed, w.bytes
	return rep, nil
}

// hearChanges runs the store's change relay for the export's length unless
// one runs already: the store trusts its remembered listing counts and page
// cursors only while it hears every change, and without them each page of
// a long listing would count the listing again and skip all the posts
// before it. It returns the function that stops the relay.
func hearChanges(ctx context.Context, db *store.DB, log *slog.Logger) (stop func()) {
	if db.Relaying() {
		return func() {}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		db.Relay(ctx, log)
	}()
	// Listening takes a query (SQLite) or a connection (PostgreSQL); an
	// export that starts before is only slower, never wrong.
	for deadline := time.Now().Add(2 * time.Second); !db.Relaying() && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	return func() { cancel(); <-done }
}

// collected is what rendering finds beside the files.
type collected struct {
	headers []string        // _headers entries
	moved   []content.Alias // addresses the site answers with 301
}

// render renders the jobs on opt.Workers goroutines and writes what they
// rendered, in the order they finish, into the staging folder. The first
// page that fails stops the export and is named in the error.
func render(ctx context.Context, opt Options, base *url.URL, jobs []job, w *writer, rep *Report, c *collected) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Jobs queued ahead, so that a worker done with one need not wait for
	// the goroutine handing them out to be scheduled.
	in := make(chan job, 4*opt.Workers)
	// Room for the pages rendered while a file is being written.
	out := make(chan *page, 64)
	var wg sync.WaitGroup
	for range opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for first := range in {
				for i := 0; i <= len(first.then) && ctx.Err() == nil; i++ {
					j := first
					if i > 0 {
						j = first.then[i-1]
					}
					j.then = nil
					p := renderPage(ctx, opt.Handler, base, j)
					if p.kept() && p.fileErr == nil {
						p.sum = xxhash.Sum64(p.body.Bytes())
						p.same = w.inPlace(p.file, p.body.Bytes(), p.sum)
					}
					out <- p
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

	total := 0
	for _, j := range jobs {
		total += 1 + len(j.then)
	}
	var firstErr error
	done := 0
	for p := range out {
		done++
		if opt.Progress != nil {
			opt.Progress(done, total)
		}
		if firstErr == nil {
			if err := keep(p, w, rep, c); err != nil {
				firstErr = err
				cancel()
			}
		}
		if p.body != nil {
			p.body.Reset()
			buffers.Put(p.body)
		}
	}
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		return fmt.Errorf("export stopped: %w; nothing in %s was changed", firstErr, opt.Dir)
	}
	return nil
}

// keep files a rendered page: written, counted as an alias, or skipped.
func keep(p *page, w *writer, rep *Report, c *collected) error {
	switch {
	case p.err != nil:
		return fmt.Errorf("%s: %w", p.url, p.err)
	case p.status == http.StatusNotFound && p.file == "404.html":
	case p.status == http.StatusMovedPermanently && p.location != "":
		c.moved = append(c.moved, content.Alias{Path: p.url, Target: p.location})
		return nil
	case p.status != http.StatusOK:
		rep.Skipped = append(rep.Skipped, Skip{p.url, fmt.Sprintf("the site answers %d", p.status)})
		return nil
	}
	if p.fileErr != nil {
		rep.Skipped = append(rep.Skipped, Skip{p.url, p.fileErr.Error()})
		return nil
	}
	if err := w.put(p.file, p.body.Bytes(), p.sum, p.same); err != nil {
		return fmt.Errorf("%s: %w", p.url, err)
	}
	if strings.HasSuffix(p.url, "/") && !strings.HasPrefix(p.ctype, "text/html") {
		// Hosts serve a folder's index.html as HTML; say what it is.
		c.headers = append(c.headers, p.url+"\n  Content-Type: "+p.ctype+"\n")
	}
	rep.Pages++
	return nil
}

// plan lists every address to export: the site's, each listing with its
// pages after the first, and the aliases kept as redirects.
func plan(ctx context.Context, opt Options) ([]job, *Report, []content.Alias, error) {
	db := opt.DB
	rep := &Report{}
	addrs, err := opt.Site.Addresses(ctx, opt.Now)
	if err != nil {
		return nil, nil, nil, err
	}
	jobs := make([]job, 0, len(addrs))
	seen := make(map[string]bool, 2*len(addrs))
	for _, a := range addrs {
		if seen[a.Path] {
			continue
		}
		seen[a.Path] = true
		j := job{url: a.Path, entry: a.Kind.Entry()}
		if a.Kind == site.NotFoundAddress {
			j.file = "404.html" // kept though it answers 404
		}
		for p := 2; p <= a.Pages; p++ {
			u := site.PagePath(a.Path, p)
			seen[u] = true
			j.then = append(j.then, job{url: u})
		}
		jobs = append(jobs, j)
	}
	jobs = nameFiles(jobs, rep)
	// Posts' and pages' own pages first, in the front page's order, in
	// which the store reads them ahead: the site keeps each post's teaser
	// as it renders the post's page, so that the listings after them
	// read no post again. Then the longest listings, so that no worker is
	// left with one at the end.
	sort.SliceStable(jobs, func(i, k int) bool {
		if a, b := jobs[i].entry, jobs[k].entry; a != b {
			return a
		}
		return len(jobs[i].then) > len(jobs[k].then)
	})

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
	// A renamed or merged category's or tag's old archive and feeds lead
	// to its current ones, when those are exported.
	moved, err := db.FindTermAliasList(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, ta := range moved {
		prefix := "/category/"
		if ta.Term.Taxonomy == content.TaxTag {
			prefix = "/tag/"
		}
		from, to := prefix+url.PathEscape(ta.Slug)+"/", prefix+url.PathEscape(ta.Term.Slug)+"/"
		for _, sub := range []string{"", "feed/", "feed/atom/", "feed/json/"} {
			if seen[to+sub] && !seen[from+sub] {
				keep = append(keep, content.Alias{Path: from + sub, Target: to + sub})
			}
		}
	}
	return jobs, rep, keep, nil
}

// nameFiles gives each job the file it is written to, in plan order, and
// leaves out an address whose file an earlier one takes (an address and
// its percent-encoded spelling), so that which page a file holds does not
// depend on which worker finished first.
func nameFiles(jobs []job, rep *Report) []job {
	taken := map[string]bool{}
	name := func(j *job) bool {
		if j.file == "" {
			j.file, j.fileErr = fileFor(j.url)
		}
		if j.fileErr != nil {
			return true // reported if the site answers the address
		}
		if taken[j.file] {
			rep.Skipped = append(rep.Skipped, Skip{j.url, "another address of the site is written to the same file"})
			return false
		}
		taken[j.file] = true
		return true
	}
	kept := jobs[:0]
	for _, j := range jobs {
		if !name(&j) {
			continue
		}
		then := j.then[:0]
		for _, t := range j.then {
			if name(&t) {
				then = append(then, t)
			}
		}
		j.then = then
		kept = append(kept, j)
	}
	return kept
}

// renderPage runs one request through the site.
func renderPage(ctx context.Context, h http.Handler, base *url.URL, j job) *page {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.String()+j.url, nil)
	if err != nil {
		return &page{job: j, err: err}
	}
	if base.Scheme == "https" {
		req.TLS = tlsState
	}
	rw := &recorder{header: make(http.Header, 4), body: buffers.Get().(*bytes.Buffer)}
	h.ServeHTTP(rw, req)
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	p := &page{job: j, status: rw.status, ctype: rw.header.Get("Content-Type"), location: rw.header.Get("Location"), body: rw.body}
	if rw.status >= 500 {
		p.err = fmt.Errorf("the site failed with %d: %.200s", rw.status, rw.body.String())
	}
	return p
}

// buffers hold rendered pages until they are written; pages are alike in
// size, so a buffer grown for one fits the next.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// recorder is a minimal ResponseWriter keeping the response in memory.
type recorder struct {
	header http.Header
	status int
	body   *bytes.Buffer
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
	if clean == "/"+ManifestName || clean == "/"+stagingName || strings.HasPrefix(clean, "/"+stagingName+"/") {
		return "", errors.New("the export keeps its own file under this name")
	}
	return strings.TrimPrefix(clean, "/"), nil
}

// writeRedirects writes the _redirects file and a refresh page per alias.
func writeRedirects(base *url.URL, w *writer, aliases []content.Alias, rep *Report) error {
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
		if err := w.putChecked(file, []byte(page)); err != nil {
			return err
		}
		rep.Redirects++
	}
	return w.putChecked("_redirects", []byte(b.String()))
}

type manifest struct {
	Version int               `json:"version"`
	Files   map[string]string `json:"files"` // file → hash of its bytes (hashOf)
}

// manifestVersion names the hash of the manifest's files: 1 was SHA-256,
// 2 is xxHash64, an eighth of the work. The files of a manifest of another
// version are compared byte for byte, and removed when the site no longer
// has them, as with one of this version.
const manifestVersion = 2

// hashOf spells a file's hash in the manifest.
func hashOf(sum uint64) string { return fmt.Sprintf("%016x", sum) }

// writer writes the export's files into the staging folder, one at a
// time (from the goroutine collecting the rendered pages), and at the end
// moves them into the export folder.
type writer struct {
	dir, stage  string
	incremental bool
	previous    map[string]string // the previous export's manifest
	trusted     bool              // its hashes are of the kind this export makes
	files       map[string]string // file → hash of what this export holds
	made        map[string]bool   // folders made in the staging folder
	written     int
	unchanged   int
	removed     int
	bytes       int64
}

// inPlace reports whether the export folder holds the file name with
// exactly body (of hash sum) already, as the previous export wrote it: such
// a file is left alone, which spares writing, moving and the old file's
// removal. --incremental trusts the manifest and the file's size; a full
// export reads the file and compares its bytes, so that whatever changed
// it since is undone. It only reads, and is called from the workers.
func (w *writer) inPlace(name string, body []byte, sum uint64) bool {
	if prev, ok := w.previous[name]; !ok || w.trusted && prev != hashOf(sum) {
		return false
	}
	full := filepath.Join(w.dir, filepath.FromSlash(name))
	st, err := os.Lstat(full)
	if err != nil || !st.Mode().IsRegular() || st.Size() != int64(len(body)) {
		return false
	}
	if w.incremental && w.trusted {
		return true
	}
	f, err := os.Open(full)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := readBuffers.Get().(*[]byte)
	defer readBuffers.Put(buf)
	// One byte more than body: a file that grew since Lstat differs.
	if cap(*buf) < len(body)+1 {
		*buf = make([]byte, len(body)+1)
	}
	b := (*buf)[:len(body)+1]
	n, err := io.ReadFull(f, b)
	return err == io.ErrUnexpectedEOF && n == len(body) && bytes.Equal(b[:n], body)
}

// readBuffers hold the files read back by inPlace.
var readBuffers = sync.Pool{New: func() any { return new([]byte) }}

// putChecked is put for a file not rendered by the workers.
func (w *writer) putChecked(name string, body []byte) error {
	sum := xxhash.Sum64(body)
	return w.put(name, body, sum, w.inPlace(name, body, sum))
}

// put stages a file of hash sum, unless it is in place already (inPlace).
func (w *writer) put(name string, body []byte, sum uint64, inPlace bool) error {
	w.files[name] = hashOf(sum)
	w.bytes += int64(len(body))
	if inPlace {
		w.unchanged++
		return nil
	}
	full := filepath.Join(w.stage, filepath.FromSlash(name))
	if err := w.mkdir(filepath.Dir(full)); err != nil {
		return err
	}
	if err := os.WriteFile(full, body, 0o644); err != nil {
		return err
	}
	w.written++
	return nil
}

// mkdir makes a folder of the staging folder and its parents, each once.
func (w *writer) mkdir(dir string) error {
	if w.made[dir] {
		return nil
	}
	if err := w.mkdir(filepath.Dir(dir)); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	w.made[dir] = true
	return nil
}

// commit moves the staged files into the export folder, removes the files
// of the previous export the site no longer has and writes the manifest.
func (w *writer) commit() error {
	// The old manifest goes first: were the move cut short, a later
	// --incremental must not believe the files it lists unchanged.
	manifestPath := filepath.Join(w.dir, ManifestName)
	if err := os.Remove(manifestPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := merge(w.stage, w.dir); err != nil {
		return fmt.Errorf("move the exported files into place: %w", err)
	}
	for name := range w.previous {
		if _, ok := w.files[name]; !ok {
			if err := os.Remove(filepath.Join(w.dir, filepath.FromSlash(name))); err == nil {
				w.removed++
			}
		}
	}
	tmp := manifestPath + ".tmp"
	if err := os.WriteFile(tmp, encodeManifest(w.files), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, manifestPath)
}

// encodeManifest writes the manifest of files as json.MarshalIndent
// writes it with a one-space indent, names in order, in a tenth of the
// time: the export waits for it at its end.
func encodeManifest(files map[string]string) []byte {
	names := make([]string, 0, len(files))
	n := 64
	for name, sum := range files {
		names = append(names, name)
		n += len(name) + len(sum) + 10
	}
	slices.Sort(names)
	b := make([]byte, 0, n)
	b = append(b, "{\n \"version\": "...)
	b = strconv.AppendInt(b, manifestVersion, 10)
	b = append(b, ",\n \"files\": {"...)
	for i, name := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n  "...)
		b = appendJSONString(b, name)
		b = append(b, ": "...)
		b = appendJSONString(b, files[name])
	}
	if len(names) > 0 {
		b = append(b, "\n "...)
	}
	return append(b, "}\n}"...)
}

// appendJSONString appends s as encoding/json writes it: as it is when it
// holds only printable ASCII that JSON and HTML leave alone, else through
// encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// merge moves what the folder src holds into dst: a folder dst lacks is
// moved whole (one rename for a first export), files replace files.
func merge(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		from, to := filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())
		if e.IsDir() {
			st, err := os.Lstat(to)
			switch {
			case errors.Is(err, fs.ErrNotExist):
			case err != nil:
				return err
			case st.IsDir():
				if err := merge(from, to); err != nil {
					return err
				}
				continue
			default:
				// A file of an earlier export where a folder now goes.
				if err := os.Remove(to); err != nil {
					return err
				}
			}
		}
		if err := os.Rename(from, to); err != nil {
			return err
		}
	}
	return nil
}

// tlsState marks rendering requests for an https:// base as secure, so
// the site builds https:// links and headers.
var tlsState = &tls.ConnectionState{}
