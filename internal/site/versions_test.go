package site_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestPostNeighboursFollowChanges: a post's page, whose version and
// neighbours' links are kept between changes while the process hears
// every change, links the neighbours of the moment: after a neighbour is
// retitled, unpublished and published again, and once a post dated in
// the future, published without a change at its time, is due.
func TestPostNeighboursFollowChanges(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) { testPostNeighbours(t, engine) })
	}
}

func testPostNeighbours(t *testing.T, engine string) {
	ctx := context.Background()
	db, base, clock := clockedSite(t, engine)
	now := *clock.Load()
	posts, _, err := db.FindPosts(ctx, store.Published(now))
	if err != nil || len(posts) < 4 {
		t.Fatalf("demo posts: %d, %v", len(posts), err)
	}
	newest, newer, p, older := posts[0], posts[1], posts[2], posts[3]
	// show reads the page three times (read, then kept) and checks that
	// it links want as the neighbour on that side (rel "prev" or
	// "next"), or none for "".
	show := func(page *content.Post, rel, want string) {
		t.Helper()
		for range 3 {
			resp, body := get(t, base+page.Path())
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d", page.Path(), resp.StatusCode)
			}
			got := ""
			if _, link, ok := strings.Cut(body, `class="post-nav-`+map[string]string{"prev": "older", "next": "newer"}[rel]+`" href="`); ok {
				got, _, _ = strings.Cut(link, `</a>`)
			}
			if !strings.HasPrefix(got, want) || (want == "") != (got == "") {
				t.Fatalf("%s links %q as %s, want %q", page.Path(), got, rel, want)
			}
		}
	}
	link := func(q *content.Post, rel, title string) string {
		side := map[string]string{"prev": "Previous", "next": "Next"}[rel]
		return q.Path() + `" rel="` + rel + `"><span>` + side + ` article</span> ` + title
	}
	edit := func(id int64, fn func(*content.Post)) {
		t.Helper()
		update(t, db, func(tx *store.Tx) error {
			q, err := tx.FindPostByID(ctx, id)
			if err != nil {
				return err
			}
			fn(q)
			return tx.UpdatePost(ctx, q)
		})
	}
	show(p, "prev", older.Path())
	show(p, "next", newer.Path())

	edit(newer.ID, func(q *content.Post) { q.Title = "A retitled neighbour" })
	show(p, "next", link(newer, "next", "A retitled neighbour"))
	edit(older.ID, func(q *content.Post) { q.Title = "An older one, retitled" })
	show(p, "prev", link(older, "prev", "An older one, retitled"))

	edit(newer.ID, func(q *content.Post) { q.Status = content.StatusDraft })
	show(p, "next", newest.Path())
	edit(newer.ID, func(q *content.Post) { q.Status = content.StatusPublished })
	show(p, "next", link(newer, "next", "A retitled neighbour"))

	// Dated in an hour: public then, with no transaction to say so.
	soon := &content.Post{Kind: content.KindPost, Title: "News from the near future", Slug: "news-from-the-near-future",
		Status: content.StatusPublished, Format: content.FormatHTML, BodyHTML: "<p>Soon.</p>", PublishedAt: now.Add(time.Hour)}
	update(t, db, func(tx *store.Tx) error { return tx.CreatePost(ctx, soon) })
	show(newest, "next", "")
	show(newest, "prev", newer.Path())
	later := now.Add(time.Hour + time.Second)
	clock.Store(&later)
	show(newest, "next", link(soon, "next", "News from the near future"))
	show(soon, "prev", newest.Path())
}

// clockedSite serves the demo site with the fragment cache, hearing every
// change as serve does, on a clock the test moves.
func clockedSite(t *testing.T, engine string) (*store.DB, string, *atomic.Pointer[time.Time]) {
	db := demoDB(t, engine)
	clock := new(atomic.Pointer[time.Time])
	now := db.Now()
	clock.Store(&now)
	db.Now = func() time.Time { return *clock.Load() }
	relay(t, db)
	return db, serveConfig(t, site.Config{DB: db, Theme: site.DefaultTheme(), FragmentCache: 1 << 20}).URL, clock
}

// TestListingsFollowChanges: which posts a listing's page shows, kept
// between changes while the process hears every change, follows a post
// unpublished and published again, and a post dated in the future,
// published without a change at its time.
func TestListingsFollowChanges(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) { testListings(t, engine) })
	}
}

func testListings(t *testing.T, engine string) {
	ctx := context.Background()
	db, base, clock := clockedSite(t, engine)
	now := *clock.Load()
	posts, _, err := db.FindPosts(ctx, store.Published(now))
	if err != nil || len(posts) < 2 {
		t.Fatalf("demo posts: %d, %v", len(posts), err)
	}
	p := posts[0]
	lists := []string{"/", p.Categories[0].Path(), p.Authors[0].Path(), p.PublishedAt.Format("/2006/01/")}
	// show reads each listing three times (read, then kept) and checks
	// whether it links q's page.
	show := func(q *content.Post, want bool) {
		t.Helper()
		for _, path := range lists {
			for range 3 {
				resp, body := get(t, base+path)
				if resp.StatusCode != 200 {
					t.Fatalf("%s: %d", path, resp.StatusCode)
				}
				if got := strings.Contains(body, `<a href="`+q.Path()+`" rel="bookmark">`); got != want {
					t.Fatalf("%s links %s: %v, want %v", path, q.Path(), got, want)
				}
			}
		}
	}
	setStatus := func(st content.Status) {
		t.Helper()
		update(t, db, func(tx *store.Tx) error {
			q, err := tx.FindPostByID(ctx, p.ID)
			if err != nil {
				return err
			}
			q.Status = st
			return tx.UpdatePost(ctx, q)
		})
	}
	show(p, true)
	setStatus(content.StatusDraft)
	show(p, false)
	setStatus(content.StatusPublished)
	show(p, true)

	// Dated in an hour: public then, with no transaction to say so.
	soon := &content.Post{Kind: content.KindPost, Title: "News from the near future", Slug: "news-from-the-near-future",
		Status: content.StatusPublished, Format: content.FormatHTML, BodyHTML: "<p>Soon.</p>", PublishedAt: now.Add(time.Hour),
		Authors: p.Authors[:1], Categories: p.Categories[:1]}
	update(t, db, func(tx *store.Tx) error { return tx.CreatePost(ctx, soon) })
	show(soon, false)
	later := now.Add(time.Hour + time.Second)
	clock.Store(&later)
	lists[3] = soon.PublishedAt.Format("/2006/01/")
	show(soon, true)
}

// TestArchivesFollowRenamedTermsAndAuthors: an archive's section, tag or
// author, remembered by its slug between changes while the process hears
// every change, is named anew once renamed.
func TestArchivesFollowRenamedTermsAndAuthors(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, base, clock := clockedSite(t, engine)
			posts, _, err := db.FindPosts(ctx, store.Published(*clock.Load()))
			if err != nil || len(posts) == 0 || len(posts[0].Tags) == 0 {
				t.Fatalf("demo posts: %d, %v", len(posts), err)
			}
			p := posts[0]
			cat, tag, author := p.Categories[0], p.Tags[0], p.Authors[0]
			heading := func(path, want string) {
				t.Helper()
				for range 2 { // read, then remembered
					resp, body := get(t, base+path)
					if resp.StatusCode != 200 || !strings.Contains(body, "<h1>"+want+"</h1>") {
						t.Fatalf("%s: %d, heading is not %q", path, resp.StatusCode, want)
					}
				}
			}
			heading(cat.Path(), cat.Name)
			heading(tag.Path(), "Tagged: "+tag.Name)
			heading(author.Path(), "Articles by "+author.Name)
			update(t, db, func(tx *store.Tx) error {
				cat.Name, tag.Name, author.Name = "Renamed Section", "Renamed Tag", "Renamed Author"
				if err := tx.UpsertTerm(ctx, &cat); err != nil {
					return err
				}
				if err := tx.UpsertTerm(ctx, &tag); err != nil {
					return err
				}
				return tx.UpsertUser(ctx, &author)
			})
			heading(cat.Path(), "Renamed Section")
			heading(tag.Path(), "Tagged: Renamed Tag")
			heading(author.Path(), "Articles by Renamed Author")
		})
	}
}
