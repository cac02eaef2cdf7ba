package store_test

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/markup/markuptest"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestOpeningSanitisesHTMLStoredUnderAnOlderPolicy opens a database whose
// posts were sanitised before the policy checked the URLs of poster,
// source src and srcset (simulated by removing the queue and its
// migration, as a database of that time has neither): its posts are
// served sanitised under the current policy once it is opened with the
// sanitiser, and their update time is kept.
func TestOpeningSanitisesHTMLStoredUnderAnOlderPolicy(t *testing.T) {
	const (
		unsafeBody = `<p>Watch.</p><video controls="" poster="javascript:alert(1)"><source src="javascript:alert(2)" type="video/mp4"/></video>` +
			`<img src="/a.png" srcset="/a.png 1x, javascript:alert(3) 2x"/>`
		cleanBody = `<p>Nothing to see.</p><img src="/b.png" srcset="/b.png 1x, /b@2x.png 2x"/>`
	)
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dsn := storetest.DSN(t, engine)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			posted := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
			db.Now = func() time.Time { return posted }
			risky := &content.Post{Slug: "risky", Body: unsafeBody}
			clean := &content.Post{Slug: "clean", Body: cleanBody}
			err = db.Update(ctx, func(tx *store.Tx) error {
				for _, p := range []*content.Post{risky, clean} {
					// As the policy of the time stored it: the body as it was.
					p.Kind, p.Status, p.Format, p.Title, p.PublishedAt = content.KindPost, content.StatusPublished, content.FormatHTML, "Post", posted
					p.BodyHTML, p.TeaserHTML = p.Body, p.Body
					if err := tx.CreatePost(ctx, p); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
			driver := "sqlite"
			if engine == "postgres" {
				driver = "pgx"
			}
			raw, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			for _, stmt := range []string{`DROP TABLE sanitize_queue`, `DELETE FROM schema_migrations WHERE version = 87`} {
				if _, err := raw.ExecContext(ctx, stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			raw.Close()

			// A command that opens the database without the sanitiser
			// leaves the posts queued.
			db, err = store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			db.Close()

			var done, total int
			db, err = store.OpenWith(ctx, dsn, store.Options{Sanitize: markup.Sanitize,
				SanitizeProgress: func(d, n int) { done, total = d, n }})
			if err != nil {
				t.Fatal(err)
			}
			if done != 2 || total != 2 {
				t.Errorf("sanitising on opening reported %d of %d posts, want 2 of 2", done, total)
			}
			got, err := db.FindPostBySlug(ctx, content.KindPost, "risky")
			if err != nil {
				t.Fatal(err)
			}
			for name, html := range map[string]string{"body": got.BodyHTML, "teaser": got.TeaserHTML} {
				if bad := markuptest.Unsafe(html); len(bad) > 0 {
					t.Errorf("%s after opening: %q:\n\t%s", name, html, strings.Join(bad, "\n\t"))
				}
				if !strings.Contains(html, "<p>Watch.</p>") {
					t.Errorf("%s after opening lost its text: %q", name, html)
				}
			}
			if !got.UpdatedAt.Equal(risky.UpdatedAt) {
				t.Errorf("updated at %v, want %v as before: the text did not change", got.UpdatedAt, risky.UpdatedAt)
			}
			if got, err := db.FindPostBySlug(ctx, content.KindPost, "clean"); err != nil || got.BodyHTML != cleanBody {
				t.Errorf("clean post after opening: %q, %v; want it as it was", got.BodyHTML, err)
			}
			db.Close()

			// Done once: opening again finds nothing queued.
			done, total = 0, 0
			db, err = store.OpenWith(ctx, dsn, store.Options{Sanitize: markup.Sanitize,
				SanitizeProgress: func(d, n int) { done, total = d, n }})
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
			if total != 0 {
				t.Errorf("opening again sanitised %d of %d posts, want none", done, total)
			}
		})
	}
}
