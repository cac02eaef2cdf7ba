package cache_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
	"github.com/broadsheet/broadsheet/internal/web"
	"github.com/broadsheet/broadsheet/internal/web/cache"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fixture is a small site: two authors, categories "africa" and "europe",
// a tag, and posts on consecutive days.
type fixture struct {
	db      *store.DB
	srv     *httptest.Server
	mux     http.Handler // the site without the cache
	cache   *cache.Cache
	authors []content.User
	cats    map[string]content.Term
	tag     content.Term
	day     time.Time
}

func newFixture(t testing.TB, db *store.DB, maxBytes int64) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: db, cats: map[string]content.Term{}, day: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	err := db.Update(ctx, func(tx *store.Tx) error {
		for _, slug := range []string{"ada", "ben"} {
			u := content.User{Slug: slug, Name: strings.ToUpper(slug), Email: slug + "@example.org", Role: content.RoleAuthor}
			if err := tx.UpsertUser(ctx, &u); err != nil {
				return err
			}
			f.authors = append(f.authors, u)
		}
		for _, slug := range []string{"africa", "europe"} {
			term := content.Term{Taxonomy: content.TaxCategory, Slug: slug, Name: strings.Title(slug)}
			if err := tx.UpsertTerm(ctx, &term); err != nil {
				return err
			}
			f.cats[slug] = term
		}
		f.tag = content.Term{Taxonomy: content.TaxTag, Slug: "elections", Name: "Elections"}
		return tx.UpsertTerm(ctx, &f.tag)
	})
	if err != nil {
		t.Fatal(err)
	}
	// Six posts, alternating categories and authors, one a day.
	for i := range 6 {
		cat := []string{"africa", "europe"}[i%2]
		f.create(t, fmt.Sprintf("Story %d", i+1), cat, i%2, f.day.AddDate(0, 0, i), content.StatusPublished)
	}
	s, err := site.New(site.Config{DB: db, Theme: site.DefaultTheme(), Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	s.Routes(mux)
	f.mux = mux
	f.cache = cache.New(ctx, cache.Options{DB: db, MaxBytes: maxBytes, Listings: site.ListingTags, Log: quiet})
	f.srv = httptest.NewServer(web.Chain(f.cache.Handler(mux), web.SecurityHeaders))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) create(t testing.TB, title, cat string, author int, at time.Time, status content.Status) *content.Post {
	t.Helper()
	p := &content.Post{Kind: content.KindPost, Status: status, Format: content.FormatMarkdown, Title: title,
		Slug: markup.Slugify(title), PublishedAt: at, Body: "Intro of " + title + ".\n\n<!--more-->\n\nThe rest.",
		Authors: []content.User{f.authors[author]}, Categories: []content.Term{f.cats[cat]}}
	if cat == "africa" {
		p.Tags = []content.Term{f.tag}
	}
	if err := markup.RenderPost(p); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Update(context.Background(), func(tx *store.Tx) error { return tx.CreatePost(context.Background(), p) }); err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fixture) update(t *testing.T, p *content.Post, edit func(p *content.Post)) {
	t.Helper()
	edit(p)
	if err := markup.RenderPost(p); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Update(context.Background(), func(tx *store.Tx) error { return tx.UpdatePost(context.Background(), p) }); err != nil {
		t.Fatal(err)
	}
}

var client = &http.Client{
	Transport:     &http.Transport{DisableCompression: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// fetch GETs path with optional header pairs and returns the response and
// its body as sent.
func (f *fixture) fetch(t *testing.T, path string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// state returns "hit" or "miss" for path and its body.
func (f *fixture) state(t *testing.T, path string) (string, string) {
	t.Helper()
	resp, body := f.fetch(t, path)
	return resp.Header.Get("X-Broadsheet-Cache"), string(body)
}

// warm requests every path until it is served from the cache.
func (f *fixture) warm(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		f.fetch(t, p)
		if got, _ := f.state(t, p); got != "hit" {
			t.Fatalf("%s is not served from the cache after a first request: %q", p, got)
		}
	}
}

// expect checks which paths are still cached and which were dropped.
func (f *fixture) expect(t *testing.T, step string, dropped, kept []string) {
	t.Helper()
	for _, p := range dropped {
		if got, _ := f.state(t, p); got != "miss" {
			t.Errorf("%s: %s should have been dropped, was %q", step, p, got)
		}
	}
	for _, p := range kept {
		if got, _ := f.state(t, p); got != "hit" {
			t.Errorf("%s: %s should have stayed cached, was %q", step, p, got)
		}
	}
}

func TestPublishDropsExactlyThePagesThatShowIt(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 32<<20)
		all := []string{"/", "/category/africa/", "/category/europe/", "/tag/elections/", "/author/ada/", "/author/ben/",
			"/2026/01/06/story-6/", "/2026/01/05/story-5/", "/2026/01/02/story-2/", "/2026/", "/2026/01/", "/2026/01/07/", "/2026/01/03/"}
		f.warm(t, all...)

		// A new Africa story by Ada, the newest: the front page, Africa,
		// the elections tag, Ada, its dates, its older neighbour and the
		// Africa stories, whose related articles it joins, change; Europe,
		// Ben, Europe's stories and other days do not.
		f.create(t, "Story 7", "africa", 0, f.day.AddDate(0, 0, 6), content.StatusPublished)
		f.expect(t, "publish", []string{"/", "/category/africa/", "/tag/elections/", "/author/ada/", "/2026/", "/2026/01/",
			"/2026/01/07/", "/2026/01/06/story-6/", "/2026/01/05/story-5/"},
			[]string{"/category/europe/", "/author/ben/", "/2026/01/02/story-2/", "/2026/01/03/"})
		if _, body := f.state(t, "/2026/01/05/story-5/"); !strings.Contains(body, "Story 7") {
			t.Error("story 5 does not list the new Africa story among its related articles")
		}
		if _, body := f.state(t, "/category/africa/"); !strings.Contains(body, "Story 7") {
			t.Error("the Africa archive does not show the new story after the cache was dropped")
		}
		if _, body := f.state(t, "/2026/01/06/story-6/"); !strings.Contains(body, "Story 7") {
			t.Error("the older neighbour does not link to the new story")
		}

		// A draft saved: nothing readers see changes, except pages that
		// declared nothing (404s here).
		f.warm(t, all...)
		f.warm(t, "/no-such-page/")
		draft := f.create(t, "Draft", "europe", 1, f.day.AddDate(0, 0, 10), content.StatusDraft)
		f.update(t, draft, func(p *content.Post) { p.Body = "Still a draft." })
		f.expect(t, "draft", []string{"/no-such-page/"}, all)
	})
}

func TestEditMoveAndDeleteDropTheirPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 32<<20)
		// Story 2 (Europe, Ben) on 2 January; its neighbours are 1 and 3.
		story2, err := db.FindPostBySlug(context.Background(), content.KindPost, "story-2")
		if err != nil {
			t.Fatal(err)
		}
		pages := []string{"/", "/page/2/", "/category/africa/", "/category/europe/", "/author/ben/",
			"/2026/01/02/story-2/", "/2026/01/01/story-1/", "/2026/01/03/story-3/", "/2026/01/05/story-5/"}
		f.warm(t, pages...)

		// Retitled: the pages showing its title go, Africa stays.
		f.update(t, story2, func(p *content.Post) { p.Title = "Story Two, revised" })
		f.expect(t, "edit", []string{"/category/europe/", "/author/ben/", "/2026/01/02/story-2/", "/2026/01/01/story-1/",
			"/2026/01/03/story-3/"}, []string{"/category/africa/", "/2026/01/05/story-5/"})
		if _, body := f.state(t, "/2026/01/03/story-3/"); !strings.Contains(body, "Story Two, revised") {
			t.Error("the neighbour still links to the old title")
		}

		// Moved from Europe to Africa: both archives change, and so do
		// the Africa stories' related articles.
		f.warm(t, pages...)
		f.update(t, story2, func(p *content.Post) { p.Categories = []content.Term{f.cats["africa"]} })
		f.expect(t, "move", []string{"/category/europe/", "/category/africa/", "/2026/01/05/story-5/"}, nil)
		if _, body := f.state(t, "/category/europe/"); strings.Contains(body, "Story Two") {
			t.Error("Europe still lists the story moved to Africa")
		}

		// Deleted: its page is gone, its neighbours link to each other.
		f.warm(t, pages...)
		if err := db.Update(context.Background(), func(tx *store.Tx) error { return tx.DeletePost(context.Background(), story2.ID) }); err != nil {
			t.Fatal(err)
		}
		if resp, _ := f.fetch(t, "/2026/01/02/story-2/"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("a deleted post's page answers %d", resp.StatusCode)
		}
		f.expect(t, "delete", []string{"/category/africa/", "/2026/01/03/story-3/", "/2026/01/05/story-5/"}, nil)
		if _, body := f.state(t, "/2026/01/03/story-3/"); !strings.Contains(body, "Story 1") {
			t.Error("after the delete, story 3 does not link back to story 1")
		}
	})
}

func TestUnknownPreviousStateDropsListingsOnly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 32<<20)
		// Story 1 was never rendered, so the cache cannot know its
		// listings: unpublishing it must drop every listing, and every
		// post's page listing related articles, but nothing else.
		story1, _ := db.FindPostBySlug(context.Background(), content.KindPost, "story-1")
		f.warm(t, "/category/europe/", "/2026/01/05/story-5/")
		later := db.Now().Add(time.Hour)
		db.Now = func() time.Time { return later }
		f.update(t, story1, func(p *content.Post) { p.Status = content.StatusDraft })
		f.expect(t, "unpublish unseen", []string{"/category/europe/", "/2026/01/05/story-5/"}, nil)
	})
}

func TestScheduledPostAppearsWhenDue(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 32<<20)
		now := db.Now()
		f.create(t, "Tomorrow", "europe", 1, now.Add(24*time.Hour), content.StatusPublished)
		f.warm(t, "/", "/category/africa/")
		if _, body := f.state(t, "/"); strings.Contains(body, "Tomorrow") {
			t.Fatal("a post scheduled for tomorrow is on the front page today")
		}
		later := now.Add(25 * time.Hour)
		db.Now = func() time.Time { return later }
		if state, body := f.state(t, "/"); state != "miss" || !strings.Contains(body, "Tomorrow") {
			t.Errorf("once due, the scheduled post is not on the front page (cache %s)", state)
		}
		f.expect(t, "due", nil, []string{"/category/africa/"})
	})
}

func TestSiteChangeDropsEverything(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 32<<20)
		f.warm(t, "/", "/2026/01/02/story-2/")
		set := content.DefaultSettings()
		set.Title = "The New Name"
		if err := db.Update(context.Background(), func(tx *store.Tx) error { return tx.SaveSettings(context.Background(), set) }); err != nil {
			t.Fatal(err)
		}
		f.expect(t, "settings", []string{"/", "/2026/01/02/story-2/"}, nil)
		if _, body := f.state(t, "/2026/01/02/story-2/"); !strings.Contains(body, "The New Name") {
			t.Error("the post page shows the old site title")
		}
	})
}

func TestCompressionAndConditionalRequests(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	f := newFixture(t, db, 32<<20)
	plainResp, plain := f.fetch(t, "/")
	if plainResp.Header.Get("Content-Encoding") != "" {
		t.Fatal("a client that accepts no encoding got a compressed page")
	}
	for _, tc := range []struct{ accept, want string }{
		{"gzip, deflate, br", "br"}, {"gzip", "gzip"}, {"br;q=0, gzip", "gzip"}, {"identity", ""},
	} {
		resp, body := f.fetch(t, "/", "Accept-Encoding", tc.accept)
		if got := resp.Header.Get("Content-Encoding"); got != tc.want {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", tc.accept, got, tc.want)
			continue
		}
		if resp.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Vary %q", tc.accept, resp.Header.Get("Vary"))
		}
		var r io.Reader = bytes.NewReader(body)
		switch tc.want {
		case "br":
			r = brotli.NewReader(r)
		case "gzip":
			zr, err := gzip.NewReader(r)
			if err != nil {
				t.Fatal(err)
			}
			r = zr
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("Accept-Encoding %q: the page does not decode to the plain page (%v)", tc.accept, err)
		}
		if tc.want != "" && len(body) >= len(plain)/2 {
			t.Errorf("%s page is %d bytes for %d plain", tc.want, len(body), len(plain))
		}
	}
	etag, lastMod := plainResp.Header.Get("ETag"), plainResp.Header.Get("Last-Modified")
	if etag == "" || lastMod == "" {
		t.Fatalf("no validators: ETag %q, Last-Modified %q", etag, lastMod)
	}
	if resp, body := f.fetch(t, "/", "If-None-Match", etag); resp.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Errorf("If-None-Match with the current ETag: %d and %d bytes, want 304 and none", resp.StatusCode, len(body))
	}
	if resp, _ := f.fetch(t, "/", "If-Modified-Since", lastMod); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since the Last-Modified: %d, want 304", resp.StatusCode)
	}
	f.create(t, "Fresh", "africa", 0, f.day.AddDate(0, 0, 9), content.StatusPublished)
	if resp, body := f.fetch(t, "/", "If-None-Match", etag); resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Fresh") {
		t.Errorf("after a publish, the old ETag still gets %d", resp.StatusCode)
	}
	// HEAD is answered from the same entry, without a body.
	resp, err := client.Head(f.srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Broadsheet-Cache") != "hit" || resp.Header.Get("Content-Length") == "" {
		t.Errorf("HEAD: %d, cache %q, length %q", resp.StatusCode, resp.Header.Get("X-Broadsheet-Cache"), resp.Header.Get("Content-Length"))
	}
}

func TestSizeBound(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	f := newFixture(t, db, 48<<10)
	for _, p := range []string{"/", "/page/2/", "/category/africa/", "/category/europe/", "/tag/elections/", "/author/ada/",
		"/author/ben/", "/2026/", "/2026/01/", "/2026/01/01/story-1/", "/2026/01/02/story-2/", "/2026/01/03/story-3/",
		"/2026/01/04/story-4/", "/2026/01/05/story-5/", "/2026/01/06/story-6/"} {
		f.fetch(t, p)
		if st := f.cache.Stats(); st.Bytes > 48<<10 {
			t.Fatalf("after %s the cache holds %d bytes, over its bound of %d", p, st.Bytes, 48<<10)
		}
	}
	st := f.cache.Stats()
	if st.Entries == 0 || st.Entries >= 15 {
		t.Errorf("the bounded cache holds %d entries; want some, not all 15", st.Entries)
	}
	if got, _ := f.state(t, "/2026/01/06/story-6/"); got != "hit" {
		t.Errorf("the most recent page was evicted (%s)", got)
	}
}

// TestEditorsAndCookiesNeverCached uses a handler that shows editors their
// own view, to prove a reader never sees it and an editor never sees the
// readers' copy.
func TestEditorsAndCookiesNeverCached(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	c := cache.New(context.Background(), cache.Options{DB: db, MaxBytes: 1 << 20, Listings: site.ListingTags, Log: quiet})
	n := 0
	h := c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		switch r.URL.Path {
		case "/cookie/":
			http.SetCookie(w, &http.Cookie{Name: "hello", Value: fmt.Sprint(n)})
		case "/fail/":
			http.Error(w, "broken "+fmt.Sprint(n), http.StatusInternalServerError)
			return
		case "/found/":
			http.Redirect(w, r, fmt.Sprint("/elsewhere/", n), http.StatusFound)
			return
		case "/private/":
			w.Header().Set("Cache-Control", "private")
		}
		if _, err := r.Cookie(cache.SessionCookie); err == nil {
			fmt.Fprintf(w, "editor view %d", n)
			return
		}
		if _, err := r.Cookie(cache.PostPassCookiePrefix + "7"); err == nil {
			fmt.Fprintf(w, "opened protected post %d", n)
			return
		}
		fmt.Fprintf(w, "reader view %d", n)
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	get := func(path string, editor bool) string {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if editor {
			req.AddCookie(&http.Cookie{Name: cache.SessionCookie, Value: "s"})
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	// An editor first: nothing is kept, the reader gets a reader's page.
	if got := get("/a/", true); !strings.HasPrefix(got, "editor view") {
		t.Fatalf("editor got %q", got)
	}
	if got := get("/a/", false); !strings.HasPrefix(got, "reader view") {
		t.Errorf("a reader after an editor got %q", got)
	}
	// The reader's page is cached; an editor still gets a fresh editor view.
	first := get("/a/", false)
	if got := get("/a/", true); !strings.HasPrefix(got, "editor view") {
		t.Errorf("an editor after a reader got the cached %q", got)
	}
	if got := get("/a/", false); got != first {
		t.Errorf("the reader's page was not cached: %q then %q", first, got)
	}
	// A reader who gave a protected post's password sees it opened, not
	// the cached page with its password form.
	req, _ := http.NewRequest("GET", srv.URL+"/a/", nil)
	req.AddCookie(&http.Cookie{Name: "theme", Value: "dark"})
	req.AddCookie(&http.Cookie{Name: cache.PostPassCookiePrefix + "7", Value: "digest"})
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.HasPrefix(string(b), "opened protected post") {
		t.Errorf("a reader with a post's password cookie got the cached %q", b)
	}
	if got := get("/a/", false); got != first {
		t.Errorf("the opened post replaced the readers' copy: %q", got)
	}
	for _, path := range []string{"/cookie/", "/fail/", "/found/", "/private/"} {
		if a, b := get(path, false), get(path, false); a == b {
			t.Errorf("%s was cached (%q twice)", path, a)
		}
	}
}

func TestBulkChangeDropsEverything(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	f := newFixture(t, db, 32<<20)
	f.warm(t, "/category/europe/", "/2026/01/02/story-2/")
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		for i := range 70 {
			p := &content.Post{Kind: content.KindPost, Status: content.StatusDraft, Format: content.FormatMarkdown,
				Title: fmt.Sprint("Imported ", i), Slug: fmt.Sprint("imported-", i), Body: "Draft."}
			if err := markup.RenderPost(p); err != nil {
				return err
			}
			if err := tx.CreatePost(context.Background(), p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.expect(t, "bulk import", []string{"/category/europe/", "/2026/01/02/story-2/"}, nil)
}

// TestConcurrentWritersLeaveTheCacheTrue publishes from many goroutines at
// once, one of the stories opening a new section in the navigation, while
// changes relayed from another process arrive and readers fetch the front
// page; once they are done, the cached front page must be the page as
// rendered now.
func TestConcurrentWritersLeaveTheCacheTrue(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, 32<<20)
		asia := content.Term{Taxonomy: content.TaxCategory, Slug: "asia", Name: "Asia"}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.UpsertTerm(ctx, &asia) }); err != nil {
			t.Fatal(err)
		}
		f.cats["asia"] = asia
		f.warm(t, "/", "/category/europe/")

		const writers, each, relays, remote = 8, 4, 4, 40
		var wg sync.WaitGroup
		errs := make(chan error, writers*each+2)
		done := make(chan struct{})
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					cat := []string{"asia", "africa", "europe"}[min(w, 2)]
					title := fmt.Sprintf("Dispatch %d-%d", w, i)
					p := &content.Post{Kind: content.KindPost, Status: content.StatusPublished, Format: content.FormatMarkdown,
						Title: title, Slug: markup.Slugify(title), PublishedAt: f.day.AddDate(0, 0, 10+i), Body: "News.",
						Authors: []content.User{f.authors[w%2]}, Categories: []content.Term{f.cats[cat]}}
					if err := markup.RenderPost(p); err != nil {
						errs <- err
						return
					}
					errs <- db.Update(ctx, func(tx *store.Tx) error { return tx.CreatePost(ctx, p) })
				}
			})
		}
		story1, err := db.FindPostBySlug(ctx, content.KindPost, "story-1")
		if err != nil {
			t.Fatal(err)
		}
		for r := range relays {
			wg.Go(func() {
				for i := range remote {
					// Another process changed the settings or a story; the
					// relay delivers that from a goroutine of its own.
					ch := store.Change{Site: true, Remote: true}
					if (r+i)%2 == 1 {
						ch = store.Change{Posts: []int64{story1.ID}, Remote: true}
					}
					db.Publish(ctx, ch)
				}
			})
		}
		var readers sync.WaitGroup
		for range 2 {
			readers.Go(func() {
				for {
					select {
					case <-done:
						return
					default:
					}
					resp, err := client.Get(f.srv.URL + "/")
					if err != nil {
						errs <- err
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			})
		}
		wg.Wait()
		close(done)
		readers.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}

		rec := httptest.NewRecorder()
		f.mux.ServeHTTP(rec, httptest.NewRequest("GET", f.srv.URL+"/", nil))
		_, cached := f.state(t, "/")
		if !strings.Contains(cached, `href="/category/asia/"`) {
			t.Error("the cached front page has no link to the section the writers opened")
		}
		if cached != rec.Body.String() {
			t.Error("the cached front page differs from the page rendered now")
		}
	})
}

// TestPublishDropsItsOutletsArchive: a post republished from an outlet is
// in that outlet's archive (/source/{slug}/): publishing another drops
// the archive's pages, and leaves another outlet's alone.
func TestPublishDropsItsOutletsArchive(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 32<<20)
		ctx := context.Background()
		republish := func(o *content.Outlet, p *content.Post) {
			t.Helper()
			it := &content.Item{OutletID: o.ID, OutletName: o.Name, GUID: p.Slug, URL: o.Homepage + p.Slug,
				Title: p.Title, PublishedAt: p.PublishedAt}
			err := db.Update(ctx, func(tx *store.Tx) error {
				if _, err := tx.AddItem(ctx, it); err != nil {
					return err
				}
				return tx.MarkItemRepublished(ctx, it.ID, p.ID, content.CanonicalOriginal)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		var wire, daily *content.Outlet
		err := db.Update(ctx, func(tx *store.Tx) error {
			wire = &content.Outlet{Name: "Wire", Homepage: "https://wire.example/"}
			daily = &content.Outlet{Name: "Daily", Homepage: "https://daily.example/"}
			if err := tx.CreateOutlet(ctx, wire); err != nil {
				return err
			}
			return tx.CreateOutlet(ctx, daily)
		})
		if err != nil {
			t.Fatal(err)
		}
		republish(wire, f.create(t, "Wire one", "europe", 1, f.day.AddDate(0, 0, 7), content.StatusPublished))
		republish(daily, f.create(t, "Daily one", "europe", 1, f.day.AddDate(0, 0, 8), content.StatusPublished))
		f.warm(t, "/source/wire/", "/source/daily/")

		// Republished as a draft: no page readers see changes.
		draft := f.create(t, "Wire two", "africa", 0, f.day.AddDate(0, 0, 9), content.StatusDraft)
		republish(wire, draft)
		f.expect(t, "republished as a draft", nil, []string{"/source/wire/", "/source/daily/"})

		f.update(t, draft, func(p *content.Post) { p.Status = content.StatusPublished })
		f.expect(t, "publish", []string{"/source/wire/"}, []string{"/source/daily/"})
		if _, body := f.state(t, "/source/wire/"); !strings.Contains(body, "Wire two") {
			t.Error("the outlet's archive does not show its newly published post")
		}
	})
}
