package site_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/demo"
	"github.com/broadsheet/broadsheet/internal/importer/wxr"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
	"github.com/broadsheet/broadsheet/internal/web"
)

// benchWriter is a ResponseWriter that keeps nothing, so that the
// benchmarks measure the handlers alone.
type benchWriter struct{ h http.Header }

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *benchWriter) WriteHeader(int)             {}

// BenchmarkRender renders the demo site's pages without the page cache,
// behind serve's middleware (a request log written nowhere), with the
// process hearing every change as serve does: "uncached" without the
// fragment cache, "fragments" with it. Beside them, as the baseline, the
// same bytes answered from memory behind the same middleware.
func BenchmarkRender(b *testing.B) {
	db := storetest.Open(b, "sqlite")
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	if _, err := wxr.Import(context.Background(), db, bytes.NewReader(demo.WXR), wxr.Options{}); err != nil {
		b.Fatal(err)
	}
	relay(b, db)
	posts, _, err := db.FindPosts(context.Background(), store.Published(now))
	if err != nil || len(posts) == 0 {
		b.Fatalf("demo posts: %d, %v", len(posts), err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	paths := []struct{ name, path string }{
		{"front", "/"},
		{"post", posts[len(posts)/2].Path()},
		{"category", posts[0].Categories[0].Path()},
	}
	handler := func(fragments int64) http.Handler {
		s, err := site.New(site.Config{DB: db, Theme: site.DefaultTheme(), Log: log, FragmentCache: fragments})
		if err != nil {
			b.Fatal(err)
		}
		mux := http.NewServeMux()
		s.Routes(mux)
		return web.Chain(mux, web.Recover(log), web.Logging(log), web.SecurityHeaders)
	}
	h, frag := handler(0), handler(32<<20)
	for _, p := range paths {
		req := httptest.NewRequest("GET", p.path, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%s: %d", p.path, rec.Code)
		}
		body := rec.Body.Bytes()
		rec = httptest.NewRecorder()
		frag.ServeHTTP(rec, req)
		if !bytes.Equal(rec.Body.Bytes(), body) {
			b.Fatalf("%s: the fragment cache changes the page", p.path)
		}
		baseline := web.Chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(body)
		}), web.Recover(log), web.Logging(log), web.SecurityHeaders)
		for _, bc := range []struct {
			name string
			h    http.Handler
		}{{"baseline", baseline}, {"uncached", h}, {"fragments", frag}} {
			b.Run(p.name+"/"+bc.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					bc.h.ServeHTTP(&benchWriter{h: http.Header{}}, req)
				}
			})
		}
	}
}
