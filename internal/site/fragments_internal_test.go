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
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/demo"
	"github.com/broadsheet/broadsheet/internal/importer/wxr"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

func TestFragmentCache(t *testing.T) {
	v1 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	v2 := v1.Add(time.Second)
	html := template.HTML(strings.Repeat("x", 100))
	c := newFragmentCache(10*(100+fragmentOverhead), false)

	c.put(1, teaserPart, v1, html, len(html), c.generation())
	if got, ok := c.get(1, teaserPart, v1); !ok || got.(template.HTML) != html {
		t.Fatalf("get after put: %q, %v", got, ok)
	}
	if _, ok := c.get(1, teaserPart, v2); ok {
		t.Error("a teaser of another version of the post was returned")
	}

	// Rendered from what was read before a change: not kept.
	gen := c.generation()
	c.forget(store.Change{Posts: []int64{99}})
	c.put(2, teaserPart, v1, html, len(html), gen)
	if _, ok := c.get(2, teaserPart, v1); ok {
		t.Error("a teaser rendered before a change was kept")
	}

	c.forget(store.Change{Posts: []int64{1}})
	if _, ok := c.get(1, teaserPart, v1); ok {
		t.Error("a changed post's teaser survived the change")
	}
	// Every part of a changed post goes, and no other post's.
	c.put(1, teaserPart, v1, html, len(html), c.generation())
	c.put(1, articlePart, v1, html, len(html), c.generation())
	c.put(1, entryMetaPart, v1, entryMeta{description: "d"}, 1, c.generation())
	c.put(3, articlePart, v1, html, len(html), c.generation())
	c.forget(store.Change{Posts: []int64{1}})
	for _, pt := range parts {
		if _, ok := c.get(1, pt, v1); ok {
			t.Errorf("part %d of a changed post survived the change", pt)
		}
	}
	if _, ok := c.get(3, articlePart, v1); !ok {
		t.Error("an unchanged post lost its article")
	}
	c.put(1, teaserPart, v1, html, len(html), c.generation())
	c.forget(store.Change{Site: true})
	if _, ok := c.get(1, teaserPart, v1); ok {
		t.Error("a teaser survived a site-wide change")
	}

	// Bounded: the least recently used go first.
	for id := int64(1); id <= 20; id++ {
		c.put(id, teaserPart, v1, html, len(html), c.generation())
		c.get(1, teaserPart, v1) // keep 1 in use
	}
	if c.size > c.max || len(c.entries) != 10 {
		t.Errorf("%d bytes in %d entries; bound %d bytes, 10 entries", c.size, len(c.entries), c.max)
	}
	if _, ok := c.get(1, teaserPart, v1); !ok {
		t.Error("the most used teaser was dropped")
	}
	if _, ok := c.get(2, teaserPart, v1); ok {
		t.Error("the least recently used teaser was kept")
	}

	var none *fragmentCache // off: keeps nothing
	none.put(1, teaserPart, v1, html, len(html), none.generation())
	none.forget(store.Change{Site: true})
	if _, ok := none.get(1, teaserPart, v1); ok {
		t.Error("a nil cache returned a teaser")
	}
}

// TestFragmentCacheKnowsKeptArticles: the slugs of posts whose article is
// kept follow the articles in and out of the cache.
func TestFragmentCacheKnowsKeptArticles(t *testing.T) {
	v1 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	html := template.HTML(strings.Repeat("x", 100))
	c := newFragmentCache(4*(100+10+fragmentOverhead), false)
	post := func(id int64, slug string) *content.Post {
		return &content.Post{ID: id, Kind: content.KindPost, Slug: slug, UpdatedAt: v1}
	}
	c.putArticle(post(1, "first"), html, c.generation())
	c.putArticle(&content.Post{ID: 2, Kind: content.KindPage, Slug: "about", UpdatedAt: v1}, html, c.generation())
	if !c.hasArticle("first") || c.hasArticle("about") || c.hasArticle("second") {
		t.Fatalf("kept articles: first %v, the page about %v, second %v", c.hasArticle("first"), c.hasArticle("about"), c.hasArticle("second"))
	}
	c.forget(store.Change{Posts: []int64{1}})
	if c.hasArticle("first") {
		t.Error("a changed post's article is still named kept")
	}
	c.putArticle(post(1, "first"), html, c.generation())
	for id := int64(3); id < 8; id++ { // pushes the first out
		c.putArticle(post(id, "post-"+strconv.FormatInt(id, 10)), html, c.generation())
	}
	if c.hasArticle("first") || !c.hasArticle("post-7") {
		t.Errorf("after eviction: first %v, post-7 %v", c.hasArticle("first"), c.hasArticle("post-7"))
	}
	c.forget(store.Change{Site: true})
	if c.hasArticle("post-7") {
		t.Error("an article is named kept after every fragment went")
	}
}

// TestRenderMemoIsBounded: a memo of rendered parts keeps at most its
// bound, the newest among them.
func TestRenderMemoIsBounded(t *testing.T) {
	m := newRenderMemo[int](3)
	for i := range 10 {
		m.put(i, template.HTML(strconv.Itoa(i)))
		if len(m.m) > 3 {
			t.Fatalf("%d entries kept, over 3", len(m.m))
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
			kept, ok := s.frags.get(p.ID, teaserPart, p.UpdatedAt)
			if ok != once {
				t.Fatalf("rendering once %t: %s: its page kept its teaser: %t", once, p.Path(), ok)
			}
			if !once {
				if _, ok := s.frags.get(p.ID, articlePart, p.UpdatedAt); !ok {
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
			if _, ok := s.frags.get(p.ID, articlePart, p.UpdatedAt); ok {
				t.Errorf("%s: a post's article kept by a site rendering each page once", p.Path())
			}
		}
	}
}
