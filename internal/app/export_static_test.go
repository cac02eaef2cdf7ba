package app_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestExportStaticCommand(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := run(t, "--data", dir, "import", filepath.Join("..", "importer", "wxr", "testdata", "small.wxr")); code != 0 {
		t.Fatalf("import: %d %s", code, errOut)
	}
	out := filepath.Join(dir, "public")
	code, stdout, stderr := run(t, "--data", dir, "export", "--static", out, "--base-url", "https://example.org")
	if code != 0 {
		t.Fatalf("export: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"Exported the site into", "written", "skipped"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "exporting [") || !strings.Contains(stderr, "100%") {
		t.Errorf("no progress bar on stderr: %q", stderr)
	}
	if b, err := os.ReadFile(filepath.Join(out, "index.html")); err != nil || !strings.Contains(string(b), `href="https://example.org/"`) {
		t.Errorf("the front page is missing or not made for the base URL: %v", err)
	}
	// Again into the same folder: nothing changed, every file is left
	// alone, and the summary says so.
	code, stdout, _ = run(t, "--data", dir, "export", "--static", out, "--base-url", "https://example.org")
	if code != 0 || !regexp.MustCompile(`written +0\n`).MatchString(stdout) || !regexp.MustCompile(`unchanged, left alone +[1-9]`).MatchString(stdout) {
		t.Errorf("export again: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = run(t, "--data", dir, "export", "--static", out, "--incremental")
	if code != 0 || !strings.Contains(stdout, "unchanged, left alone") {
		t.Errorf("incremental export: exit %d\n%s", code, stdout)
	}
	for _, args := range [][]string{{"export"}, {"export", "--static"}, {"export", "--static", out, "extra"}} {
		if code, _, _ := run(t, append([]string{"--data", dir}, args...)...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
