package deskhttp_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/fetch"
	"github.com/broadsheet/broadsheet/internal/sourcedesk"
	"github.com/broadsheet/broadsheet/internal/sourcedesk/deskhttp"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestPagesInAFrame: with Config.Frame the desk's pages come without their
// own header, inside the layout the frame draws, told the page's title,
// section and user; errors too.
func TestPagesInAFrame(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	ed := &content.User{ID: 7, Name: "Eda", Role: content.RoleEditor}
	cfg := deskhttp.Config{
		Desk: &sourcedesk.Desk{DB: db, Fetch: fetch.New(fetch.Options{})},
		Authorise: func(r *http.Request) (*content.User, error) {
			if r.URL.Query().Get("who") == "nobody" {
				return nil, content.Errorf(content.EForbidden, "Not for you.")
			}
			return ed, nil
		},
		Frame: func(w http.ResponseWriter, r *http.Request, status int, f deskhttp.Frame) error {
			w.WriteHeader(status)
			name := "-"
			if f.User != nil {
				name = f.User.Name
			}
			_, err := fmt.Fprintf(w, "<header>%s|%s|%s</header>%s", f.Title, f.Section, name, f.Body)
			return err
		},
	}
	pages, err := deskhttp.NewPages(cfg, "/admin")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	pages.Mount(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	get := func(path string) (int, string) {
		t.Helper()
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	for _, c := range []struct{ path, header, h1 string }{
		{"/admin/inbox", "<header>Inbox|inbox|Eda</header>", "<h1>Inbox</h1>"},
		{"/admin/sources", "<header>Sources|sources|Eda</header>", "<h1>Sources</h1>"},
	} {
		code, body := get(c.path)
		if code != 200 || !strings.HasPrefix(body, c.header) || !strings.Contains(body, c.h1) ||
			strings.Contains(body, "<!DOCTYPE") || strings.Contains(body, "desk-header") {
			t.Errorf("GET %s: %d, want the page inside the frame without the desk's own layout:\n%.300s", c.path, code, body)
		}
	}
	if code, body := get("/admin/inbox?who=nobody"); code != 403 || !strings.HasPrefix(body, "<header>Forbidden||-</header>") || !strings.Contains(body, "Not for you.") {
		t.Errorf("a refusal in the frame: %d\n%.300s", code, body)
	}
}
