package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/admin"
	"github.com/broadsheet/broadsheet/internal/admin/api"
	"github.com/broadsheet/broadsheet/internal/auth"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/demo"
	"github.com/broadsheet/broadsheet/internal/fetch"
	"github.com/broadsheet/broadsheet/internal/importer/wxr"
	"github.com/broadsheet/broadsheet/internal/mailer"
	"github.com/broadsheet/broadsheet/internal/newsletter"
	"github.com/broadsheet/broadsheet/internal/ops"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
	"github.com/broadsheet/broadsheet/internal/web/cache"
)

func (e *env) serve(ctx context.Context, args []string) error {
	fs := e.flags("serve", "[--addr HOST:PORT] [--base-url URL] [--demo]")
	e.cfg.ServeFlags(fs)
	pollEvery := pollFlag(fs)
	demoMode := fs.Bool("demo", false, "serve a fresh demo site with sample content (in a temporary data folder unless --data or --db is given)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	// One owner of the background work: stopping awaits every job and then
	// undoes what was set up, newest first, so the database closes after
	// everything that uses it and the log is written out last.
	bg := ops.NewBackground(context.WithoutCancel(ctx), e.log)
	defer bg.Stop()
	// A line for every request: buffered, and written out on the way out.
	e.bufferLog(bg)
	if *demoMode && e.cfg.DataDir == "data" && e.cfg.DB == "" {
		dir, err := os.MkdirTemp("", "broadsheet-demo-")
		if err != nil {
			return err
		}
		bg.AtStop(func() { os.RemoveAll(dir) })
		e.cfg.DataDir = dir
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	bg.AtStop(func() { db.Close() })
	if *demoMode {
		rep, err := wxr.Import(ctx, db, bytes.NewReader(demo.WXR), wxr.Options{})
		if err != nil {
			return fmt.Errorf("load the demo content: %w", err)
		}
		fmt.Fprintf(e.stdout, "Demo site: %d articles and pages loaded into %s\n", rep.Created+rep.Updated+rep.Unchanged, e.cfg.DataDir)
		if err := e.demoAccount(ctx, db); err != nil {
			return err
		}
		if outlets, items, err := demo.SeedDesk(ctx, db); err != nil {
			return fmt.Errorf("load the demo's source desk: %w", err)
		} else if outlets > 0 {
			fmt.Fprintf(e.stdout, "Demo source desk: %d sources and %d inbox items (samples, not polled)\n", outlets, items)
		}
	}
	if e.cfg.PageCache < 0 {
		return usageError{"--page-cache must be 0 (off) or a number of megabytes"}
	}
	if e.cfg.FragmentCache < 0 {
		return usageError{"--fragment-cache must be 0 (off) or a number of megabytes"}
	}
	handler, err := e.handler(db)
	if err != nil {
		return err
	}
	// Announce publications to the WebSub hub named in the settings,
	// through the outbound guard as the source desk's fetches go. Pings
	// of what was published before stopping are sent before the database
	// closes.
	websub := site.NewWebSub(db, e.cfg.BaseURL, fetch.New(fetch.Options{AllowPrivate: e.cfg.FetchAllowPrivate,
		Timeout: 15 * time.Second, UserAgent: "Broadsheet (WebSub publisher)"}), e.log)
	bg.Go("websub", websub.Run)
	bg.AtStop(websub.Close)
	if n, err := db.CountLoginUsers(ctx); err == nil && n == 0 {
		fmt.Fprintf(e.stdout, "No one can sign in to the admin yet. Create an account with:\n"+
			"  broadsheet user add --email you@example.org --name \"Your Name\" --role admin\n")
	}
	// Hear the changes other processes commit to the same database, so
	// caches here follow them (see store.DB.Relay); and run the background
	// jobs (the scheduler, the source desk's poller), each under a lease so
	// one process at a time does it.
	e.jobs = append(e.jobs, e.schedulerJob(db))
	if e.news != nil {
		e.jobs = append(e.jobs, e.newsletterJob(e.news))
	}
	if *pollEvery > 0 {
		e.jobs = append(e.jobs, e.pollJob(db, *pollEvery))
	}
	bg.Go("relay", func(ctx context.Context) { db.Relay(ctx, e.log) })
	bg.Go("jobs", func(ctx context.Context) {
		ops.RunJobs(ctx, db, store.HolderID(), e.metrics, e.log, e.jobs...)
	})
	ln, err := net.Listen("tcp", e.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", e.cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	fmt.Fprintf(e.stdout, "Broadsheet is serving on http://%s/ (%s database)\n", ln.Addr(), db.Engine())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	e.log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// handler builds the whole HTTP application over db.
func (e *env) handler(db *store.DB) (http.Handler, error) {
	s, err := e.site(db)
	if err != nil {
		return nil, err
	}
	if e.metrics == nil {
		e.metrics = ops.NewMetrics()
		e.metrics.WatchDB(db)
	}
	mux := http.NewServeMux()
	ops.Routes(mux, db, e.metrics, e.metricsToken)
	s.Routes(mux)
	e.mountDesk(mux)
	adm, err := e.admin(db)
	if err != nil {
		return nil, err
	}
	adm.Routes(mux)
	// Anonymous readers' pages come from the page cache; it passes the
	// admin, the API, media, static files and the operations endpoints by.
	var h http.Handler = mux
	if e.cfg.PageCache > 0 {
		h = cache.New(context.Background(), cache.Options{DB: db, MaxBytes: int64(e.cfg.PageCache) << 20, Listings: site.ListingTags, Log: e.log}).Handler(mux)
	}
	return e.middleware(h), nil
}

// admin builds the admin and the Admin API over db, with their areas: the
// source desk's pages and endpoints, and search's endpoint.
func (e *env) admin(db *store.DB) (*admin.Admin, error) {
	deskPages, deskAPI, err := e.deskArea(db)
	if err != nil {
		return nil, err
	}
	uploads, err := e.mediaStorage()
	if err != nil {
		return nil, err
	}
	mail, err := e.mailer()
	if err != nil {
		return nil, err
	}
	news, err := e.newsletter(db)
	if err != nil {
		return nil, err
	}
	return admin.New(admin.Config{DB: db, BaseURL: e.cfg.BaseURL, Log: e.log, DataDir: e.cfg.DataDir,
		Media: uploads, Mail: mail, Newsletter: news, Areas: []func(*admin.Admin, *http.ServeMux){deskPages},
		APIAreas: []api.Area{deskAPI, searchAPI(db)}})
}

// mailer is the mail server serve sends through, made once (one rate
// limit for all mail); nil without --smtp.
func (e *env) mailer() (*mailer.Mailer, error) {
	if e.mail != nil || e.cfg.SMTP == nil {
		return e.mail, nil
	}
	var err error
	e.mail, err = mailer.New(*e.cfg.SMTP)
	return e.mail, err
}

// middleware wraps serve's handler h in what every request goes through.
// Recover sits inside Logging: a panic passing Logging by would leave its
// request out of the log; recovered within, it is logged with its 500.
func (e *env) middleware(h http.Handler) http.Handler {
	trust := web.Trust{Proxies: e.cfg.TrustedProxies, BaseHTTPS: strings.HasPrefix(e.cfg.BaseURL, "https://")}
	return web.Chain(h, web.Clients(trust), e.metrics.Middleware, web.Logging(e.log), web.Recover(e.log), web.SecurityHeaders, web.DoubleSlashes)
}

// site builds the public site over db with the data folder's theme.
func (e *env) site(db *store.DB) (*site.Site, error) {
	// A static export has no /subscribe to post to: no forms there.
	var news *newsletter.Service
	if !e.renderOnce {
		var err error
		if news, err = e.newsletter(db); err != nil {
			return nil, err
		}
	}
	// The fragment cache follows this process's changes and, through
	// Relay (which serve runs), other processes'.
	return site.New(site.Config{DB: db, Theme: e.theme(), BaseURL: e.cfg.BaseURL, Log: e.log,
		FragmentCache: int64(e.cfg.FragmentCache) << 20, RenderOnce: e.renderOnce, Newsletter: news})
}

// demoEmail signs in to a demo site's admin.
const demoEmail = "demo@broadsheet.example"

// demoAccount gives a demo site an administrator with a fresh random
// password, printed once, so a newcomer can try the admin at once.
func (e *env) demoAccount(ctx context.Context, db *store.DB) error {
	pw := auth.NewSecret("")[:20]
	hash, err := auth.DefaultHasher.Hash(ctx, pw)
	if err != nil {
		return err
	}
	err = db.Update(ctx, func(tx *store.Tx) error {
		u := &content.User{Name: "Demo Editor", Email: demoEmail, Role: content.RoleAdmin}
		if err := tx.CreateAccount(ctx, u, "demo-editor", hash); content.ErrorCode(err) == content.EConflict {
			// A demo folder used again: give the account a new password.
			existing, _, ferr := tx.FindUserByEmail(ctx, demoEmail)
			if ferr != nil {
				return ferr
			}
			_, err := tx.SetPassword(ctx, existing.ID, hash, false)
			return err
		} else if err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create the demo account: %w", err)
	}
	fmt.Fprintf(e.stdout, "Demo admin: sign in at /admin/login as %s with the password %s\n", demoEmail, pw)
	return nil
}
