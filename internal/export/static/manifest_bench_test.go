package static

import (
	"encoding/json"
	"fmt"
	"testing"
)

// BenchmarkManifest encodes the manifest of a 10,000-post site's export
// (about 23,000 files), by hand and with encoding/json.
func BenchmarkManifest(b *testing.B) {
	files := map[string]string{}
	for i := range 23000 {
		files[fmt.Sprintf("%d/%02d/%02d/post-number-%d/index.html", 2016+i%10, 1+i%12, 1+i%28, i)] = fmt.Sprintf("%016x", i*7919)
	}
	b.Run("hand", func(b *testing.B) {
		for b.Loop() {
			encodeManifest(files)
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.MarshalIndent(manifest{Version: manifestVersion, Files: files}, "", " "); err != nil {
				b.Fatal(err)
			}
		}
	})
}
