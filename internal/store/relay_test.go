package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// recorder collects the changes a DB's subscribers are given.
type recorder struct {
	mu      sync.Mutex
	changes []store.Change
	signal  chan struct{}
}

func record(db *store.DB) *recorder {
	r := &recorder{signal: make(chan struct{}, 1000)}
	db.Subscribe(func(_ context.Context, c store.Change) {
		r.mu.Lock()
		r.changes = append(r.changes, c)
		r.mu.Unlock()
		r.signal <- struct{}{}
	})
	return r
}

// waitFor waits until the changes recorded satisfy ok, failing the test
// if that has not happened after a generous while.
func (r *recorder) waitFor(t *testing.T, what string, ok func([]store.Change) bool) []store.Change {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		r.mu.Lock()
		got := slices.Clone(r.changes)
		r.mu.Unlock()
		if ok(got) {
			return got
		}
		select {
		case <-r.signal:
		case <-deadline:
			t.Fatalf("never saw %s; changes seen: %+v", what, got)
		}
	}
}

func (r *recorder) all() []store.Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.changes)
}

// postgresPairDSN is relayPair on PostgreSQL, skipped without a server.
func postgresPairDSN(t *testing.T) (a, b *store.DB, dsn string) {
	t.Helper()
	if !slices.Contains(storetest.Engines(t), "postgres") {
		t.Skip("this part of the change relay is PostgreSQL's")
	}
	return relayPair(t, "postgres")
}

// relayPair opens two handles on one fresh database of the engine, as two
// processes would have, each relaying the other's changes.
func relayPair(t *testing.T, engine string) (a, b *store.DB, dsn string) {
	t.Helper()
	dsn = storetest.DSN(t, engine)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	var dbs [2]*store.DB
	for i := range dbs {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		wg.Add(1)
		go func() { defer wg.Done(); db.Relay(ctx, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
		dbs[i] = db
	}
	for !dbs[0].Relaying() || !dbs[1].Relaying() {
		time.Sleep(10 * time.Millisecond)
	}
	return dbs[0], dbs[1], dsn
}

func publishedPost(slug string) *content.Post {
	return &content.Post{Kind: content.KindPost, Title: "Title " + slug, Slug: slug,
		Status: content.StatusPublished, PublishedAt: time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC),
		Format: content.FormatHTML, Body: "<p>Body</p>", BodyHTML: "<p>Body</p>", TeaserHTML: "<p>Body</p>"}
}

func TestRelayTellsOtherProcessesWhatChanged(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			a, b, _ := relayPair(t, engine)
			testRelayTellsWhatChanged(t, a, b)
		})
	}
}

func testRelayTellsWhatChanged(t *testing.T, a, b *store.DB) {
	seenA, seenB := record(a), record(b)
	p := publishedPost("relayed")
	if err := a.Update(ctx, func(tx *store.Tx) error { return tx.CreatePost(ctx, p) }); err != nil {
		t.Fatal(err)
	}
	// A rolled-back transaction announces nothing.
	boom := errors.New("boom")
	if err := a.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CreatePost(ctx, publishedPost("rolled-back")); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if err := a.Update(ctx, func(tx *store.Tx) error {
		s, err := tx.LoadSettings(ctx)
		if err != nil {
			return err
		}
		s.Title = "Renamed"
		return tx.SaveSettings(ctx, s)
	}); err != nil {
		t.Fatal(err)
	}
	got := seenB.waitFor(t, "the settings change on b", func(cs []store.Change) bool { return len(cs) >= 2 })
	// b is told what changed, but not that a published it: pinging hubs
	// about it is a's to do, once.
	want := []store.Change{{Posts: []int64{p.ID}, Remote: true}, {Site: true, Remote: true}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("b was told %+v, want %+v (nothing of the rolled-back post)", got, want)
	}
	// a heard its own changes once, locally, and not again through the relay.
	if got, want := seenA.all(), []store.Change{{Posts: []int64{p.ID}, Published: []int64{p.ID}}, {Site: true}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("a was told %+v, want %+v", got, want)
	}
}

func TestRelayCarriesLargeChangesWhole(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			a, b, _ := relayPair(t, engine)
			testRelayCarriesLargeChanges(t, a, b)
		})
	}
}

func testRelayCarriesLargeChanges(t *testing.T, a, b *store.DB) {
	seenB := record(b)
	var ids []int64
	err := a.Update(ctx, func(tx *store.Tx) error {
		for i := 0; i < 1000; i++ {
			p := publishedPost(fmt.Sprintf("bulk-%d", i))
			if i%2 == 0 {
				p.Status = content.StatusDraft
			}
			if err := tx.CreatePost(ctx, p); err != nil {
				return err
			}
			ids = append(ids, p.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	count := func(cs []store.Change) (posts int) {
		for _, c := range cs {
			posts += len(c.Posts)
		}
		return
	}
	got := seenB.waitFor(t, "all 1000 posts", func(cs []store.Change) bool { return count(cs) >= 1000 })
	if posts := count(got); posts != 1000 {
		t.Errorf("b heard of %d posts; want 1000", posts)
	}
	var heard []int64
	for _, c := range got {
		heard = append(heard, c.Posts...)
	}
	if !slices.Equal(heard, ids) {
		t.Error("b heard of other posts than those a created")
	}
}

func TestRelayRecoversFromLosingItsConnection(t *testing.T) {
	a, b, dsn := postgresPairDSN(t)
	seenB := record(b)
	// Cut every other session to this database (the relay's listener among
	// them), as a server restart or a network cut would.
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var cut int
	if err := admin.QueryRow(`SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&cut); err != nil || cut == 0 {
		t.Fatalf("cutting the connections: cut %d, %v", cut, err)
	}
	// On reconnecting, b assumes it missed something and says so.
	seenB.waitFor(t, "a site-wide change after reconnecting", func(cs []store.Change) bool {
		return len(cs) > 0 && cs[0].Site && cs[0].Remote
	})
	for !b.Relaying() {
		time.Sleep(10 * time.Millisecond)
	}
	p := publishedPost("after-reconnect")
	// a's own pool lost its connections too; database/sql replaces them.
	if err := a.Update(ctx, func(tx *store.Tx) error { return tx.CreatePost(ctx, p) }); err != nil {
		t.Fatal(err)
	}
	seenB.waitFor(t, "the post created after reconnecting", func(cs []store.Change) bool {
		return slices.ContainsFunc(cs, func(c store.Change) bool { return slices.Contains(c.Posts, p.ID) })
	})
}

// TestRememberedRelationsFollowChanges: a process that hears every change
// remembers posts' authors and terms between changes; every change it
// hears forgets them, so reads never show a renamed term or an author
// taken off a post as they were, and what a caller changes of a post it
// was given is not remembered.
func TestRememberedRelationsFollowChanges(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db, _, _ := relayPair(t, engine)
			u := &content.User{Slug: "amara", Name: "Amara Okafor", Role: content.RoleAuthor}
			v := &content.User{Slug: "bo", Name: "Bo Lindqvist", Role: content.RoleAuthor}
			econ := &content.Term{Taxonomy: content.TaxCategory, Slug: "economy", Name: "Economy"}
			p := publishedPost("related")
			if err := db.Update(ctx, func(tx *store.Tx) error {
				for _, u := range []*content.User{u, v} {
					if err := tx.UpsertUser(ctx, u); err != nil {
						return err
					}
				}
				if err := tx.UpsertTerm(ctx, econ); err != nil {
					return err
				}
				p.Authors, p.Categories = []content.User{*u}, []content.Term{*econ}
				return tx.CreatePost(ctx, p)
			}); err != nil {
				t.Fatal(err)
			}
			check := func(step, author, category string) {
				t.Helper()
				for range 2 { // the second read from what is remembered
					got, err := db.FindPostByID(ctx, p.ID)
					if err != nil {
						t.Fatal(err)
					}
					listed, err := db.FindPostsByIDs(ctx, []int64{p.ID})
					if err != nil || len(listed) != 1 {
						t.Fatalf("%s: FindPostsByIDs: %d posts, %v", step, len(listed), err)
					}
					for _, q := range []*content.Post{got, listed[0]} {
						if len(q.Authors) != 1 || q.Authors[0].Name != author || len(q.Categories) != 1 || q.Categories[0].Name != category {
							t.Fatalf("%s: authors %+v, categories %+v; want %s in %s", step, q.Authors, q.Categories, author, category)
						}
					}
					got.Authors[0].Name, got.Categories[0].Name = "scribbled", "scribbled"
				}
			}
			check("as created", u.Name, econ.Name)
			if err := db.Update(ctx, func(tx *store.Tx) error {
				econ.Name = "Economics"
				return tx.UpsertTerm(ctx, econ)
			}); err != nil {
				t.Fatal(err)
			}
			check("after renaming the category", u.Name, "Economics")
			if err := db.Update(ctx, func(tx *store.Tx) error {
				q, err := tx.FindPostByID(ctx, p.ID)
				if err != nil {
					return err
				}
				q.Authors = []content.User{*v}
				if err := tx.UpdatePost(ctx, q); err != nil {
					return err
				}
				// The transaction reads its own write.
				if q, err = tx.FindPostByID(ctx, p.ID); err != nil || len(q.Authors) != 1 || q.Authors[0].Name != v.Name {
					t.Errorf("inside the transaction: %+v, %v", q, err)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			check("after changing the author", v.Name, "Economics")
		})
	}
}
