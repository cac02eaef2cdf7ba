package sourcedesk_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/broadsheet/broadsheet/internal/sourcedesk"
)

func seedTestdata(f *testing.F) {
	names, _ := filepath.Glob("testdata/*")
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzParseFeed: whatever an outlet sends, parsing returns items or an
// error, never panics, and every item has an absolute http(s) link.
func FuzzParseFeed(f *testing.F) {
	seedTestdata(f)
	d := &sourcedesk.Desk{}
	f.Fuzz(func(t *testing.T, body []byte) {
		items, _, err := d.ParseFeed(body, "https://outlet.example/feed.xml")
		if err != nil {
			return
		}
		for _, it := range items {
			if len(it.URL) < 8 || (it.URL[:7] != "http://" && it.URL[:8] != "https://") {
				t.Errorf("item link %q is not absolute http(s)", it.URL)
			}
		}
	})
}

// FuzzExtract: any page either yields an article or an error.
func FuzzExtract(f *testing.F) {
	seedTestdata(f)
	f.Fuzz(func(t *testing.T, page []byte) {
		sourcedesk.Extract(page, "https://outlet.example/a.html")
		sourcedesk.FeedLinks(page, "https://outlet.example/")
	})
}
