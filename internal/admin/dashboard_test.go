package admin_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestDashboard: signing in lands on the dashboard, which shows drafts,
// posts pending review, scheduled posts, new inbox items, failing sources
// and recent posts, in a number of statements that does not grow with
// the posts, items or sources there are.
func TestDashboard(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		// add writes n entries of each kind, one source that fails and
		// one that works, and n new inbox items.
		round := 0
		add := func(n int) {
			round++
			s := &editorial.Service{DB: db}
			for i := 0; i < n; i++ {
				for _, st := range []content.Status{content.StatusDraft, content.StatusPending, content.StatusScheduled, content.StatusPublished} {
					title := fmt.Sprintf("%s %d-%d", st, round, i)
					in := editorial.Input{Title: &title, Status: &st}
					if st == content.StatusScheduled {
						at := db.Now().Add(time.Duration(24*(i+1)) * time.Hour)
						in.PublishAt = &at
					}
					if _, err := s.Create(ctx, e.users["editor"], in); err != nil {
						t.Fatal(err)
					}
				}
			}
			err := db.Update(ctx, func(tx *store.Tx) error {
				for j, failing := range []bool{true, false} {
					o := &content.Outlet{Name: fmt.Sprintf("Wire %d-%d", round, j), Homepage: fmt.Sprintf("https://wire%d-%d.example/", round, j)}
					if err := tx.CreateOutlet(ctx, o); err != nil {
						return err
					}
					lastErr := ""
					if failing {
						lastErr = "the feed answered 500"
					}
					if err := tx.RecordPoll(ctx, o.ID, lastErr, 3, tx.Now.Add(time.Hour)); err != nil {
						return err
					}
					for i := 0; i < n && !failing; i++ {
						it := &content.Item{OutletID: o.ID, OutletName: o.Name, URL: fmt.Sprintf("https://wire.example/%d/%d", round, i),
							Title: fmt.Sprintf("Wire story %d-%d", round, i)}
						if _, err := tx.AddItem(ctx, it); err != nil {
							return err
						}
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		add(1)
		c := e.signIn("editor")
		res, err := c.Get(e.srv.URL + "/admin/")
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, res)
		statements := func() (int64, string) {
			before := db.QueryCount()
			res, err := c.Get(e.srv.URL + "/admin/")
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, res)
			if res.StatusCode != 200 {
				t.Fatalf("GET /admin/: %d %s", res.StatusCode, body)
			}
			return db.QueryCount() - before, body
		}
		few, page := statements()
		for _, want := range []string{"draft 1-0", "pending 1-0", "scheduled 1-0", "published 1-0", "Wire story 1-0",
			"Wire 1-0</strong>: the feed answered 500"} {
			if !strings.Contains(page, want) {
				t.Errorf("the dashboard lacks %q", want)
			}
		}
		if strings.Contains(page, "<strong>Wire 1-1</strong>") {
			t.Errorf("a source that works is listed as failing")
		}
		add(30)
		many, page := statements()
		if many != few || many > 30 {
			t.Errorf("the dashboard ran %d statements with 4 posts and %d with 124; want the same, and at most 30", few, many)
		}
		if !strings.Contains(page, `<span class="count">31</span>`) || strings.Count(page, "draft 2-") != 5 {
			t.Errorf("the dashboard does not count 31 drafts and list the latest five")
		}

		// Sign-in lands here; a contributor sees only their own, and no desk.
		res, _ = e.browser().PostForm(e.srv.URL+"/admin/login", map[string][]string{"email": {"contributor@example.org"}, "password": {testPassword}})
		res.Body.Close()
		if loc := res.Header.Get("Location"); loc != "/admin/" {
			t.Errorf("signing in goes to %q, want the dashboard", loc)
		}
		co := e.signIn("contributor")
		res, _ = co.Get(e.srv.URL + "/admin/")
		page = readAll(t, res)
		if res.StatusCode != 200 || strings.Contains(page, "draft 1-0") || strings.Contains(page, "Wire story") {
			t.Errorf("a contributor's dashboard: %d, shows others' drafts or the inbox", res.StatusCode)
		}
	})
}
