package store_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/demo"
	"github.com/broadsheet/broadsheet/internal/importer/wxr"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// fillSite gives db a whole site: the demo's posts, pages, people, terms
// and aliases, settings, a category whose parent was created after it, and
// a lease.
func fillSite(t *testing.T, db *store.DB) {
	t.Helper()
	if _, err := wxr.Import(ctx, db, bytes.NewReader(demo.WXR), wxr.Options{}); err != nil {
		t.Fatal(err)
	}
	err := db.Update(ctx, func(tx *store.Tx) error {
		france := &content.Term{Taxonomy: content.TaxCategory, Slug: "france", Name: "France"}
		if err := tx.UpsertTerm(ctx, france); err != nil {
			return err
		}
		europe := &content.Term{Taxonomy: content.TaxCategory, Slug: "europe", Name: "Europe"}
		if err := tx.UpsertTerm(ctx, europe); err != nil {
			return err
		}
		france.ParentID = europe.ID
		if err := tx.UpsertTerm(ctx, france); err != nil {
			return err
		}
		for _, a := range []*content.Alias{{Path: "/?p=12", Target: "/about/"}, {Path: "/old-home/", Target: "/"}} {
			if err := tx.PutAlias(ctx, a); err != nil {
				return err
			}
		}
		s, err := tx.LoadSettings(ctx)
		if err != nil {
			return err
		}
		s.Title, s.Description = "Copied Review", "Ünïcode — survives the trip"
		return tx.SaveSettings(ctx, s)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AcquireLease(ctx, "scheduler", "old-server", time.Minute); err != nil {
		t.Fatal(err)
	}
}

// siteOf reads what readers and editors would see of a site.
type siteView struct {
	Settings content.Settings
	Posts    []*content.Post
	Pages    []*content.Post
	Cats     []*content.Term
	Tags     []*content.Term
	Users    []*content.User
}

func siteOf(t *testing.T, db *store.DB) siteView {
	t.Helper()
	var v siteView
	var err error
	if v.Settings, err = db.LoadSettings(ctx); err != nil {
		t.Fatal(err)
	}
	if v.Posts, _, err = db.FindPosts(ctx, store.PostFilter{Kind: content.KindPost, WithBody: true}); err != nil {
		t.Fatal(err)
	}
	if v.Pages, _, err = db.FindPosts(ctx, store.PostFilter{Kind: content.KindPage, WithBody: true}); err != nil {
		t.Fatal(err)
	}
	if v.Cats, err = db.FindTerms(ctx, content.TaxCategory); err != nil {
		t.Fatal(err)
	}
	if v.Tags, err = db.FindTerms(ctx, content.TaxTag); err != nil {
		t.Fatal(err)
	}
	if v.Users, err = db.FindUsers(ctx); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCopyMovesAWholeSiteBetweenEngines(t *testing.T) {
	engines := storetest.Engines(t)
	pairs := [][2]string{{"sqlite", "sqlite"}}
	if len(engines) == 2 {
		pairs = [][2]string{{"sqlite", "postgres"}, {"postgres", "sqlite"}}
	}
	for _, pair := range pairs {
		t.Run(pair[0]+"-to-"+pair[1], func(t *testing.T) {
			src, dst := storetest.Open(t, pair[0]), storetest.Open(t, pair[1])
			fillSite(t, src)
			var calls int
			rep, err := store.Copy(ctx, src, dst, func(table string, copied, total int64) {
				calls++
				if copied > total {
					t.Errorf("progress for %s: %d of %d", table, copied, total)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if calls == 0 {
				t.Error("no progress was reported")
			}
			rows := map[string]int64{}
			for _, tc := range rep.Tables {
				rows[tc.Table] = tc.Rows
				if len(tc.Checksum) != 64 {
					t.Errorf("table %s: checksum %q", tc.Table, tc.Checksum)
				}
			}
			for _, table := range []string{"posts", "users", "terms", "post_terms", "post_authors", "aliases", "settings"} {
				if rows[table] == 0 {
					t.Errorf("table %s: no rows copied (report %+v)", table, rep.Tables)
				}
			}
			// Leases belong to the source's running processes: copied, they
			// would keep the target's own processes waiting for holders that
			// never run there.
			if _, ok := rows["leases"]; ok {
				t.Errorf("the source's leases were copied (report %+v)", rep.Tables)
			}
			if diff := cmp.Diff(siteOf(t, src), siteOf(t, dst)); diff != "" {
				t.Errorf("the copied site differs from the original (-source +target):\n%s", diff)
			}
			// New rows in the target continue after the copied ones.
			p := &content.Post{Kind: content.KindPost, Title: "After the move", Slug: "after-the-move", Status: content.StatusDraft,
				Format: content.FormatMarkdown, Body: "New."}
			if err := dst.Update(ctx, func(tx *store.Tx) error { return tx.CreatePost(ctx, p) }); err != nil {
				t.Fatalf("creating a post after the copy: %v", err)
			}
			if p.ID <= rows["posts"] {
				t.Errorf("a new post got id %d, among the %d copied ones", p.ID, rows["posts"])
			}
		})
	}
}

func TestCopyRefusesATargetWithContent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, dst *store.DB) {
		src := storetest.Open(t, "sqlite")
		fillSite(t, src)
		keep := &content.Post{Kind: content.KindPost, Title: "Already here", Slug: "already-here", Status: content.StatusDraft,
			Format: content.FormatMarkdown, Body: "Mine."}
		if err := dst.Update(ctx, func(tx *store.Tx) error { return tx.CreatePost(ctx, keep) }); err != nil {
			t.Fatal(err)
		}
		before := siteOf(t, dst)
		_, err := store.Copy(ctx, src, dst, nil)
		if err == nil || !strings.Contains(err.Error(), "already has 1 rows in table posts") {
			t.Fatalf("copying onto a site with a post: %v, want a refusal naming the posts table", err)
		}
		if diff := cmp.Diff(before, siteOf(t, dst)); diff != "" {
			t.Errorf("the refused copy changed the target:\n%s", diff)
		}
	})
}

// TestCopyReadsOneSnapshotWhileTheSiteIsWritten copies a site while
// another handle keeps writing three posts per transaction: the copy
// verifies, and holds whole transactions only.
func TestCopyReadsOneSnapshotWhileTheSiteIsWritten(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := storetest.DSN(t, "sqlite")
			src, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			writer, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer writer.Close()
			stop, done := make(chan struct{}), make(chan struct{})
			var written atomic.Int64
			go func() {
				defer close(done)
				for i := 0; written.Load() < 900; i++ {
					select {
					case <-stop:
						return
					default:
					}
					err := writer.Update(ctx, func(tx *store.Tx) error {
						for j := 0; j < 3; j++ {
							if err := tx.CreatePost(ctx, publishedPost(fmt.Sprintf("p-%d-%d", i, j))); err != nil {
								return err
							}
						}
						return nil
					})
					if err != nil {
						t.Error(err)
						return
					}
					written.Add(3)
				}
			}()
			for written.Load() < 60 {
				time.Sleep(time.Millisecond)
			}
			dst := storetest.Open(t, engine)
			rep, err := store.Copy(ctx, src, dst, nil)
			close(stop)
			<-done
			if err != nil {
				t.Fatalf("copy while writing: %v", err)
			}
			n, err := dst.CountPosts(ctx, content.KindPost)
			if err != nil {
				t.Fatal(err)
			}
			if n%3 != 0 || n < 60 {
				t.Errorf("copied %d posts, want whole transactions of 3 and at least the 60 written before (report %+v)", n, rep.Tables)
			}
		})
	}
}

func TestCopyNamesTextPostgreSQLCannotStore(t *testing.T) {
	if !slices.Contains(storetest.Engines(t), "postgres") {
		t.Skip("a PostgreSQL limit")
	}
	srcDSN := storetest.DSN(t, "sqlite")
	src, err := store.Open(ctx, srcDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst := storetest.Open(t, "postgres")
	p := publishedPost("nul")
	if err := src.Update(ctx, func(tx *store.Tx) error { return tx.CreatePost(ctx, p) }); err != nil {
		t.Fatal(err)
	}
	// Validate refuses a NUL now; a site written before it did may hold one.
	raw, err := sql.Open("sqlite", srcDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE posts SET body = ? WHERE id = ?`, "before\x00after", p.ID); err != nil {
		t.Fatal(err)
	}
	_, err = store.Copy(ctx, src, dst, nil)
	want := fmt.Sprintf("table posts, row id=%d, column body contains a NUL character", p.ID)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("copying a NUL character: %v, want an error saying %q", err, want)
	}
	if n, _ := dst.CountPosts(ctx, content.KindPost); n != 0 {
		t.Errorf("the failed copy left %d posts in the target", n)
	}
}
