package deskhttp_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/fetch"
	"github.com/broadsheet/broadsheet/internal/sourcedesk"
	"github.com/broadsheet/broadsheet/internal/sourcedesk/deskhttp"
	"github.com/broadsheet/broadsheet/internal/sourcedesk/desktest"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

func TestPagesFormsAndWarnings(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		out := desktest.Outlet(t)
		desk := &sourcedesk.Desk{DB: db, Fetch: fetch.New(fetch.Options{AllowPrivate: true, Timeout: 5 * time.Second})}
		do := pagesClient(t, desk)

		if st, _, body := do("GET", "/admin/inbox", nil, false); st != 401 || !strings.Contains(body, "Log in to use the source desk.") {
			t.Errorf("anonymous: %d", st)
		}
		// A bad form comes back with the message, the field marked, and
		// what was typed kept.
		st, _, body := do("POST", "/admin/sources", url.Values{"name": {"Agency Wire"}, "homepage": {out.URL + "/nothing/"}, "interval": {"30"}}, true)
		if st != 400 || !strings.Contains(body, "could not read the homepage") ||
			!strings.Contains(body, `id="homepage" name="homepage" type="url" value="`+out.URL+`/nothing/" aria-invalid="true"`) ||
			!strings.Contains(body, `value="Agency Wire"`) {
			t.Errorf("bad form: %d\n%s", st, body)
		}
		if st, _, body = do("POST", "/admin/sources", url.Values{"name": {"A"}, "feeds": {out.URL + "/agency/feed.xml"}, "interval": {"soon"}}, true); st != 400 ||
			!strings.Contains(body, "whole number of minutes") {
			t.Errorf("bad interval: %d", st)
		}
		st, loc, _ := do("POST", "/admin/sources", url.Values{"name": {"Agency Wire"}, "feeds": {out.URL + "/agency/feed.xml\n"}, "interval": {"30"}}, true)
		if st != 303 || !strings.HasPrefix(loc, "/admin/sources#source-") {
			t.Fatalf("add: %d %s", st, loc)
		}
		id := strings.TrimPrefix(loc, "/admin/sources#source-")
		if _, _, body = do("GET", "/admin/sources", nil, true); !strings.Contains(body, `<a class="desk-archive" href="/source/agency-wire/">/source/agency-wire/</a>`) {
			t.Errorf("the sources page does not link the source's public archive")
		}
		if st, _, _ = do("POST", "/admin/sources/"+id+"/poll", nil, true); st != 303 {
			t.Fatalf("poll: %d", st)
		}
		items, _, _ := db.FindItems(context.Background(), store.ItemFilter{})
		if len(items) != 2 {
			t.Fatalf("%d items", len(items))
		}
		grain := strconv.FormatInt(items[1].ID, 10)
		if st, loc, _ = do("POST", "/admin/inbox/"+grain+"/state", url.Values{"state": {"skipped"}}, true); st != 303 || loc != "/admin/inbox#item-"+grain {
			t.Errorf("skip: %d %s", st, loc)
		}
		if _, _, body = do("GET", "/admin/inbox", nil, true); strings.Contains(body, "Grain exports") || !strings.Contains(body, ">1 item. ") {
			t.Errorf("skipped items leave the default inbox view")
		}
		if _, _, body = do("GET", "/admin/inbox?state=skipped", nil, true); !strings.Contains(body, "Grain exports") {
			t.Errorf("skipped filter")
		}
		summit := strconv.FormatInt(items[0].ID, 10)
		st, loc, _ = do("POST", "/admin/inbox/"+summit+"/republish", nil, true)
		if st != 303 || !strings.HasPrefix(loc, "/admin/posts/") {
			t.Fatalf("republish: %d %s", st, loc)
		}
		// The editor opens with a note saying what to do next.
		loc, query, _ := strings.Cut(loc, "?")
		if q, _ := url.ParseQuery(query); q.Get("flash") != "Republished from Agency Wire as a draft: write the introduction, then publish." {
			t.Errorf("republish leads to the editor with the note %q", q.Get("flash"))
		}
		st, _, body = do("POST", "/admin/inbox/"+summit+"/republish", nil, true)
		if st != 409 || !strings.Contains(body, `This item was already republished: <a href="`+loc+`">Leaders meet at the summit in Addis Ababa</a> (draft)`) {
			t.Errorf("republish twice: %d\n%s", st, body)
		}
		// What did not go to plan reaches the editor with the draft: here
		// the article's page is missing, so the feed's text stands in.
		st, loc, _ = do("POST", "/admin/sources", url.Values{"name": {"The Institute"}, "feeds": {out.URL + "/institute/atom.xml"}, "interval": {"30"}}, true)
		if st != 303 {
			t.Fatalf("add the second source: %d", st)
		}
		if st, _, _ = do("POST", "/admin/sources/"+strings.TrimPrefix(loc, "/admin/sources#source-")+"/poll", nil, true); st != 303 {
			t.Fatalf("poll the second source: %d", st)
		}
		corridor, _, _ := db.FindItems(context.Background(), store.ItemFilter{Query: "corridor"})
		if len(corridor) != 1 {
			t.Fatalf("%d items about the corridor", len(corridor))
		}
		st, loc, _ = do("POST", "/admin/inbox/"+strconv.FormatInt(corridor[0].ID, 10)+"/republish", nil, true)
		_, query, _ = strings.Cut(loc, "?")
		q, _ := url.ParseQuery(query)
		if st != 303 || !strings.HasPrefix(q.Get("flash"), "Republished from The Institute as a draft: write the introduction, then publish. Warning: The article page could not be read") {
			t.Errorf("republishing with a warning: %d, note %q", st, q.Get("flash"))
		}
	})
}

// pagesClient serves the desk's pages for desk and returns a function
// making one request, as a signed-in editor when user is true, that
// answers the status, the Location and the body without following
// redirects.
func pagesClient(t *testing.T, desk *sourcedesk.Desk) func(method, path string, form url.Values, user bool) (int, string, string) {
	pages, err := deskhttp.NewPages(deskhttp.Config{Desk: desk, Authorise: func(r *http.Request) (*content.User, error) {
		if r.Header.Get("X-Test-User") == "" {
			return nil, content.Errorf(content.EUnauthorized, "Log in to use the source desk.")
		}
		return nil, nil
	}}, "/admin")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	pages.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return func(method, path string, form url.Values, user bool) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(form.Encode()))
		if method == "POST" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if user {
			req.Header.Set("X-Test-User", "eda")
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Location"), string(b)
	}
}

func TestInboxShowsItemsAndRepublishesFromAnAddress(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		out := desktest.Outlet(t)
		desk := &sourcedesk.Desk{DB: db, Fetch: fetch.New(fetch.Options{AllowPrivate: true, Timeout: 5 * time.Second})}
		do := pagesClient(t, desk)
		article := out.URL + "/agency/2026/01/14/summit.html"

		// The form is on the inbox, and a bad address comes back beside it,
		// kept, with nothing made.
		if _, _, body := do("GET", "/admin/inbox", nil, true); !strings.Contains(body, `action="/admin/republish"`) || !strings.Contains(body, "Republish an article from its address") {
			t.Fatalf("the inbox has no republish-from-address form:\n%s", body)
		}
		st, _, body := do("POST", "/admin/republish", url.Values{"url": {"summit.html"}}, true)
		if st != 422 || !strings.Contains(body, "is not the address of a web page") || !strings.Contains(body, `value="summit.html" required aria-invalid="true"`) {
			t.Errorf("bad address: %d\n%s", st, body)
		}
		st, loc, _ := do("POST", "/admin/republish", url.Values{"url": {article}}, true)
		if st != 303 || !strings.HasPrefix(loc, "/admin/posts/") {
			t.Fatalf("republish from the address: %d %s", st, loc)
		}
		_, query, _ := strings.Cut(loc, "?")
		if q, _ := url.ParseQuery(query); !strings.HasPrefix(q.Get("flash"), "Republished from Agency Wire as a draft") {
			t.Errorf("note after republishing from the address: %q", q.Get("flash"))
		}

		// Items show their lead image, outlet, author, age and excerpt,
		// with the keys' buttons for triage.
		src := &content.Outlet{Name: "Agency Wire", Feeds: []content.Feed{{URL: out.URL + "/agency/feed.xml"}}}
		if err := desk.AddOutlet(context.Background(), src); err != nil {
			t.Fatal(err)
		}
		if _, err := desk.PollNow(context.Background(), src.ID); err != nil {
			t.Fatal(err)
		}
		_, _, body = do("GET", "/admin/inbox?state=all", nil, true)
		for _, want := range []string{
			`<img class="desk-thumb" src="` + out.URL + `/agency/images/map.gif" alt="" width="160" height="100" loading="lazy" referrerpolicy="no-referrer">`,
			`<span class="desk-outlet">Agency Wire</span>`,
			`Exports of grain through the corridor reached a record in December.`,
			`data-key="r"`, `data-key="s"`, `data-key="x"`,
			`<script src="/admin/inbox.js" defer></script>`,
			`Republished as <a href="/admin/posts/`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the inbox lacks %s", want)
			}
		}
		if st, _, js := do("GET", "/admin/inbox.js", nil, false); st != 200 || !strings.Contains(js, "keydown") {
			t.Errorf("inbox.js: %d", st)
		}
	})
}

// An item whose outlet gave no date is shown as undated, with when it was
// fetched, never with the fetch time as its date.
func TestInboxShowsUndatedItems(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		desk := &sourcedesk.Desk{DB: db, Fetch: fetch.New(fetch.Options{AllowPrivate: true, Timeout: 5 * time.Second})}
		do := pagesClient(t, desk)
		it := &content.Item{OutletName: "The Archive Review", GUID: "essay-1", URL: "https://review.example/essay",
			Title: "On the history of the corridor railway"}
		if err := db.Update(context.Background(), func(tx *store.Tx) error { _, err := tx.AddItem(context.Background(), it); return err }); err != nil {
			t.Fatal(err)
		}
		_, _, body := do("GET", "/admin/inbox", nil, true)
		fetched := db.Now().UTC().Truncate(time.Second).Format(time.RFC3339)
		if !strings.Contains(body, `<span class="desk-undated">undated</span>, fetched <time datetime="`+fetched+`"`) {
			t.Errorf("the inbox does not show the item as undated:\n%s", body)
		}
	})
}
