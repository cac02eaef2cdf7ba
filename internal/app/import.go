package app

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/broadsheet/broadsheet/internal/importer/wxr"
)

func (e *env) importWXR(ctx context.Context, args []string) error {
	fs := e.flags("import", "FILE.wxr")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"give exactly one WXR file to import"}
	}
	name := fs.Arg(0)
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	progress := func(r *wxr.Report) {
		if r.Read%100 == 0 {
			fmt.Fprintf(e.stderr, "\rimporting: %d items read", r.Read)
		}
	}
	rep, err := wxr.Import(ctx, db, f, wxr.Options{Progress: progress})
	if err != nil {
		fmt.Fprintln(e.stderr)
		return fmt.Errorf("%s: %w (nothing was imported; the site is as it was)", name, err)
	}
	fmt.Fprintf(e.stderr, "\rimporting: %d items read\n", rep.Read)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Imported %s into %s\n", name, e.cfg.DatabaseURL())
	fmt.Fprintf(tw, "  created\t%d\n", rep.Created)
	fmt.Fprintf(tw, "  updated\t%d\n", rep.Updated)
	fmt.Fprintf(tw, "  unchanged\t%d\n", rep.Unchanged)
	fmt.Fprintf(tw, "  old URLs kept as redirects\t%d\n", rep.Aliases)
	fmt.Fprintf(tw, "  skipped\t%d\n", len(rep.Skipped))
	tw.Flush()
	for _, s := range rep.Skipped {
		fmt.Fprintf(e.stdout, "  skipped: line %d %q: %s\n", s.Line, s.Title, s.Reason)
	}
	return nil
}
