package app

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/broadsheet/broadsheet/internal/config"
	"github.com/broadsheet/broadsheet/internal/demo"
	"github.com/broadsheet/broadsheet/internal/importer/wxr"
	"github.com/broadsheet/broadsheet/internal/ops"
)

// discardResponse is a ResponseWriter that keeps nothing but a fresh
// header, as net/http's is for each request.
type discardResponse struct{ h http.Header }

func (w *discardResponse) Header() http.Header         { return w.h }
func (w *discardResponse) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardResponse) WriteHeader(int)             {}

// BenchmarkServeCachedPage answers the demo site's front page from the
// page cache through serve's whole handler (metrics, recovery, the
// request log written to /dev/null as the load benchmark does, security
// headers), and, as the baseline beside it, the same header and bytes from
// memory by a bare handler, as bench/site's baseline server does. What
// they differ in is serve's own work for a cached page.
func BenchmarkServeCachedPage(b *testing.B) {
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { devnull.Close() })
	e := &env{cfg: config.Default(), stdout: io.Discard, stderr: devnull}
	e.cfg.DataDir = b.TempDir()
	e.log = newLogger(nil, devnull)
	bg := ops.NewBackground(context.Background(), nil)
	e.bufferLog(bg) // as serve does
	b.Cleanup(bg.Stop)
	ctx := context.Background()
	db, err := e.openStore(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := wxr.Import(ctx, db, bytes.NewReader(demo.WXR), wxr.Options{}); err != nil {
		b.Fatal(err)
	}
	h, err := e.handler(db)
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("front page: %d", rec.Code)
	}
	header, body := rec.Header().Clone(), rec.Body.Bytes()
	header.Del("Date")
	baseline := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range header {
			h[k] = v
		}
		w.Write(body)
	})
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"baseline", baseline}, {"cached", h}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bc.h.ServeHTTP(&discardResponse{h: http.Header{}}, req)
			}
		})
	}
}
