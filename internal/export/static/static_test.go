package static_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/demo"
	"github.com/broadsheet/broadsheet/internal/export/static"
	"github.com/broadsheet/broadsheet/internal/importer/wxr"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
	"github.com/broadsheet/broadsheet/internal/web"
)

const base = "https://news.example.org"

// demoSite loads the demo publication and returns the site's handler as
// serve runs it, with its assets.
func demoSite(t testing.TB, engine string) (*store.DB, http.Handler, *site.Site) {
	t.Helper()
	db := storetest.Open(t, engine)
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	if _, err := wxr.Import(context.Background(), db, bytes.NewReader(demo.WXR), wxr.Options{}); err != nil {
		t.Fatal(err)
	}
	s, err := site.New(site.Config{DB: db, Theme: site.DefaultTheme(), BaseURL: base,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return db, s.Handler(), s
}

func export(t *testing.T, db *store.DB, h http.Handler, s *site.Site, dir string, incremental bool) *static.Report {
	t.Helper()
	calls, last, total := 0, 0, 0
	rep, err := static.Export(context.Background(), static.Options{DB: db, Handler: h, BaseURL: base, Site: s,
		Dir: dir, Incremental: incremental, Progress: func(done, n int) { calls, last, total = calls+1, done, n }})
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 || last != total {
		t.Errorf("progress: %d calls, the last at %d of %d", calls, last, total)
	}
	if _, err := os.Stat(filepath.Join(dir, ".broadsheet-staging")); !os.IsNotExist(err) {
		t.Errorf("the staging folder stays after the export: %v", err)
	}
	return rep
}

// manifestFiles returns the files the export's manifest lists.
func manifestFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, static.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Files map[string]string }
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m.Files
}

// snapshot reads every file under dir.
func snapshot(t testing.TB, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestExportHoldsWhatTheServerAnswers(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db, h, s := demoSite(t, engine)
			ctx := context.Background()
			posts, _, err := db.FindPosts(ctx, store.Published(db.Now()))
			if err != nil {
				t.Fatal(err)
			}
			err = db.Update(ctx, func(tx *store.Tx) error {
				if err := tx.PutAlias(ctx, &content.Alias{Path: "/old/story.html", PostID: posts[3].ID}); err != nil {
					return err
				}
				if err := tx.PutAlias(ctx, &content.Alias{Path: "/?p=12", PostID: posts[2].ID}); err != nil {
					return err
				}
				return tx.PutAlias(ctx, &content.Alias{Path: "/old-section", Target: "/category/africa/"})
			})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			rep := export(t, db, h, s, dir, false)

			srv := httptest.NewServer(h)
			defer srv.Close()
			// Every post, the front page's pages, archives and assets are
			// files.
			want := []string{"/", "/page/2/", "/2026/", posts[0].Path(), posts[len(posts)-1].Path()}
			for _, c := range posts[0].Categories {
				want = append(want, c.Path())
			}
			for _, a := range posts[0].Authors {
				want = append(want, a.Path())
			}
			for name, fp := range s.Assets() {
				want = append(want, "/static/"+name, fp)
			}
			files := manifestFiles(t, dir)
			redirects, _ := os.ReadFile(filepath.Join(dir, "_redirects"))
			for _, u := range want {
				file := strings.TrimPrefix(u, "/")
				if strings.HasSuffix(u, "/") {
					file += "index.html"
				}
				if _, ok := files[file]; !ok {
					t.Errorf("%s: no file %s in the export", u, file)
				}
			}
			// Every file of the export holds exactly what the server
			// answers at its address (the aliases' refresh pages aside).
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			compared := 0
			for file := range files {
				if file == "_redirects" || file == "_headers" {
					continue
				}
				u := "/" + strings.TrimSuffix(file, "index.html")
				if strings.Contains(string(redirects), "\n"+strings.TrimSuffix(u, "/")+" ") {
					continue // an alias's refresh page
				}
				resp, err := client.Get(srv.URL + u)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusMovedPermanently {
					continue
				}
				got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(file)))
				if err != nil {
					t.Errorf("%s: %v", u, err)
					continue
				}
				if !bytes.Equal(got, body) {
					t.Errorf("%s: the file differs from what the server answers", u)
				}
				compared++
			}
			if compared < rep.Pages {
				t.Errorf("compared %d files for %d pages", compared, rep.Pages)
			}
			if rep.Pages < len(posts)+5 {
				t.Errorf("only %d pages exported for %d posts", rep.Pages, len(posts))
			}
			if b, err := os.ReadFile(filepath.Join(dir, "404.html")); err != nil || !strings.Contains(string(b), "Page not found") {
				t.Errorf("no 404.html page: %v", err)
			}
			for _, line := range []string{"/old/story.html " + posts[3].Path() + " 301", "/old-section /category/africa/ 301"} {
				if !strings.Contains(string(redirects), line+"\n") {
					t.Errorf("_redirects lacks %q:\n%s", line, redirects)
				}
			}
			refresh, err := os.ReadFile(filepath.Join(dir, "old", "story.html"))
			if err != nil || !strings.Contains(string(refresh), `http-equiv="refresh" content="0; url=`+base+posts[3].Path()+`"`) {
				t.Errorf("the alias's refresh page is missing or wrong (%v):\n%s", err, refresh)
			}
			if _, err := os.Stat(filepath.Join(dir, "old-section", "index.html")); err != nil {
				t.Errorf("no refresh page for an alias without a slash: %v", err)
			}
			skippedQuery := false
			for _, s := range rep.Skipped {
				skippedQuery = skippedQuery || (s.URL == "/?p=12" && strings.Contains(s.Reason, "query string"))
			}
			if !skippedQuery {
				t.Errorf("the query-string alias is not reported as skipped: %+v", rep.Skipped)
			}
		})
	}
}

func TestIncrementalRewritesOnlyWhatChanged(t *testing.T) {
	db, h, s := demoSite(t, "sqlite")
	ctx := context.Background()
	dir := t.TempDir()
	first := export(t, db, h, s, dir, true)
	if first.Written == 0 || first.Unchanged != 0 {
		t.Fatalf("first export: %d written, %d unchanged", first.Written, first.Unchanged)
	}
	again := export(t, db, h, s, dir, true)
	if again.Written != 0 || again.Unchanged != first.Written {
		t.Errorf("nothing changed, yet %d files written (%d unchanged of %d)", again.Written, again.Unchanged, first.Written)
	}

	// Retitle the oldest post: its page, its neighbour and the listings
	// showing it change; most files do not.
	posts, _, _ := db.FindPosts(ctx, store.Published(db.Now()))
	oldest, err := db.FindPostByID(ctx, posts[len(posts)-1].ID)
	if err != nil {
		t.Fatal(err)
	}
	untouched := filepath.Join(dir, strings.TrimPrefix(posts[0].Path(), "/"), "index.html")
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	os.Chtimes(untouched, old, old)
	oldest.Title = "A New Title For The Oldest"
	if err := markup.RenderPost(oldest); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.UpdatePost(ctx, oldest) }); err != nil {
		t.Fatal(err)
	}
	after := export(t, db, h, s, dir, true)
	if after.Written == 0 || after.Written > first.Written/2 {
		t.Errorf("after one edit %d of %d files were rewritten", after.Written, first.Written)
	}
	if st, _ := os.Stat(untouched); !st.ModTime().Equal(old) {
		t.Errorf("the newest post's file was rewritten though it did not change")
	}
	b, _ := os.ReadFile(filepath.Join(dir, strings.TrimPrefix(oldest.Path(), "/"), "index.html"))
	if !strings.Contains(string(b), "A New Title For The Oldest") {
		t.Errorf("the edited post's file does not have its new title")
	}

	// Unpublish it: its file goes.
	oldest.Status = content.StatusDraft
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.UpdatePost(ctx, oldest) }); err != nil {
		t.Fatal(err)
	}
	gone := export(t, db, h, s, dir, true)
	if _, err := os.Stat(filepath.Join(dir, strings.TrimPrefix(oldest.Path(), "/"), "index.html")); !os.IsNotExist(err) || gone.Removed == 0 {
		t.Errorf("an unpublished post's file stays (%d removed): %v", gone.Removed, err)
	}
	// A file lost from the folder is written again, manifest or not.
	os.Remove(untouched)
	export(t, db, h, s, dir, true)
	if _, err := os.Stat(untouched); err != nil {
		t.Errorf("a deleted file was not restored by --incremental: %v", err)
	}
}

// TestReexportLeavesUnchangedFilesAlone shows that a full export into the
// folder of an earlier one leaves alone the files whose bytes did not
// change, and still makes every file hold what the site answers: a file
// changed since, even to another text of the same length, is written
// again, where --incremental would trust the manifest.
func TestReexportLeavesUnchangedFilesAlone(t *testing.T) {
	db, h, s := demoSite(t, "sqlite")
	ctx := context.Background()
	dir := t.TempDir()
	first := export(t, db, h, s, dir, false)
	want := snapshot(t, dir)

	posts, _, _ := db.FindPosts(ctx, store.Published(db.Now()))
	untouched := filepath.Join(dir, strings.TrimPrefix(posts[0].Path(), "/"), "index.html")
	tampered := filepath.Join(dir, strings.TrimPrefix(posts[1].Path(), "/"), "index.html")
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	os.Chtimes(untouched, old, old)
	b, _ := os.ReadFile(tampered)
	os.WriteFile(tampered, bytes.ToUpper(b), 0o644) // the same size

	again := export(t, db, h, s, dir, false)
	if again.Written != 1 || again.Unchanged != first.Written-1 {
		t.Errorf("nothing changed but one file: %d written, %d unchanged of %d", again.Written, again.Unchanged, first.Written)
	}
	if again.Bytes != first.Bytes || again.Pages != first.Pages {
		t.Errorf("the report differs: %+v, first %+v", again, first)
	}
	if st, _ := os.Stat(untouched); !st.ModTime().Equal(old) {
		t.Errorf("a file whose bytes did not change was written again")
	}
	if diff := cmp.Diff(want, snapshot(t, dir)); diff != "" {
		t.Errorf("the folder differs from the first export (-first +again):\n%.2000s", diff)
	}
}

// TestExportReadsAnOlderManifest shows that the manifest of an export
// made when files were hashed with SHA-256 still serves: its files are
// compared byte for byte and left alone when unchanged, those the site no
// longer has are removed, and the new manifest is of the current kind.
func TestExportReadsAnOlderManifest(t *testing.T) {
	db, h, s := demoSite(t, "sqlite")
	dir := t.TempDir()
	first := export(t, db, h, s, dir, false)
	files := snapshot(t, dir)
	old := map[string]string{}
	for name, body := range files {
		if name != static.ManifestName {
			sum := sha256.Sum256([]byte(body))
			old[name] = hex.EncodeToString(sum[:])
		}
	}
	gone := filepath.Join(dir, "gone", "index.html")
	os.MkdirAll(filepath.Dir(gone), 0o755)
	os.WriteFile(gone, []byte("a page the site no longer has"), 0o644)
	old["gone/index.html"] = strings.Repeat("0", 64)
	b, _ := json.Marshal(map[string]any{"version": 1, "files": old})
	os.WriteFile(filepath.Join(dir, static.ManifestName), b, 0o644)

	again := export(t, db, h, s, dir, true)
	if again.Written != 0 || again.Unchanged != first.Written || again.Removed != 1 {
		t.Errorf("%d written, %d unchanged of %d, %d removed; want 0, all, 1", again.Written, again.Unchanged, first.Written, again.Removed)
	}
	if _, err := os.Stat(gone); !os.IsNotExist(err) {
		t.Errorf("the file the site no longer has stays: %v", err)
	}
	b, _ = os.ReadFile(filepath.Join(dir, static.ManifestName))
	var m struct{ Version int }
	if json.Unmarshal(b, &m); m.Version != 2 {
		t.Errorf("the new manifest is of version %d", m.Version)
	}
	delete(files, static.ManifestName)
	now := snapshot(t, dir)
	delete(now, static.ManifestName)
	if diff := cmp.Diff(files, now); diff != "" {
		t.Errorf("the folder differs from the first export (-first +again):\n%.2000s", diff)
	}
}

func TestExportRefusesABadBaseURL(t *testing.T) {
	db, h, s := demoSite(t, "sqlite")
	_, err := static.Export(context.Background(), static.Options{DB: db, Handler: web.Chain(h), BaseURL: "news.example.org",
		Site: s, Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "news.example.org") {
		t.Errorf("a base URL without a scheme: %v", err)
	}
}

// TestExportWritesEveryAddress ties the site's list of its addresses to
// its router and to the export: every address listed, each page of every
// listing, answers 200 (the not-found page 404), every kind of address but
// search has one on the demo site, and the export writes exactly the files
// of those addresses, so that a kind of address added to the list reaches
// the export, or fails here. Two tags have slugs a path must escape: the
// export wrote no page of the one with "%" in its slug, unescaped.
func TestExportWritesEveryAddress(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db, h, s := demoSite(t, engine)
			ctx := context.Background()
			// Tags whose slugs a URL path must escape.
			posts, _, err := db.FindPosts(ctx, store.Published(db.Now()))
			if err != nil {
				t.Fatal(err)
			}
			p, err := db.FindPostByID(ctx, posts[1].ID)
			if err != nil {
				t.Fatal(err)
			}
			err = db.Update(ctx, func(tx *store.Tx) error {
				for _, slug := range []string{"50%-off", "café"} {
					tag := &content.Term{Taxonomy: content.TaxTag, Slug: slug, Name: slug}
					if err := tx.UpsertTerm(ctx, tag); err != nil {
						return err
					}
					p.Tags = append(p.Tags, *tag)
				}
				return tx.UpdatePost(ctx, p)
			})
			if err != nil {
				t.Fatal(err)
			}
			addrs, err := s.Addresses(ctx, db.Now())
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			found := map[site.AddressKind]bool{}
			want := map[string]bool{"_redirects": true, "_headers": true}
			for _, a := range addrs {
				found[a.Kind] = true
				if a.Pages < 1 || a.Pages > 1 && !a.Kind.Listing() {
					t.Errorf("%s (%s): %d pages", a.Path, a.Kind, a.Pages)
				}
				for n := 1; n <= a.Pages; n++ {
					u := site.PagePath(a.Path, n)
					resp, err := client.Get(srv.URL + u)
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					status := http.StatusOK
					if a.Kind == site.NotFoundAddress {
						status = http.StatusNotFound
					}
					if resp.StatusCode != status {
						t.Errorf("%s (%s): the site answers %d, want %d", u, a.Kind, resp.StatusCode, status)
					}
					file, err := url.PathUnescape(strings.TrimPrefix(u, "/"))
					if err != nil {
						t.Fatal(err)
					}
					if file == "" || strings.HasSuffix(file, "/") {
						file += "index.html"
					}
					want[file] = true
				}
			}
			for k := site.FrontAddress; k <= site.NotFoundAddress; k++ {
				if !found[k] && k != site.SearchAddress {
					t.Errorf("no address of kind %s is listed", k)
				}
			}

			dir := t.TempDir()
			export(t, db, h, s, dir, false)
			got := map[string]bool{}
			for file := range manifestFiles(t, dir) {
				got[file] = true
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("the export's files are not the listed addresses' (-listed +exported):\n%s", diff)
			}
			headers, _ := os.ReadFile(filepath.Join(dir, "_headers"))
			if !strings.Contains(string(headers), "/feed/\n  Content-Type: application/rss+xml") {
				t.Errorf("_headers does not give the feed its type:\n%s", headers)
			}
		})
	}
}

// TestDemoExportFiles compares the files the export of the demo site
// writes with the list in testdata/demo-export.txt; -update rewrites it.
func TestDemoExportFiles(t *testing.T) {
	db, h, s := demoSite(t, "sqlite")
	dir := t.TempDir()
	export(t, db, h, s, dir, false)
	var files []string
	for file := range manifestFiles(t, dir) {
		files = append(files, file)
	}
	slices.Sort(files)
	got := strings.Join(files, "\n") + "\n"
	golden := filepath.Join("testdata", "demo-export.txt")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("the demo site's export holds other files (-%s +exported):\n%s", golden, diff)
	}
}

var update = flag.Bool("update", false, "rewrite testdata/demo-export.txt")

// TestFailedExportChangesNothing shows that a page the site fails to render
// stops the export with its address, and that the folder keeps the
// previous export untouched, manifest and all.
func TestFailedExportChangesNothing(t *testing.T) {
	db, h, s := demoSite(t, "sqlite")
	ctx := context.Background()
	dir := t.TempDir()
	export(t, db, h, s, dir, false)
	before := snapshot(t, dir)

	posts, _, err := db.FindPosts(ctx, store.Published(db.Now()))
	if err != nil {
		t.Fatal(err)
	}
	broken := posts[len(posts)/2].Path()
	// An edit, so that the failed export has changed files to move.
	oldest, err := db.FindPostByID(ctx, posts[len(posts)-1].ID)
	if err != nil {
		t.Fatal(err)
	}
	oldest.Title = "A New Title For The Oldest"
	if err := markup.RenderPost(oldest); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.UpdatePost(ctx, oldest) }); err != nil {
		t.Fatal(err)
	}
	failing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == broken {
			http.Error(w, "the template broke", http.StatusInternalServerError)
			return
		}
		h.ServeHTTP(w, r)
	})
	for _, incremental := range []bool{false, true} {
		_, err := static.Export(context.Background(), static.Options{DB: db, Handler: failing, BaseURL: base,
			Site: s, Dir: dir, Incremental: incremental})
		if err == nil || !strings.Contains(err.Error(), broken) {
			t.Fatalf("incremental %v: the error does not name the failed page %s: %v", incremental, broken, err)
		}
		if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
			t.Errorf("incremental %v: a failed export changed the folder (-before +after):\n%.2000s", incremental, diff)
		}
	}
}

// TestExportIsDeterministic exports the same site with one worker and
// with many: the same files, the same bytes, the same report.
func TestExportIsDeterministic(t *testing.T) {
	db, h, s := demoSite(t, "sqlite")
	var reports []*static.Report
	var trees []map[string]string
	for _, workers := range []int{1, 8} {
		dir := t.TempDir()
		rep, err := static.Export(context.Background(), static.Options{DB: db, Handler: h, BaseURL: base,
			Site: s, Dir: dir, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		reports, trees = append(reports, rep), append(trees, snapshot(t, dir))
	}
	if diff := cmp.Diff(trees[0], trees[1]); diff != "" {
		t.Errorf("one worker and eight wrote different files (-one +eight):\n%.2000s", diff)
	}
	if diff := cmp.Diff(reports[0], reports[1]); diff != "" {
		t.Errorf("one worker and eight report differently (-one +eight):\n%s", diff)
	}
}

// TestExportLeavesOutArchivesOfUnpublishedPosts gives a tag and an author
// a draft and a scheduled post only: the export has no page or feed of
// theirs, as the server has none.
func TestExportLeavesOutArchivesOfUnpublishedPosts(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db, h, s := demoSite(t, engine)
			ctx := context.Background()
			err := db.Update(ctx, func(tx *store.Tx) error {
				ghost := &content.User{Slug: "ghost", Name: "Ghost Writer", Role: content.RoleAuthor}
				if err := tx.UpsertUser(ctx, ghost); err != nil {
					return err
				}
				embargo := &content.Term{Taxonomy: content.TaxTag, Slug: "embargo", Name: "Embargo"}
				if err := tx.UpsertTerm(ctx, embargo); err != nil {
					return err
				}
				for i, st := range []content.Status{content.StatusDraft, content.StatusScheduled} {
					p := &content.Post{Kind: content.KindPost, Status: st, Format: content.FormatHTML, Title: "Unseen",
						Slug: fmt.Sprintf("unseen-%d", i), Body: "<p>Not yet.</p>", Authors: []content.User{*ghost}, Tags: []content.Term{*embargo}}
					if st == content.StatusScheduled {
						p.PublishedAt = db.Now().Add(24 * time.Hour)
					}
					if err := markup.RenderPost(p); err != nil {
						return err
					}
					if err := tx.CreatePost(ctx, p); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			export(t, db, h, s, dir, false)
			for file := range manifestFiles(t, dir) {
				if strings.HasPrefix(file, "tag/embargo/") || strings.HasPrefix(file, "author/ghost/") {
					t.Errorf("the export holds %s, an archive of unpublished posts only", file)
				}
			}
		})
	}
}

// TestExportWritesOutletArchives: an outlet some posts were republished
// from has its archive, its pages and its feeds written, as the server
// answers them, and is listed in the sources sitemap.
func TestExportWritesOutletArchives(t *testing.T) {
	db, h, s := demoSite(t, "sqlite")
	ctx := context.Background()
	posts, _, err := db.FindPosts(ctx, store.Published(db.Now()))
	if err != nil || len(posts) < 3 {
		t.Fatalf("demo posts: %d, %v", len(posts), err)
	}
	err = db.Update(ctx, func(tx *store.Tx) error {
		o := &content.Outlet{Name: "Agence Wire", Homepage: "https://wire.example/"}
		if err := tx.CreateOutlet(ctx, o); err != nil {
			return err
		}
		for _, p := range posts[:3] {
			it := &content.Item{OutletID: o.ID, OutletName: o.Name, GUID: p.Slug, URL: o.Homepage + p.Slug,
				Title: p.Title, PublishedAt: p.PublishedAt}
			if _, err := tx.AddItem(ctx, it); err != nil {
				return err
			}
			if err := tx.MarkItemRepublished(ctx, it.ID, p.ID, content.CanonicalOriginal); err != nil {
				return err
			}
		}
		set, err := tx.LoadSettings(ctx)
		if err != nil {
			return err
		}
		set.PostsPerPage = 2
		return tx.SaveSettings(ctx, set)
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	export(t, db, h, s, dir, false)
	for _, file := range []string{"source/agence-wire/index.html", "source/agence-wire/page/2/index.html",
		"source/agence-wire/feed/index.html", "source/agence-wire/feed/atom/index.html", "source/agence-wire/feed/json/index.html",
		"sitemaps/sources.xml"} {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(file)))
		if err != nil {
			t.Errorf("the export lacks %s: %v", file, err)
			continue
		}
		path := "/" + strings.TrimSuffix(file, "index.html")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, base+path, nil))
		if rec.Code != http.StatusOK || rec.Body.String() != string(b) {
			t.Errorf("%s holds other than what the server answers for %s (%d)", file, path, rec.Code)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "source", "agence-wire", "page", "3")); !os.IsNotExist(err) {
		t.Errorf("the export holds a third page of an archive of three posts at two a page: %v", err)
	}
}

// TestExportRedirectsRenamedCategories renames a category of the demo: the
// export writes its old archive and feeds as redirects to the new ones.
func TestExportRedirectsRenamedCategories(t *testing.T) {
	db, h, s := demoSite(t, "sqlite")
	ctx := context.Background()
	terms, err := db.FindTerms(ctx, content.TaxCategory)
	if err != nil {
		t.Fatal(err)
	}
	var c *content.Term
	for _, term := range terms {
		if term.Count > 0 {
			c = term
			break
		}
	}
	if c == nil {
		t.Fatal("the demo has no category with posts")
	}
	old := c.Slug
	c.Slug = "renamed-section"
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.UpdateTerm(ctx, c) }); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	export(t, db, h, s, dir, false)
	b, err := os.ReadFile(filepath.Join(dir, "_redirects"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"/category/" + old + "/ /category/renamed-section/ 301\n",
		"/category/" + old + "/feed/ /category/renamed-section/feed/ 301\n",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("_redirects lacks %q:\n%s", want, b)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "category", old, "index.html")); err != nil {
		t.Errorf("no refresh page at the old address: %v", err)
	}
}

// TestExportKeepsProtectedPostsClosed: files take no password, so a
// protected post's page in the export says it cannot be read there,
// with no form that would post to a server that is not there, and never
// its text.
func TestExportKeepsProtectedPostsClosed(t *testing.T) {
	db, _, _ := demoSite(t, "sqlite")
	// As the export command runs the site: every page rendered once.
	s, err := site.New(site.Config{DB: db, Theme: site.DefaultTheme(), BaseURL: base, RenderOnce: true,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	ctx := context.Background()
	p := &content.Post{Kind: content.KindPost, Status: content.StatusPublished, Format: content.FormatHTML,
		Title: "Members' letter", Slug: "members-letter", Body: "<p>The secret minutes.</p>", Password: "harbour",
		PublishedAt: db.Now().Add(-time.Hour)}
	err = db.Update(ctx, func(tx *store.Tx) error {
		if err := markup.RenderPost(p); err != nil {
			return err
		}
		return tx.CreatePost(ctx, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	export(t, db, h, s, dir, false)
	page, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(p.Path(), "/")), "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	body := string(page)
	if !strings.Contains(body, "Members&#39; letter") || !strings.Contains(body, "It cannot be read in this copy of the site.") {
		t.Errorf("the protected post's page lacks its title or the sentence saying it cannot be read here:\n%s", body)
	}
	if strings.Contains(body, "secret minutes") || strings.Contains(body, `action="/post-password"`) {
		t.Errorf("the protected post's page shows its text or a password form:\n%s", body)
	}
}
