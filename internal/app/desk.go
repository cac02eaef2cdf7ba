package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/broadsheet/broadsheet/internal/admin"
	"github.com/broadsheet/broadsheet/internal/admin/api"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/fetch"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/ops"
	"github.com/broadsheet/broadsheet/internal/sourcedesk"
	"github.com/broadsheet/broadsheet/internal/sourcedesk/deskhttp"
	"github.com/broadsheet/broadsheet/internal/store"
)

// The source desk's commands (poll, source, inbox, republish) and its part
// of serve: the poller loop and the lead images' folder.

// deskURLPrefix is where the desk's lead images are served.
const deskURLPrefix = "/media/"

// deskImages keeps lead images in the data folder's media directory.
func (e *env) deskImages() sourcedesk.DiskImages {
	return sourcedesk.DiskImages{Dir: filepath.Join(e.cfg.DataDir, "media"), URLPrefix: deskURLPrefix}
}

// desk returns the source desk over db. Images an editor republishes go
// into the media library; the few it cannot take (GIF, WebP) are kept
// beside it by deskImages.
func (e *env) desk(db *store.DB) *sourcedesk.Desk {
	var images sourcedesk.ImageSaver = e.deskImages()
	if st, err := e.mediaStorage(); err == nil {
		images = libraryImages{lib: &editorial.Library{DB: db, Storage: st}, fallback: e.deskImages()}
	} else {
		e.log.Warn("source desk: media library unavailable, keeping images in the data folder", "err", err)
	}
	return &sourcedesk.Desk{
		DB:     db,
		Fetch:  fetch.New(fetch.Options{AllowPrivate: e.cfg.FetchAllowPrivate}),
		Images: images,
		Log:    e.log,
	}
}

// libraryImages puts republished images into the media library on behalf
// of the editor republishing, so they are listed, reused and featured
// like uploads (EXIF stripped, srcset variants made).
type libraryImages struct {
	lib      *editorial.Library
	fallback sourcedesk.ImageSaver
}

// SaveImage uploads images brought in by an editor to the library and
// hands anything else to the fallback.
func (l libraryImages) SaveImage(ctx context.Context, img sourcedesk.Image) (sourcedesk.Saved, error) {
	if img.By == nil || !strings.HasPrefix(img.ContentType, "image/") {
		return l.fallback.SaveImage(ctx, img)
	}
	m, err := l.lib.Upload(ctx, img.By, img.Name, img.Data, img.Alt)
	if code := content.ErrorCode(err); code == content.EInvalid || code == content.EForbidden {
		// The library refuses it (too large, odd encoding, role): keep the
		// image all the same, outside the library.
		return l.fallback.SaveImage(ctx, img)
	}
	if err != nil {
		return sourcedesk.Saved{}, err
	}
	return sourcedesk.Saved{URL: m.URL(), MediaID: m.ID}, nil
}

// mediaStorage is where the media library keeps files: --media when
// given (a folder or an S3 bucket), else DATA/media.
func (e *env) mediaStorage() (media.Storage, error) {
	if e.cfg.Media != "" {
		return media.OpenStorage(e.cfg.Media, e.environ)
	}
	return media.Dir{Root: e.cfg.MediaDir()}, nil
}

// deskArea returns what mounts the desk's admin pages (/admin/sources,
// /admin/inbox) behind the admin's sign-in, editors and administrators
// only, cross-origin writes refused; and its JSON API (/api/v1/sources,
// /api/v1/inbox), an area of the Admin API, which signs the caller in and
// renders errors as for every other endpoint.
func (e *env) deskArea(db *store.DB) (func(a *admin.Admin, mux *http.ServeMux), api.Area, error) {
	var adm *admin.Admin // set when the admin mounts the area
	cop := http.NewCrossOriginProtection()
	authorise := func(r *http.Request) (*content.User, error) {
		if err := cop.Check(r); err != nil {
			return nil, content.Errorf(content.EForbidden, "Refused a request from another site.")
		}
		u, _, err := adm.Auth().Identify(r)
		if err != nil && content.ErrorCode(err) != content.EUnauthorized {
			return nil, err
		}
		if u == nil {
			return nil, content.Errorf(content.EUnauthorized, "Sign in to use the source desk.")
		}
		if !u.CanManageSources() {
			return nil, content.Errorf(content.EForbidden, "The source desk is for editors and administrators; your role is %s.", u.Role)
		}
		return u, nil
	}
	// The desk's pages are shown in the admin's layout, under its bar.
	frame := func(w http.ResponseWriter, r *http.Request, status int, f deskhttp.Frame) error {
		return adm.RenderArea(w, status, admin.AreaPage{Layout: admin.Layout{Title: f.Title, User: f.User, Section: f.Section}, Body: f.Body})
	}
	cfg := deskhttp.Config{Desk: e.desk(db), Authorise: authorise, SignIn: "/admin/login", Frame: frame, Log: e.log}
	pages, err := deskhttp.NewPages(cfg, "/admin")
	if err != nil {
		return nil, nil, err
	}
	return func(a *admin.Admin, mux *http.ServeMux) {
		adm = a
		pages.Mount(mux)
	}, deskhttp.New(cfg).Routes, nil
}

// mountDesk serves the desk's lead images on mux. The desk's JSON API
// (deskhttp) is an area of the Admin API, behind its sign-in.
func (e *env) mountDesk(mux *http.ServeMux) {
	mux.Handle("GET "+deskURLPrefix+"sourcedesk/", e.deskImages().Handler())
}

// pollFlag registers serve's --poll-every flag.
func pollFlag(fs *flag.FlagSet) *time.Duration {
	return fs.Duration("poll-every", time.Minute, "how often serve looks for sources due to be polled (0 turns polling off)")
}

// pollJob polls the sources that are due, every tick, as a background job
// awaited with the others when serve stops. Under its lease one process
// polls at a time; each source is also claimed (sourcedesk.Desk.PollDue),
// so a holder that stalls past its lease never polls a source twice.
func (e *env) pollJob(db *store.DB, every time.Duration) ops.Job {
	return ops.Job{Name: "sourcedesk-poll", Every: every, Run: e.desk(db).PollAndLog}
}

func (e *env) poll(ctx context.Context, args []string) error {
	fs := e.flags("poll", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	results, err := e.desk(db).PollDue(ctx)
	var added, failed, skipped int
	for _, r := range results {
		switch {
		case r.Skipped:
			skipped++
			fmt.Fprintf(e.stdout, "%-30s skipped: another process is polling it\n", r.Outlet.Name)
		case r.Err != nil:
			failed++
			fmt.Fprintf(e.stdout, "%-30s FAILED (%d in a row; next try %s): %v\n", r.Outlet.Name, r.Outlet.Failures,
				r.NextPollAt.Format("2006-01-02 15:04 MST"), r.Err)
		default:
			added += r.Added
			fmt.Fprintf(e.stdout, "%-30s %d new, %d already in the inbox, %d of %d feeds unchanged\n",
				r.Outlet.Name, r.Added, r.Duplicates, r.NotModified, r.Feeds)
			for _, w := range r.Warnings {
				fmt.Fprintf(e.stdout, "%-30s warning: %s\n", "", w)
			}
			if r.Pending > 0 {
				fmt.Fprintf(e.stdout, "%-30s %d more items come in with the next poll (a poll brings in at most %d new items a feed)\n",
					"", r.Pending, sourcedesk.DefaultMaxItems)
			}
		}
	}
	fmt.Fprintf(e.stdout, "Polled %d due sources: %d new items, %d failed, %d left to another process.\n",
		len(results)-skipped, added, failed, skipped)
	return err
}

// stringsFlag collects a repeated flag.
type stringsFlag []string

func (s *stringsFlag) String() string     { return strings.Join(*s, ", ") }
func (s *stringsFlag) Set(v string) error { *s = append(*s, v); return nil }

func (e *env) source(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{"say what to do: source add, source list or source remove"}
	}
	switch args[0] {
	case "add":
		return e.sourceAdd(ctx, args[1:])
	case "list":
		return e.sourceList(ctx, args[1:])
	case "remove":
		return e.sourceRemove(ctx, args[1:])
	}
	return usageError{fmt.Sprintf("unknown source command %q; use add, list or remove", args[0])}
}

func (e *env) sourceAdd(ctx context.Context, args []string) error {
	fs := e.flags("source add", "[--name NAME] --url HOMEPAGE [--feed URL]…")
	name := fs.String("name", "", "the outlet's `name`, as the attribution line gives it (default: the name its homepage gives)")
	home := fs.String("url", "", "the outlet's homepage `URL`; its feeds are discovered there when no --feed is given")
	var feeds stringsFlag
	fs.Var(&feeds, "feed", "a feed `URL` (RSS, Atom or JSON Feed); repeat for several")
	attribution := fs.String("attribution", content.DefaultAttribution, "the attribution `line`; {outlet} stands for the name")
	notes := fs.String("notes", "", "notes on the permission or licence to republish")
	canonical := fs.String("canonical", content.CanonicalOriginal, "canonical address of republished articles: original or ours")
	interval := fs.Duration("interval", content.DefaultPollInterval, "time between polls")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	o := &content.Outlet{Name: *name, Homepage: *home, Attribution: *attribution, Notes: *notes,
		Canonical: *canonical, Interval: *interval}
	for _, f := range feeds {
		o.Feeds = append(o.Feeds, content.Feed{URL: f})
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := e.desk(db).AddOutlet(ctx, o); err != nil {
		var ce *content.Error
		if errors.As(err, &ce) && ce.Field != "" {
			flagName := map[string]string{"homepage": "--url", "feeds": "--feed", "name": "--name"}[ce.Field]
			if flagName == "" {
				flagName = "--" + ce.Field
			}
			return fmt.Errorf("%s: %s (nothing was added)", flagName, ce.Message)
		}
		return fmt.Errorf("%w (nothing was added)", err)
	}
	fmt.Fprintf(e.stdout, "Added source %d, %s, polled every %s, with %d feeds:\n", o.ID, o.Name, o.Interval, len(o.Feeds))
	for _, f := range o.Feeds {
		fmt.Fprintf(e.stdout, "  %s\n", f.URL)
	}
	fmt.Fprintf(e.stdout, "Attribution: %s\n", o.AttributionLine())
	return nil
}

func (e *env) sourceList(ctx context.Context, args []string) error {
	fs := e.flags("source list", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	all, err := db.FindOutlets(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tFEEDS\tEVERY\tLAST SUCCESS\tNEXT POLL\tSTATUS")
	for _, o := range all {
		status := "ok"
		if o.LastError != "" {
			status = fmt.Sprintf("failing (%d): %s", o.Failures, o.LastError)
		} else if o.LastPolledAt.IsZero() {
			status = "not polled yet"
		} else if o.LastWarning != "" {
			status = "read in part: " + o.LastWarning
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\n", o.ID, o.Name, len(o.Feeds), o.Interval,
			when(o.LastSuccessAt), when(o.NextPollAt), status)
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "%d sources.\n", len(all))
	return nil
}

func (e *env) sourceRemove(ctx context.Context, args []string) error {
	fs := e.flags("source remove", "ID")
	if err := parse(fs, args); err != nil {
		return err
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if fs.NArg() != 1 || err != nil {
		return usageError{"give the id of the source to remove (see source list)"}
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.DeleteOutlet(ctx, id) }); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Removed source %d and its inbox items (republished items stay, as their posts' provenance).\n", id)
	return nil
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("2006-01-02 15:04")
}

func (e *env) inbox(ctx context.Context, args []string) error {
	fs := e.flags("inbox", "[--source ID] [--state STATE] [--search WORDS] [--limit N]")
	source := fs.Int64("source", 0, "only this source's items")
	state := fs.String("state", "", "only items in this `state`: new, skipped, starred or republished")
	search := fs.String("search", "", "only items whose title contains these `words`")
	limit := fs.Int("limit", 30, "show at most `N` items")
	if err := parse(fs, args); err != nil {
		return err
	}
	f := store.ItemFilter{OutletID: *source, Query: *search, Limit: *limit}
	if *state != "" {
		if !content.ItemState(*state).Valid() {
			return usageError{fmt.Sprintf("--state: unknown state %q; use new, skipped, starred or republished", *state)}
		}
		f.States = []content.ItemState{content.ItemState(*state)}
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	items, total, err := db.FindItems(ctx, f)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tWHEN\tSOURCE\tSTATE\tTITLE")
	for _, it := range items {
		st := string(it.State)
		if it.PostID != 0 {
			st += fmt.Sprintf(" (post %d)", it.PostID)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", it.ID, when(it.PublishedAt), it.OutletName, st, it.Title)
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "%d of %d items shown, newest first.\n", len(items), total)
	return nil
}

func (e *env) republish(ctx context.Context, args []string) error {
	fs := e.flags("republish", "ITEM-ID|URL --author EMAIL [--lead N]")
	lead := fs.Int("lead", sourcedesk.DefaultLeadParagraphs, "paragraphs of the article before the break")
	authorEmail := fs.String("author", "", "`email` of the editor the draft is by (default: the site's only editor or administrator)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"give the id of one inbox item (see inbox) or the address of one article"}
	}
	arg := fs.Arg(0)
	id, idErr := strconv.ParseInt(arg, 10, 64)
	if idErr != nil && !strings.Contains(arg, "://") {
		return usageError{fmt.Sprintf("%q is neither an inbox item's id (see inbox) nor an article's address (https://…)", arg)}
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	author, err := republishAuthor(ctx, db, *authorEmail)
	if err != nil {
		return err
	}
	opt := sourcedesk.RepublishOptions{LeadParagraphs: *lead, Authors: []content.User{*author}}
	var res *sourcedesk.Republished
	if idErr == nil {
		res, err = e.desk(db).Republish(ctx, id, opt)
	} else {
		res, err = e.desk(db).RepublishURL(ctx, arg, opt)
	}
	if res != nil && res.Existing {
		return fmt.Errorf("%v (post %d, slug %s)", err, res.Post.ID, res.Post.Slug)
	}
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", w)
	}
	fmt.Fprintf(e.stdout, "Draft post %d, %q (slug %s), by %s, made from item %d of %s; write its introduction, then publish it.\n",
		res.Post.ID, res.Post.Title, res.Post.Slug, author.Name, res.Item.ID, res.Post.Source.Name)
	return nil
}

// republishAuthor is the account a republished draft is by: the one email
// names, else the site's only editor or administrator.
func republishAuthor(ctx context.Context, db *store.DB, email string) (*content.User, error) {
	if email != "" {
		u, _, err := db.FindUserByEmail(ctx, email)
		if content.IsNotFound(err) {
			return nil, usageError{fmt.Sprintf("--author: no account has the email %s (see user list)", email)}
		}
		return u, err
	}
	users, err := db.FindUsers(ctx)
	if err != nil {
		return nil, err
	}
	var editors []*content.User
	var emails []string
	for _, u := range users {
		if u.Role.AtLeast(content.RoleEditor) {
			editors = append(editors, u)
			emails = append(emails, u.Email)
		}
	}
	switch len(editors) {
	case 1:
		return editors[0], nil
	case 0:
		return nil, usageError{"a republished draft needs an author, and no editor or administrator exists yet: add one with user add, then give --author EMAIL"}
	}
	return nil, usageError{"give --author EMAIL: the draft needs an author (editors and administrators here: " + strings.Join(emails, ", ") + ")"}
}
