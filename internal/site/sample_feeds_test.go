package site_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/broadsheet/broadsheet/internal/importer/wxr"
	"github.com/broadsheet/broadsheet/internal/store"
)

// sampleDir finds the sample site beside the repository (../shared/sample
// from its root), or skips.
func sampleDir(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	for _, dir := range []string{filepath.Join(root, "..", "shared", "sample"), filepath.Join(root, "..", "..", "shared", "sample")} {
		if _, err := os.Stat(filepath.Join(dir, "front-page.wxr")); err == nil {
			return dir
		}
	}
	t.Skip("the sample site (../shared/sample beside the repository) is not here")
	return ""
}

type sampleEntry struct {
	Title      string   `json:"title"`
	Slug       string   `json:"slug"`
	Paragraphs []string `json:"paragraphs"`
}

func readSampleJSON(t *testing.T, dir string) []sampleEntry {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "front-page.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []sampleEntry
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func importSample(t *testing.T, db *store.DB, dir string) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "front-page.wxr"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := wxr.Import(context.Background(), db, f, wxr.Options{}); err != nil {
		t.Fatalf("import the sample: %v", err)
	}
}
