package sourcedesk

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzCompleteItems feeds the repair of cut-off feeds anything: it never
// panics, and what it gives back is XML whose elements all close.
func FuzzCompleteItems(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	for _, n := range names {
		if b, err := os.ReadFile(n); err == nil {
			f.Add(b)
			f.Add(b[:len(b)*2/3])
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fixed, ok := completeItems(body)
		if !ok {
			return
		}
		open, err := openElements(fixed)
		if err != nil || len(open) > 0 {
			t.Fatalf("repaired feed does not close: %v, open %q\n%s", err, open, fixed)
		}
	})
}
