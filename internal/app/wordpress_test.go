package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

const fixtures = "../importer/wxr/testdata"

// runCmd runs the command line as the binary would and returns its exit
// code, standard output and standard error.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, nil, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestImportAndExportCommands drives import and export as an editor moving
// a WordPress site would, on each engine.
func TestImportAndExportCommands(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			data := t.TempDir()
			db := storetest.DSN(t, engine)
			report := filepath.Join(t.TempDir(), "report.txt")
			wxrFile := filepath.Join(fixtures, "classic.wxr")
			uploads := filepath.Join(fixtures, "uploads")

			// A dry run, with the flags after the file as the usage shows.
			code, out, errOut := runCmd(t, "--data", data, "--db", db, "import", wxrFile, "--uploads", uploads, "--dry-run", "--report", report)
			if code != 0 {
				t.Fatalf("dry run: exit %d\n%s%s", code, out, errOut)
			}
			for _, want := range []string{"Dry run (nothing written)", "imported  updated  unchanged  skipped", "posts         8", "attachments         2"} {
				if !strings.Contains(out, want) {
					t.Errorf("dry-run summary lacks %q:\n%s", want, out)
				}
			}
			if !strings.Contains(errOut, "importing [") || !strings.Contains(errOut, "100%") {
				t.Errorf("no progress bar on stderr: %q", errOut)
			}
			rep, err := os.ReadFile(report)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"Dry run: nothing was written.", "4 skipped, 15 changed", "skipped\tnav_menu_item\t\"Home\"\tleads to nothing",
				"changed\tpost\t\"Harbour report: the numbers\"\tshortcode [contact-form-7]", "views_count (1)"} {
				if !strings.Contains(string(rep), want) {
					t.Errorf("report lacks %q:\n%s", want, rep)
				}
			}
			if _, err := os.Stat(filepath.Join(data, "media")); err == nil {
				t.Errorf("the dry run created the media folder")
			}

			code, out, errOut = runCmd(t, "--data", data, "--db", db, "import", "--uploads", uploads, "--report", report, wxrFile)
			if code != 0 || !strings.Contains(out, "Imported ") || strings.Contains(out, "Dry run") {
				t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
			}
			if _, err := os.Stat(filepath.Join(data, "media", "2024", "05", "port.jpg")); err != nil {
				t.Errorf("the attachment's file is not in the library: %v", err)
			}

			// A broken file: exit 1, a sentence naming the place, nothing changed.
			code, _, errOut = runCmd(t, "--data", data, "--db", db, "import", filepath.Join(fixtures, "invalid.wxr"))
			if code != 1 || !strings.Contains(errOut, "line 154: invalid XML") || !strings.Contains(errOut, "nothing was imported") {
				t.Errorf("invalid file: exit %d, %q", code, errOut)
			}

			out1 := filepath.Join(t.TempDir(), "site.wxr")
			code, out, errOut = runCmd(t, "--data", data, "--db", db, "export", "--base-url", "https://new.example.org", out1)
			if code != 0 || !strings.Contains(out, "8 posts, 2 pages, 2 media files") {
				t.Fatalf("export: exit %d\n%s%s", code, out, errOut)
			}
			out2 := filepath.Join(t.TempDir(), "site.json")
			code, out, errOut = runCmd(t, "--data", data, "--db", db, "export", "--json", out2)
			if code != 0 || !strings.Contains(out, "(JSON)") {
				t.Fatalf("export --json: exit %d\n%s%s", code, out, errOut)
			}
			for _, f := range []string{out1, out2} {
				if st, err := os.Stat(f); err != nil || st.Size() == 0 {
					t.Errorf("%s: %v", f, err)
				}
			}
			code, _, errOut = runCmd(t, "--data", data, "--db", db, "export", filepath.Join(t.TempDir(), "no", "such", "dir", "x.wxr"))
			if code != 1 || !strings.Contains(errOut, "no file written") && !strings.Contains(errOut, "no such file") {
				t.Errorf("export into a missing folder: exit %d, %q", code, errOut)
			}
		})
	}
}
