// Package app is Broadsheet's composition root: it reads the command line
// and environment, opens the store, builds the services and the HTTP
// server, and runs the command asked for.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/broadsheet/broadsheet/internal/config"
	"github.com/broadsheet/broadsheet/internal/mailer"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/newsletter"
	"github.com/broadsheet/broadsheet/internal/ops"
	"github.com/broadsheet/broadsheet/internal/store"
)

const usage = `Broadsheet: a publishing platform for news and commentary.

Usage:
  broadsheet [--data DIR] [--db URL] COMMAND [flags]

Commands:
  serve [--addr HOST:PORT] [--demo]   run the public site
  import FILE.wxr [--uploads DIR] [--dry-run] [--report FILE]
                                      import a WordPress export
  export [--json] FILE                export the site for WordPress (WXR), or as JSON
  export --static DIR [--incremental] write the public site as files for a static host
  source add|list|remove              the source desk's outlets (source add --name N --url URL [--feed URL]…)
  poll                                poll every due source once and print what each gave
  inbox [--source ID] [--state S]     the source desk's inbox, newest first
  republish ITEM-ID|URL [--author EMAIL] [--lead N]
                                      make an attributed draft from an inbox item or an article's address
  user add|passwd|list                manage who can sign in to the admin
  token create|list|revoke            manage Admin API tokens
  migrate --from FILE --to URL        copy a whole site to another database, verified
  backup FILE                         write a consistent copy of a SQLite site, even while serving
  restore FILE                        put a backup in place of the database (the old one is kept)
  reindex                             rebuild the search index

Global flags (each also read from the environment):
  --data DIR   data folder: database, media, theme (BROADSHEET_DATA, default ./data)
  --db URL     SQLite file or postgres:// URL (BROADSHEET_DB, default DATA/broadsheet.db)

Run 'broadsheet COMMAND --help' for a command's flags.
`

// env is what a command runs with.
type env struct {
	cfg            config.Config
	stdout, stderr io.Writer
	log            *slog.Logger
	environ        []string
	// metrics are the serve process's Prometheus metrics (internal/ops),
	// made by handler; services report through them.
	metrics *ops.Metrics
	// jobs are the background jobs serve runs, each under a lease (see
	// ops.RunJobs) under serve's one owner of background work
	// (ops.Background); the scheduler and the source poller add theirs.
	jobs []ops.Job
	// metricsToken, from BROADSHEET_METRICS_TOKEN, lets scrapers on other
	// machines read /metrics (see ops.Routes).
	metricsToken string
	// renderOnce: the site built renders each page once (site.Config).
	renderOnce bool
	// news is serve's newsletter, nil without --smtp.
	news *newsletter.Service
	mail *mailer.Mailer
}

// Run runs the command line args (without the program name) with the
// environment env and returns the process exit code.
func Run(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	e := &env{cfg: config.Default(), stdout: stdout, stderr: stderr, environ: environ}
	if err := e.cfg.FromEnv(environ); err != nil {
		fmt.Fprintf(stderr, "broadsheet: %v\n", err)
		return 2
	}
	e.log = newLogger(environ, stderr)
	e.metricsToken = envLookup(environ, "BROADSHEET_METRICS_TOKEN")

	root := flag.NewFlagSet("broadsheet", flag.ContinueOnError)
	root.SetOutput(stderr)
	root.Usage = func() { fmt.Fprint(stderr, usage) }
	e.cfg.GlobalFlags(root)
	if err := root.Parse(args); err != nil {
		return exitUsage(err)
	}
	if root.NArg() == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := root.Arg(0), root.Args()[1:]
	var err error
	switch cmd {
	case "serve":
		err = e.serve(ctx, rest)
	case "import":
		err = e.importWXR(ctx, rest)
	case "export":
		err = e.export(ctx, rest)
	case "source":
		err = e.source(ctx, rest)
	case "poll":
		err = e.poll(ctx, rest)
	case "inbox":
		err = e.inbox(ctx, rest)
	case "republish":
		err = e.republish(ctx, rest)
	case "user":
		err = e.user(ctx, rest)
	case "token":
		err = e.token(ctx, rest)
	case "migrate":
		err = e.migrateDB(ctx, rest)
	case "backup":
		err = e.backup(ctx, rest)
	case "restore":
		err = e.restore(ctx, rest)
	case "reindex":
		err = e.reindex(ctx, rest)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "broadsheet: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "broadsheet %s: %v\n", cmd, err)
			return 2
		}
		fmt.Fprintf(stderr, "broadsheet %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitUsage(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}

// flags returns a command's flag set, with the global flags registered too
// so they may come after the command name.
func (e *env) flags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("broadsheet "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	e.cfg.GlobalFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: broadsheet %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, turning a flag error into a usageError.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{strings.TrimSpace(err.Error())}
	}
	return nil
}

func (e *env) openStore(ctx context.Context) (*store.DB, error) {
	// Each is a line rewritten in place as it goes, ended when done.
	indexing, sanitising := false, false
	db, err := store.OpenWith(ctx, e.cfg.DatabaseURL(), store.Options{
		IndexProgress: func(done, total int) {
			indexing = true
			fmt.Fprintf(e.stderr, "\rindexing the archive for search (once, after an upgrade): %d of %d posts", done, total)
		},
		Sanitize: markup.Sanitize,
		SanitizeProgress: func(done, total int) {
			if indexing && !sanitising {
				fmt.Fprintln(e.stderr)
			}
			sanitising = true
			fmt.Fprintf(e.stderr, "\rsanitising stored posts under the current policy (once, after an upgrade): %d of %d posts", done, total)
		},
	})
	if indexing || sanitising {
		fmt.Fprintln(e.stderr)
	}
	return db, err
}
