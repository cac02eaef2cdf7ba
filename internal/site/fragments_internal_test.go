package site

import (
	"bytes"
	"context"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/demo"
	"github.com/broadsheet/broadsheet/internal/importer/wxr"
	"github.com/broadsheet/broadsheet/internal/readcache"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestRenderMemoIsBounded: a memo of rendered parts keeps at most its
// bound, the newest among them.
func TestRenderMemoIsBounded(t *testing.T) {
	m := newRenderMemo[int](readcache.New(), 3, true)
	for i := range 10 {
		m.put(i, template.HTML(strconv.Itoa(i)))
		if n := m.m.Len(); n > 3 {
			t.Fatalf("%d entries kept, over 3", n)
		}
	}
	if html, ok := m.get(9); !ok || html != "9" {
		t.Errorf("the newest entry: %q, %v", html, ok)
	}
}

// TestPostPageKeepsItsTeaser: on a site that renders each page once, a
// post's page keeps the post's teaser, the same bytes a listing renders
// from the post as it reads it, so that the listings showing the post (a
// static export renders them after the posts' pages) need not read it
// again; a server's post page keeps its article, not its teaser.
func TestPostPageKeepsItsTeaser(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, "sqlite")
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC) // after the demo's newest post
	db.Now = func() time.Time { return now }
	if _, err := wxr.Import(ctx, db, bytes.NewReader(demo.WXR), wxr.Options{}); err != nil {
		t.Fatalf("import demo: %v", err)
	}
	posts, _, err := db.FindPosts(ctx, store.Published(now))
	if err != nil || len(posts) < 2 {
		t.Fatalf("demo posts: %d, %v", len(posts), err)
	}
	site := func(once bool) *Site {
		s, err := New(Config{DB: db, Theme: DefaultTheme(), FragmentCache: 1 << 20, RenderOnce: once,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	listed := site(false)
	for _, once := range []bool{false, true} {
		s := site(once)
		mux := http.NewServeMux()
		s.Routes(mux)
		for _, p := range posts[:2] {
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p.Path(), nil))
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: %d", p.Path(), rec.Code)
			}
			kept, ok := s.frags.Get(p.ID, teaserPart, p.UpdatedAt)
			if ok != once {
				t.Fatalf("rendering once %t: %s: its page kept its teaser: %t", once, p.Path(), ok)
			}
			if !once {
				if _, ok := s.frags.Get(p.ID, articlePart, p.UpdatedAt); !ok {
					t.Errorf("%s: a server's post page kept no article", p.Path())
				}
				continue
			}
			f := store.Published(now)
			f.TermID, f.Limit = p.Categories[0].ID, 100
			l, _, err := listed.listTeasers(ctx, f, content.TeaserFull, false)
			if err != nil {
				t.Fatal(err)
			}
			want := template.HTML("")
			for i, id := range l.ids {
				if id == p.ID {
					want = l.teasers[i]
				}
			}
			if want == "" || kept.(template.HTML) != want {
				t.Errorf("rendering once %t: %s: the teaser kept by its page differs from the listing's:\n%s\nwant:\n%s",
					once, p.Path(), kept, want)
			}
			if _, ok := s.frags.Get(p.ID, articlePart, p.UpdatedAt); ok {
				t.Errorf("%s: a post's article kept by a site rendering each page once", p.Path())
			}
		}
	}
}
