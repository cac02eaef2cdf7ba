package site_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/fetch"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// testHub is a WebSub hub that records the publish pings it receives.
type testHub struct {
	*httptest.Server
	mu     sync.Mutex
	pings  []url.Values
	status int
}

func newTestHub(t *testing.T) *testHub {
	h := &testHub{status: http.StatusNoContent}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			http.Error(w, "want a form POST", http.StatusBadRequest)
			return
		}
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.pings = append(h.pings, r.PostForm)
		status := h.status
		h.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *testHub) received() []url.Values {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.pings)
}

func publishFX(t *testing.T, db *store.DB, p *content.Post) {
	t.Helper()
	ctx := context.Background()
	p.Format = content.FormatHTML
	if err := markup.RenderPost(p); err != nil {
		t.Fatal(err)
	}
	err := db.Update(ctx, func(tx *store.Tx) error {
		if p.ID != 0 {
			return tx.UpdatePost(ctx, p)
		}
		return tx.CreatePost(ctx, p)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWebSubPingsTheHubOnPublish(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		hub := newTestHub(t)
		fx.settings(func(s *content.Settings) { s.WebSubHub = hub.URL + "/" })
		ws := site.NewWebSub(db, fxBase, localHubs, slog.New(slog.NewTextHandler(io.Discard, nil)))
		defer ws.Close()

		// Feeds name the hub, in the document and in Link headers.
		for _, k := range feedKinds {
			resp, body := fx.get("/feed/" + k.suffix)
			if !strings.Contains(string(body), hub.URL+"/") {
				t.Errorf("/feed/%s does not advertise the hub", k.suffix)
			}
			links := strings.Join(resp.Header.Values("Link"), ", ")
			if !strings.Contains(links, "<"+hub.URL+"/>; rel=\"hub\"") || !strings.Contains(links, "<"+fxBase+"/feed/"+k.suffix+">; rel=\"self\"") {
				t.Errorf("/feed/%s Link headers: %q", k.suffix, links)
			}
		}

		// A draft is not news.
		zoe := fx.posts["older"].Authors[0]
		africa := fx.posts["older"].Categories[0]
		draft := &content.Post{Kind: content.KindPost, Title: "Work in progress", Slug: "wip", Status: content.StatusDraft,
			Body: "<p>Soon.</p>", Authors: []content.User{zoe}, Categories: []content.Term{africa}}
		publishFX(t, db, draft)
		ws.Flush()
		if got := hub.received(); len(got) != 0 {
			t.Fatalf("pinged for a draft: %v", got)
		}

		// Publishing it pings once, naming every feed it appears in.
		draft.Status, draft.PublishedAt = content.StatusPublished, db.Now().Add(-time.Minute)
		publishFX(t, db, draft)
		ws.Flush()
		got := hub.received()
		if len(got) != 1 {
			t.Fatalf("%d pings, want 1", len(got))
		}
		if got[0].Get("hub.mode") != "publish" {
			t.Errorf("hub.mode = %q", got[0].Get("hub.mode"))
		}
		topics := got[0]["hub.url"]
		var want []string
		for _, prefix := range []string{"/", "/category/africa/", "/author/zoe/"} {
			for _, k := range feedKinds {
				want = append(want, fxBase+prefix+"feed/"+k.suffix)
			}
		}
		if !slices.Equal(topics, want) {
			t.Errorf("topics %q, want %q", topics, want)
		}

		// Editing what is already published is not a new publication.
		draft.Title = "Work in progress, revised"
		publishFX(t, db, draft)
		ws.Flush()
		if n := len(hub.received()); n != 1 {
			t.Errorf("%d pings after an edit, want still 1", n)
		}
	})
}

// TestWebSubHubFailure: a hub that fails is logged and does not stop
// publishing or later pings.
func TestWebSubHubFailure(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		hub := newTestHub(t)
		hub.status = http.StatusInternalServerError
		fx.settings(func(s *content.Settings) { s.WebSubHub = hub.URL })
		var logs strings.Builder
		var logMu sync.Mutex
		ws := site.NewWebSub(db, fxBase, localHubs, slog.New(slog.NewTextHandler(lockedWriter{&logMu, &logs}, nil)))
		defer ws.Close()
		p := &content.Post{Kind: content.KindPost, Title: "Breaking", Slug: "breaking", Status: content.StatusPublished,
			PublishedAt: db.Now().Add(-time.Minute), Body: "<p>News.</p>"}
		publishFX(t, db, p)
		ws.Flush()
		logMu.Lock()
		out := logs.String()
		logMu.Unlock()
		if !strings.Contains(out, "websub: ping failed") || !strings.Contains(out, "500") {
			t.Errorf("the failure was not logged: %q", out)
		}
		if _, err := db.FindPostByID(context.Background(), p.ID); err != nil {
			t.Errorf("the post was lost: %v", err)
		}
	})
}

// localHubs is an outbound client that may reach the tests' hubs, which
// listen on loopback addresses.
var localHubs = fetch.New(fetch.Options{AllowPrivate: true})

// TestWebSubRefusesAPrivateHub sets the hub to a loopback address: with
// the outbound guard as a server runs it by default, the ping is refused
// before anything reaches the hub, and the refusal is logged.
func TestWebSubRefusesAPrivateHub(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		hub := newTestHub(t)
		internal := strings.Replace(hub.URL, "127.0.0.1", "localhost", 1)
		fx.settings(func(s *content.Settings) { s.WebSubHub = internal + "/" })
		var logs strings.Builder
		var logMu sync.Mutex
		ws := site.NewWebSub(db, fxBase, fetch.New(fetch.Options{}), slog.New(slog.NewTextHandler(lockedWriter{&logMu, &logs}, nil)))
		defer ws.Close()
		p := &content.Post{Kind: content.KindPost, Title: "Breaking", Slug: "breaking", Status: content.StatusPublished,
			PublishedAt: db.Now().Add(-time.Minute), Body: "<p>News.</p>"}
		publishFX(t, db, p)
		ws.Flush()
		if got := hub.received(); len(got) != 0 {
			t.Errorf("a hub on a loopback address received %d pings, want none", len(got))
		}
		logMu.Lock()
		out := logs.String()
		logMu.Unlock()
		if !strings.Contains(out, "websub: ping failed") || !strings.Contains(out, "localhost is not a public address") {
			t.Errorf("the refusal was not logged: %q", out)
		}
		if strings.Contains(out, "127.0.0.1") {
			t.Errorf("the log tells what the hub's name resolves to: %q", out)
		}
	})
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// TestWebSubPingsTheOutletsFeeds: publishing a post republished from an
// outlet names the outlet's archive's feeds too.
func TestWebSubPingsTheOutletsFeeds(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFXSite(t, db)
		hub := newTestHub(t)
		fx.settings(func(s *content.Settings) { s.WebSubHub = hub.URL + "/" })
		ws := site.NewWebSub(db, fxBase, localHubs, slog.New(slog.NewTextHandler(io.Discard, nil)))
		defer ws.Close()

		// The draft, republished from Silent (withOutlets), is published.
		fx.withOutlets()
		draft, err := db.FindPostByID(context.Background(), fx.posts["draft"].ID)
		if err != nil {
			t.Fatal(err)
		}
		draft.Status, draft.PublishedAt = content.StatusPublished, db.Now().Add(-time.Minute)
		publishFX(t, db, draft)
		ws.Flush()
		got := hub.received()
		if len(got) != 1 {
			t.Fatalf("%d pings, want 1", len(got))
		}
		topics := got[0]["hub.url"]
		for _, k := range feedKinds {
			if want := fxBase + "/source/silent/feed/" + k.suffix; !slices.Contains(topics, want) {
				t.Errorf("topics %q lack %s", topics, want)
			}
		}
	})
}
