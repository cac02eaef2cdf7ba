package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/broadsheet/broadsheet/internal/store"
)

// TestServePingsAPrivateHubOnlyWhenAllowed runs serve with the WebSub hub
// set to a loopback address and publishes through the Admin API: the ping
// is refused and logged, unless --fetch-allow-private lets it through.
func TestServePingsAPrivateHubOnlyWhenAllowed(t *testing.T) {
	for _, allow := range []bool{false, true} {
		name := "default"
		if allow {
			name = "fetch-allow-private"
		}
		t.Run(name, func(t *testing.T) {
			var pings atomic.Int32
			hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				pings.Add(1)
				w.WriteHeader(http.StatusNoContent)
			}))
			defer hub.Close()
			hubURL := strings.Replace(hub.URL, "127.0.0.1", "localhost", 1) + "/"

			db := t.TempDir() + "/b.db"
			token := apiToken(t, db, "editor")
			ctx := context.Background()
			st, err := store.Open(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			err = st.Update(ctx, func(tx *store.Tx) error {
				s, err := tx.LoadSettings(ctx)
				if err != nil {
					return err
				}
				s.WebSubHub = hubURL
				return tx.SaveSettings(ctx, s)
			})
			st.Close()
			if err != nil {
				t.Fatal(err)
			}
			args := []string{"--db", db, "--base-url", "https://news.example.org", "--poll-every", "0"}
			if allow {
				args = append(args, "--fetch-allow-private")
			}
			srv := opStart(t, args...)
			req, _ := http.NewRequest("POST", srv.URL+"/api/v1/posts", strings.NewReader(`{"title": "Breaking", "body": "News.", "status": "published"}`))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("publish: %s", resp.Status)
			}
			opEventually(t, func() string {
				logs := srv.logs()
				switch {
				case allow && pings.Load() == 0:
					return "no ping reached the hub with --fetch-allow-private"
				case !allow && !strings.Contains(logs, "localhost is not a public address"):
					return "no refusal logged: " + logs
				}
				return ""
			})
			if !allow && pings.Load() != 0 {
				t.Errorf("a hub on a loopback address received %d pings without --fetch-allow-private", pings.Load())
			}
		})
	}
}

// TestServeStoppedMidPingFinishesItsPings stops serve while the hub is
// still answering the ping of one publication and a second publication
// waits behind it: serve must send both pings before it closes the
// database and exits, and an editor's publication must not wait on the
// slow hub.
func TestServeStoppedMidPingFinishesItsPings(t *testing.T) {
	var pings atomic.Int32
	inPing := make(chan struct{}, 1)
	release := make(chan struct{})
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if pings.Add(1) == 1 {
			inPing <- struct{}{}
			<-release
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hub.Close()
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()

	db := t.TempDir() + "/b.db"
	token := apiToken(t, db, "editor")
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(ctx, func(tx *store.Tx) error {
		s, err := tx.LoadSettings(ctx)
		if err != nil {
			return err
		}
		s.WebSubHub = hub.URL + "/"
		return tx.SaveSettings(ctx, s)
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	srv := opStart(t, "--db", db, "--base-url", "https://news.example.org", "--poll-every", "0", "--fetch-allow-private")
	publish := func(title string) {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/posts", strings.NewReader(`{"title": "`+title+`", "body": "News.", "status": "published"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("publish %q: %s", title, resp.Status)
		}
	}
	publish("First")
	<-inPing // the hub holds the first ping
	publish("Second")
	srv.stop()
	close(release)
	if code := <-srv.done; code != 0 {
		t.Fatalf("serve exited with %d: %s", code, srv.logs())
	}
	srv.done <- 0 // for the cleanup that waits on it
	if got := pings.Load(); got != 2 {
		t.Errorf("the hub received %d pings, want 2 (one per publication, the second sent while stopping): %s", got, srv.logs())
	}
	if n := strings.Count(srv.logs(), "websub: hub notified"); n != 2 {
		t.Errorf("%d pings logged as sent, want 2: %s", n, srv.logs())
	}
}
