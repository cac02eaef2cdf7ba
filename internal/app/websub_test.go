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
