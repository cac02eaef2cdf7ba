package cache_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/broadsheet/broadsheet/internal/store/storetest"
	"github.com/broadsheet/broadsheet/internal/web"
)

// discardWriter is a ResponseWriter that keeps nothing, so that the
// benchmarks measure the handlers alone.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// BenchmarkFrontPage serves the front page from the cache, rendered
// without it (and without the fragment cache; site's BenchmarkRender
// measures that), and, as the baseline beside them, the same bytes and
// header from memory by a bare handler behind the same middleware.
func BenchmarkFrontPage(b *testing.B) { benchmarkPage(b, "/") }

// BenchmarkPostPage is BenchmarkFrontPage for a post's page.
func BenchmarkPostPage(b *testing.B) { benchmarkPage(b, "/2026/01/03/story-3/") }

func benchmarkPage(b *testing.B, path string) {
	f := newFixture(b, storetest.Open(b, "sqlite"), 32<<20)
	cached := web.Chain(f.cache.Handler(f.mux), web.SecurityHeaders)
	uncached := web.Chain(f.mux, web.SecurityHeaders)
	req := httptest.NewRequest("GET", path, nil)
	rec := httptest.NewRecorder()
	cached.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s: %d", path, rec.Code)
	}
	body := rec.Body.Bytes()
	// The baseline answers the same header as the cache, as bench/site's
	// does: what the two differ in is then the cache's own work.
	header := rec.Header().Clone()
	baseline := web.Chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range header {
			h[k] = v
		}
		w.Write(body)
	}), web.SecurityHeaders)
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"baseline", baseline}, {"cached", cached}, {"uncached", uncached}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bc.h.ServeHTTP(&discardWriter{h: http.Header{}}, req)
			}
		})
	}
}
