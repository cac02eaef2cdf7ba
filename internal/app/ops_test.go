package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

func TestServeHealthReadinessAndMetrics(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			srv := opStart(t, "--data", t.TempDir(), "--db", storetest.DSN(t, engine), "--demo")
			if code, body := opGet(t, srv.URL+"/healthz"); code != 200 || body != "ok\n" {
				t.Errorf("/healthz: %d %q, want 200 ok", code, body)
			}
			code, body := opGet(t, srv.URL+"/readyz")
			if code != 200 || !strings.HasPrefix(body, "ready: "+engine+" database answering, schema version ") {
				t.Errorf("/readyz: %d %q, want 200 naming the %s database and its schema", code, body, engine)
			}
			for range 3 {
				opGet(t, srv.URL+"/")
			}
			opGet(t, srv.URL+"/no-such-page/")
			code, page := opGet(t, srv.URL+"/metrics")
			if code != 200 {
				t.Fatalf("/metrics: %d", code)
			}
			for sample, want := range map[string]float64{
				`broadsheet_http_requests_total{method="GET",route="GET /{$}",status="200"}`:    3,
				`broadsheet_http_requests_total{method="GET",route="GET /",status="404"}`:       1,
				`broadsheet_http_requests_total{method="GET",route="GET /readyz",status="200"}`: 1,
				`broadsheet_http_request_duration_seconds_count{route="GET /{$}"}`:              3,
				`broadsheet_changes_total{origin="remote"}`:                                     0,
				`broadsheet_cache_hits_total{cache="page"}`:                                     0,
			} {
				if got := opMetric(page, sample); got != want {
					t.Errorf("%s = %v, want %v", sample, got, want)
				}
			}
			for _, name := range []string{"broadsheet_db_connections_open", "broadsheet_db_relay_listening", "go_goroutines"} {
				if !strings.Contains(page, "# TYPE "+name+" ") {
					t.Errorf("/metrics lacks %s", name)
				}
			}
		})
	}
}

// TestServeAnswers503WhileDatabaseIsDown stops the PostgreSQL server under
// a running serve and starts it again: meanwhile requests fail cleanly with
// 503, and afterwards everything works again with nothing lost or doubled.
func TestServeAnswers503WhileDatabaseIsDown(t *testing.T) {
	pg := opStartPostgres(t)
	srv := opStart(t, "--data", t.TempDir(), "--db", pg.URL, "--demo")
	ctx := context.Background()
	code, front := opGet(t, srv.URL+"/")
	if code != 200 {
		t.Fatalf("front page before the outage: %d", code)
	}
	entries := strings.Count(front, `<article class="entry entry-teaser">`)
	writer, err := store.Open(ctx, pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	var before int
	if before, err = writer.CountPosts(ctx, content.KindPost); err != nil {
		t.Fatal(err)
	}

	pg.stop(t)
	// The front page read before the outage is still served from the page
	// cache: readers keep a site while its database restarts.
	if resp, err := http.Get(srv.URL + "/"); err != nil || resp.StatusCode != 200 || resp.Header.Get("X-Broadsheet-Cache") != "hit" {
		t.Errorf("the cached front page while the database is down: %v %v, want it served from the cache", resp, err)
	} else {
		resp.Body.Close()
	}
	for _, path := range []string{"/page/2/", "/2025/11/03/a-post-that-may-or-may-not-exist/", "/category/politics/"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatalf("GET %s while the database is down: %v (want a 503 page, not a dropped connection)", path, err)
		}
		body := opReadAll(t, resp)
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "briefly unavailable") || resp.Header.Get("Retry-After") == "" {
			t.Errorf("GET %s while the database is down: %d, Retry-After %q, body %.200q; want 503 saying the site is briefly unavailable",
				path, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	}
	if code, body := opGet(t, srv.URL+"/readyz"); code != 503 || !strings.Contains(body, "does not answer") {
		t.Errorf("/readyz while the database is down: %d %q, want 503 saying the database does not answer", code, body)
	}
	if code, _ := opGet(t, srv.URL+"/healthz"); code != 200 {
		t.Errorf("/healthz while the database is down: %d, want 200 (the process itself is fine)", code)
	}
	fresh := &content.Post{Kind: content.KindPost, Title: "Written after the outage", Slug: "after-the-outage",
		Status: content.StatusPublished, PublishedAt: time.Now().Add(-time.Minute).UTC().Truncate(time.Second),
		Format: content.FormatHTML, Body: "<p>Back.</p>", BodyHTML: "<p>Back.</p>", TeaserHTML: "<p>Back.</p>"}
	err = writer.Update(ctx, func(tx *store.Tx) error { return tx.CreatePost(ctx, fresh) })
	if err == nil || !store.IsUnavailable(err) {
		t.Fatalf("writing while the database is down: %v, want an unavailability error", err)
	}

	pg.start(t)
	opEventually(t, func() string {
		if code, _ := opGet(t, srv.URL+"/readyz"); code != 200 {
			return "serve never became ready again after the database came back"
		}
		return ""
	})
	code, front = opGet(t, srv.URL+"/")
	if code != 200 || strings.Count(front, `<article class="entry entry-teaser">`) != entries {
		t.Fatalf("front page after the outage: %d with %d entries, want 200 with %d", code, strings.Count(front, `<article class="entry entry-teaser">`), entries)
	}
	// The failed write left nothing behind; written again, it is there once.
	if n, _ := writer.CountPosts(ctx, content.KindPost); n != before {
		t.Fatalf("%d posts after the outage, want %d as before", n, before)
	}
	fresh.ID = 0
	if err := writer.Update(ctx, func(tx *store.Tx) error { return tx.CreatePost(ctx, fresh) }); err != nil {
		t.Fatalf("writing after the outage: %v", err)
	}
	if n, _ := writer.CountPosts(ctx, content.KindPost); n != before+1 {
		t.Fatalf("%d posts after writing one, want %d", n, before+1)
	}
	// The relay tells the server, whose cache drops the front page.
	opEventually(t, func() string {
		if _, front = opGet(t, srv.URL+"/"); !strings.Contains(front, "Written after the outage") {
			return "the post written after the outage never reached the front page"
		}
		return ""
	})
	// The server's change relay reconnected too: it hears the next change.
	opEventually(t, func() string {
		_, page := opGet(t, srv.URL+"/metrics")
		if opMetric(page, `broadsheet_db_relay_listening`) != 1 {
			return "the change relay never listened again after the outage"
		}
		return ""
	})
	_, page := opGet(t, srv.URL+"/metrics")
	remote := opMetric(page, `broadsheet_changes_total{origin="remote"}`)
	if err := writer.Update(ctx, func(tx *store.Tx) error {
		p, err := tx.FindPostBySlug(ctx, content.KindPost, "after-the-outage")
		if err != nil {
			return err
		}
		p.Title = "Edited after the outage"
		return tx.UpdatePost(ctx, p)
	}); err != nil {
		t.Fatal(err)
	}
	opEventually(t, func() string {
		_, page := opGet(t, srv.URL+"/metrics")
		if opMetric(page, `broadsheet_changes_total{origin="remote"}`) <= remote {
			return "serve did not hear of the edit made after the outage"
		}
		return ""
	})
}

func opReadAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestServeLogsJSONWhenAsked(t *testing.T) {
	srv := opStartEnv(t, []string{"BROADSHEET_LOG_FORMAT=json"}, "--data", t.TempDir(), "--demo")
	opGet(t, srv.URL+"/no-such-page/")
	opEventually(t, func() string {
		for _, line := range strings.Split(strings.TrimSpace(srv.logs()), "\n") {
			if line == "" {
				continue // nothing written yet: the log is buffered
			}
			var rec struct {
				Msg    string `json:"msg"`
				Path   string `json:"path"`
				Status int    `json:"status"`
			}
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("a log line is not JSON: %q", line)
			}
			if rec.Msg == "request" && rec.Path == "/no-such-page/" && rec.Status == 404 {
				return ""
			}
		}
		return "the request was not logged as JSON:\n" + srv.logs()
	})
}
