package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/broadsheet/broadsheet/internal/export"
)

// exportSite writes the site out: WXR by default, JSON with --json. Each
// format is one flag of its own, so that further ones (a static site in a
// folder) can join as their own flag and branch.
func (e *env) exportSite(ctx context.Context, args []string) error {
	fs := e.flags("export", "[--json] FILE")
	asJSON := fs.Bool("json", false, "write the full model as JSON instead of a WordPress export (WXR 1.2)")
	baseURL := fs.String("base-url", e.cfg.BaseURL, "public `URL` of the site, for the export's links and file addresses (env BROADSHEET_BASE_URL)")
	files, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageError{"give exactly one file to write the export to"}
	}
	name := files[0]
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	// Write beside the target and rename at the end, so a failed export
	// never leaves half a file under the name asked for.
	tmp, err := os.CreateTemp(filepath.Dir(name), ".broadsheet-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	last := 0
	opt := export.Options{BaseURL: *baseURL, Progress: func(s *export.Summary) {
		if n := s.Posts + s.Pages + s.Media; n/500 != last/500 {
			last = n
			fmt.Fprintf(e.stderr, "\rexporting: %d entries and files written", n)
		}
	}}
	format := "WordPress WXR 1.2"
	var sum *export.Summary
	if *asJSON {
		format = "JSON"
		sum, err = export.JSON(ctx, db, tmp, opt)
	} else {
		sum, err = export.WXR(ctx, db, tmp, opt)
	}
	if last > 0 {
		fmt.Fprintln(e.stderr)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		return fmt.Errorf("export to %s: %w (no file written)", name, err)
	}
	fmt.Fprintf(e.stdout, "Exported %s to %s (%s): %s\n", e.cfg.DatabaseURL(), name, format, sum.Describe())
	if !*asJSON && sum.Media > 0 {
		fmt.Fprintf(e.stdout, "Attachments point at %s/media/…; WordPress fetches them from there while that site is up.\n", opt.BaseURL)
	}
	return nil
}
