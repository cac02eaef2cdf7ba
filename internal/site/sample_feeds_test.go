package site_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// sampleDir finds the sample site's folder: ../shared/sample from the
// repository's root, or one level further up when the repository is a
// worktree in a folder of its own. Skips when there is none.
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

func readSampleJSON(t *testing.T, dir string) []samplePost {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "front-page.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []samplePost
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
