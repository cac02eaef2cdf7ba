package app

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/broadsheet/broadsheet/internal/importer/wxr"
)

func (e *env) importWXR(ctx context.Context, args []string) error {
	fs := e.flags("import", "FILE.wxr [--uploads DIR] [--dry-run] [--report FILE]")
	uploads := fs.String("uploads", "", "`folder` holding a copy of the old site's wp-content/uploads, for attachments")
	dryRun := fs.Bool("dry-run", false, "read and check everything, report what would happen, and write nothing")
	reportName := fs.String("report", "", "`file` listing every skipped or changed item (default DATA/import-reports/FILE.report.txt)")
	files, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageError{"give exactly one WXR file to import"}
	}
	name := files[0]
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if *uploads != "" {
		if st, err := os.Stat(*uploads); err != nil || !st.IsDir() {
			return usageError{fmt.Sprintf("--uploads %s is not a folder", *uploads)}
		}
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if *reportName == "" {
		// In the data folder, which Broadsheet owns, not beside the export,
		// which may be read-only or someone else's; in the temporary folder
		// when there is no data folder (a PostgreSQL site may have none).
		dir := filepath.Join(e.cfg.DataDir, "import-reports")
		if st, err := os.Stat(e.cfg.DataDir); err != nil || !st.IsDir() {
			dir = os.TempDir()
		} else if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("report folder: %w", err)
		}
		base := filepath.Base(name)
		*reportName = filepath.Join(dir, strings.TrimSuffix(base, filepath.Ext(base))+".report.txt")
	}
	var size int64
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	cr := &countingReader{r: f}
	bar := &progressBar{w: e.stderr, label: "importing", total: size}
	library, err := e.mediaStorage()
	if err != nil {
		return err
	}
	opt := wxr.Options{
		Uploads: *uploads, Media: library, DryRun: *dryRun,
		Progress: func(r *wxr.Report) { bar.show(cr.n.Load(), fmt.Sprintf("%d items read", r.Read), false) },
	}
	rw, err := newReportWriter(*reportName, name, *dryRun)
	if err != nil {
		return fmt.Errorf("report file: %w", err)
	}
	opt.Log = rw.log
	start := time.Now()
	rep, err := wxr.Import(ctx, db, cr, opt)
	if err != nil {
		bar.clear()
		rw.abort()
		return fmt.Errorf("%s: %w (nothing was imported; the site is as it was)", name, err)
	}
	bar.show(cr.n.Load(), fmt.Sprintf("%d items read", rep.Read), true)
	reportErr := rw.finish(rep)
	printSummary(e.stdout, name, e.cfg.DatabaseURL(), rep, rw.reasons, time.Since(start))
	if reportErr != nil {
		fmt.Fprintf(e.stderr, "could not write the report file: %v\n", reportErr)
	} else {
		fmt.Fprintf(e.stdout, "Every skipped or changed item is listed in %s\n", *reportName)
	}
	return nil
}

// countingReader counts the bytes read, for the progress bar. The import
// parses the file on a goroutine of its own while the progress bar is
// drawn on the importer's, so the count is atomic.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func printSummary(w io.Writer, name, db string, rep *wxr.Report, reasons map[string]int, took time.Duration) {
	verb := "Imported"
	if rep.DryRun {
		verb = "Dry run (nothing written):"
	}
	fmt.Fprintf(w, "%s %s into %s: %d items read in %s\n\n", verb, name, db, rep.Read, took.Round(time.Millisecond))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\timported\tupdated\tunchanged\tskipped\t")
	for _, row := range []struct {
		name string
		c    wxr.Counts
	}{{"posts", rep.Posts}, {"pages", rep.Pages}, {"attachments", rep.Attachments}, {"comments", rep.Comments}} {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", row.name, row.c.Created, row.c.Updated, row.c.Unchanged, row.c.Skipped)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nauthors %d, categories %d, tags %d; old addresses kept as redirects %d\n",
		rep.Authors, rep.Categories, rep.Tags, rep.Aliases)
	if len(rep.Meta) > 0 {
		fmt.Fprintf(w, "post meta not imported: %s\n", metaSummary(rep.Meta))
	}
	if len(reasons) > 0 {
		fmt.Fprintln(w, "skipped, by reason:")
		keys := make([]string, 0, len(reasons))
		for k := range reasons {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  %5d  %s\n", reasons[k], k)
		}
	}
	if rep.ChangedItems > 0 {
		fmt.Fprintf(w, "changed on the way in: %d notes\n", rep.ChangedItems)
	}
}

// skipKind shortens a skip reason to its kind, for the summary's tally.
func skipKind(reason string) string {
	if i := strings.IndexAny(reason, ":("); i > 0 {
		reason = reason[:i]
	}
	// Numbers and quoted names vary from line to line; the kind does not.
	var b strings.Builder
	inQuote := false
	for _, r := range reason {
		switch {
		case r == '"':
			inQuote = !inQuote
			if inQuote {
				b.WriteString("…")
			}
		case inQuote:
		case r >= '0' && r <= '9':
			if !strings.HasSuffix(b.String(), "N") {
				b.WriteByte('N')
			}
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

func metaSummary(meta map[string]int) string {
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s (%d)", k, meta[k])
	}
	return strings.Join(parts, ", ")
}

// reportWriter writes the report file as the import goes, one line per
// skipped or changed item in the export's order, so that a long export's
// notes never pile up in memory. It writes beside the file asked for and
// renames at the end: a failed import leaves no report behind.
type reportWriter struct {
	name    string
	f       *os.File
	w       *bufio.Writer
	reasons map[string]int // skips by kind, for the summary
}

func newReportWriter(name, source string, dryRun bool) (*reportWriter, error) {
	f, err := os.CreateTemp(filepath.Dir(name), ".broadsheet-report-*")
	if err != nil {
		return nil, err
	}
	rw := &reportWriter{name: name, f: f, w: bufio.NewWriter(f), reasons: map[string]int{}}
	fmt.Fprintf(rw.w, "Broadsheet import report for %s\n", source)
	if dryRun {
		fmt.Fprintln(rw.w, "Dry run: nothing was written.")
	}
	fmt.Fprintf(rw.w, "One line per item skipped or changed: where, what, type, title, why.\n\n")
	return rw, nil
}

func (rw *reportWriter) log(skipped bool, s wxr.Skip) {
	what := "changed"
	if skipped {
		what = "skipped"
		rw.reasons[skipKind(s.Reason)]++
	}
	fmt.Fprintln(rw.w, reportLine(what, s))
}

func (rw *reportWriter) abort() {
	rw.f.Close()
	os.Remove(rw.f.Name())
}

func (rw *reportWriter) finish(rep *wxr.Report) error {
	fmt.Fprintf(rw.w, "\n%d skipped, %d changed\n", rep.SkippedItems, rep.ChangedItems)
	if len(rep.Meta) > 0 {
		fmt.Fprintf(rw.w, "post meta not imported: %s\n", metaSummary(rep.Meta))
	}
	err := rw.w.Flush()
	if cerr := rw.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(rw.f.Name(), rw.name)
	}
	if err != nil {
		os.Remove(rw.f.Name())
	}
	return err
}

func reportLine(what string, s wxr.Skip) string {
	where := "channel"
	if s.Line > 0 {
		where = fmt.Sprintf("line %d", s.Line)
	}
	return fmt.Sprintf("%s\t%s\t%s\t%q\t%s", where, what, firstNonEmptyString(s.Type, "item"), s.Title, s.Reason)
}

func firstNonEmptyString(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
