package app

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/broadsheet/broadsheet/internal/export/static"
)

// export runs the export command. Its static mode (--static DIR) is here;
// other export formats dispatch from this function too.
func (e *env) export(ctx context.Context, args []string) error {
	if isStaticExport(args) {
		return e.exportStatic(ctx, args)
	}
	return e.exportSite(ctx, args)
}

// isStaticExport reports whether args ask for the static mode.
func isStaticExport(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && name == "static" {
			return true
		}
	}
	return false
}

// staticFlags are the flags of export --static.
type staticFlags struct {
	dir         string
	incremental bool
	workers     int
}

// parseStaticFlags parses export --static's command line.
func (e *env) parseStaticFlags(args []string) (staticFlags, error) {
	var f staticFlags
	fs := e.flags("export", "--static DIR [--incremental] [--base-url URL]")
	fs.StringVar(&f.dir, "static", "", "write the public site as files into `DIR`")
	fs.BoolVar(&f.incremental, "incremental", false, "rewrite only files whose bytes changed since the last export into DIR, trusting its hashes and the files' sizes instead of reading the files back")
	fs.IntVar(&f.workers, "workers", 0, "pages rendered in parallel (default: one per CPU)")
	fs.StringVar(&e.cfg.BaseURL, "base-url", e.cfg.BaseURL, "public `URL` the files will be served from (env BROADSHEET_BASE_URL)")
	if err := parse(fs, args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if f.dir == "" {
		return f, usageError{"--static needs the folder to write into"}
	}
	return f, nil
}

func (e *env) exportStatic(ctx context.Context, args []string) error {
	f, err := e.parseStaticFlags(args)
	if err != nil {
		return err
	}
	baseNote := ""
	if e.cfg.BaseURL == "" {
		e.cfg.BaseURL = "http://localhost:8080"
		baseNote = " (no --base-url given: canonical links point at it)"
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	// The export is the site at one instant: a post scheduled for a second
	// later stays out of every page, not only of the pages rendered after.
	// (It also lets each listing's pages and counts be read once.)
	snapshot := db.Now()
	db.Now = func() time.Time { return snapshot }
	// Render without the page cache or what is kept of a page for its next
	// reader, and log only failures: every page passes once.
	quiet := *e
	quiet.cfg.PageCache = 0
	quiet.renderOnce = true
	quiet.log = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := quiet.site(db)
	if err != nil {
		return err
	}
	handler, err := quiet.handler(db)
	if err != nil {
		return err
	}
	// Every page is rendered once and dropped: collect garbage half as
	// often as by default. Twice as seldom again cost more than it saved:
	// the larger heap is memory the kernel must hand over page by page
	// (at 400, twice the page faults, and a tenth more time in all).
	defer debug.SetGCPercent(debug.SetGCPercent(200))
	start := time.Now()
	bar := &progressBar{w: e.stderr, label: "exporting"}
	progress := func(done, total int) {
		bar.total = int64(total)
		bar.show(int64(done), fmt.Sprintf("%d/%d files", done, total), false)
	}
	rep, err := static.Export(ctx, static.Options{
		DB: db, Handler: handler, BaseURL: e.cfg.BaseURL, Site: s, Dir: f.dir,
		Incremental: f.incremental, Workers: f.workers, Progress: progress, Log: quiet.log,
	})
	fmt.Fprintln(e.stderr)
	if err != nil {
		return err
	}
	took := time.Since(start)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Exported the site into %s in %s, for %s%s\n", f.dir, took.Round(time.Millisecond), e.cfg.BaseURL, baseNote)
	fmt.Fprintf(tw, "  pages and files\t%d\n", rep.Pages)
	fmt.Fprintf(tw, "  written\t%d\n", rep.Written)
	fmt.Fprintf(tw, "  unchanged, left alone\t%d\n", rep.Unchanged)
	fmt.Fprintf(tw, "  removed (no longer on the site)\t%d\n", rep.Removed)
	fmt.Fprintf(tw, "  redirects (_redirects and refresh pages)\t%d\n", rep.Redirects)
	fmt.Fprintf(tw, "  size\t%.1f MB\n", float64(rep.Bytes)/1e6)
	fmt.Fprintf(tw, "  skipped\t%d\n", len(rep.Skipped))
	tw.Flush()
	for _, s := range rep.Skipped {
		fmt.Fprintf(e.stdout, "  skipped: %s: %s\n", s.URL, s.Reason)
	}
	return nil
}
