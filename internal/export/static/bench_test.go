package static_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/export/static"
)

// BenchmarkExport exports the demo site into a fresh folder and reports,
// beside the time of an export, its baseline: writing the same files of the
// same sizes from memory, and the ratio of the two. For a profile:
//
//	go test -run '^$' -bench Export -cpuprofile cpu.out ./internal/export/static
func BenchmarkExport(b *testing.B) {
	db, h, s := demoSite(b, "sqlite")
	opt := static.Options{DB: db, Handler: h, BaseURL: base, Site: s}
	var exported, written time.Duration
	files := 0
	for b.Loop() {
		opt.Dir = filepath.Join(b.TempDir(), "site")
		start := time.Now()
		if _, err := static.Export(context.Background(), opt); err != nil {
			b.Fatal(err)
		}
		exported += time.Since(start)

		b.StopTimer()
		tree := snapshot(b, opt.Dir)
		files = len(tree)
		dir := filepath.Join(b.TempDir(), "baseline")
		start = time.Now()
		made := map[string]bool{}
		for name, body := range tree {
			full := filepath.Join(dir, filepath.FromSlash(name))
			if d := filepath.Dir(full); !made[d] {
				if err := os.MkdirAll(d, 0o755); err != nil {
					b.Fatal(err)
				}
				made[d] = true
			}
			if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
				b.Fatal(err)
			}
		}
		written += time.Since(start)
		b.StartTimer()
	}
	b.ReportMetric(float64(files), "files")
	b.ReportMetric(float64(written.Microseconds())/float64(b.N), "baseline-µs/op")
	b.ReportMetric(float64(exported)/float64(written), "×baseline")
}
