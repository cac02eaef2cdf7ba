// Package wxr imports WordPress eXtended RSS exports, read as a stream
// through package wordpress, into the store in one transaction, so that a
// file that fails half-way changes nothing: it turns items into posts,
// pages, media and redirects from the old addresses, and reports what it
// left out or changed.
package wxr

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"html"
	"image"
	_ "image/gif" // image sizes of imported GIFs
	_ "image/jpeg"
	_ "image/png"
	"io"
	"io/fs"
	"mime"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/wordpress"
)

// quietMeta are WordPress's bookkeeping keys: nothing a reader sees, so not
// worth a report line.
var quietMeta = map[string]bool{
	"_edit_lock": true, "_edit_last": true, "_pingme": true, "_encloseme": true, "_wp_old_date": true,
	"_wp_trash_meta_status": true, "_wp_trash_meta_time": true, "_wp_desired_post_slug": true,
	"_wp_attachment_metadata": true, "_wp_attachment_backup_sizes": true, wordpress.MetaAttachedFile: true,
	wordpress.MetaAttachmentAlt: true, wordpress.MetaThumbnailID: true, wordpress.MetaOldSlug: true,
	"_yoast_wpseo_content_score": true, "_yoast_wpseo_estimated-reading-time-minutes": true,
	"_yoast_wpseo_linkdex": true, "rank_math_seo_score": true, "rank_math_internal_links_processed": true,
	wordpress.MetaSourceName: true, wordpress.MetaSourceURL: true, wordpress.MetaSourceAuthor: true, wordpress.MetaSourcePublished: true,
	wordpress.MetaSourceTitle: true, wordpress.MetaSourceFeed: true, wordpress.MetaSourceFeedTitle: true,
	wordpress.MetaMarkdown: true, wordpress.MetaAlias: true, wordpress.MetaCoauthor: true, wordpress.MetaCanonicalSource: true,
	wordpress.MetaYoastTitle: true, wordpress.MetaYoastDesc: true, wordpress.MetaRankMathTitle: true, wordpress.MetaRankMathDesc: true,
}

// maxAttached bounds the attachments whose entry the import remembers,
// for galleries, so that memory stays small on any export.
const maxAttached = 1 << 20

// DefaultMaxBodyBytes bounds one entry's body; a larger one is reported
// and skipped rather than stored.
const DefaultMaxBodyBytes = 8 << 20

// Skip is one item the import passed over or changed, and why.
type Skip struct {
	Line   int
	Type   string // post, page, attachment, …
	Title  string
	Reason string
}

// Counts sums up what happened to one kind of entry.
type Counts struct {
	Created, Updated, Unchanged, Skipped int
}

// Report sums up an import.
type Report struct {
	Read      int // items read
	Created   int // posts and pages created
	Updated   int // posts and pages changed by a re-import
	Unchanged int // posts and pages already imported, identical

	Posts, Pages, Attachments Counts
	Events, Books             Counts
	Authors, Categories, Tags int // as found in the export, new or not

	Aliases int // old URLs kept as redirects
	// Comments counts the entries' comments, pingbacks and trackbacks.
	Comments Counts
	// Meta counts, by key, the post meta that was not imported.
	Meta map[string]int
	// Skipped lists the items not imported, Changed the items imported
	// with a change worth knowing (a shortcode, a link, a slug); when
	// Options.Log is set they go there instead, and only their numbers
	// are kept here.
	Skipped      []Skip
	Changed      []Skip
	SkippedItems int
	ChangedItems int
	DryRun       bool
}

// Options tune an import.
type Options struct {
	// Progress, when set, is called after every item with the report so far.
	Progress func(r *Report)
	// Uploads is a copy of the old site's wp-content/uploads folder, from
	// which attachments' files are taken; without it attachments are reported.
	Uploads string
	// Media is the library's storage the files go to; required with Uploads.
	Media media.Storage
	// DryRun runs the whole import and then rolls it back: the report says
	// what would happen, and neither database nor media folder changes.
	DryRun bool
	// MaxBodyBytes bounds a body; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int
	// Log, when set, receives each skipped (skipped true) or changed item
	// as the import meets it, instead of the report keeping a list: a long
	// export's notes go to a file, not to memory.
	Log func(skipped bool, s Skip)
}

var errDryRun = errors.New("dry run")

// Import reads a WordPress export from r and writes its authors, terms,
// attachments, posts, pages and old addresses in one transaction: on any
// error nothing is written. Entries are matched by their guid, so importing
// the same file again creates nothing new. A file that is not a readable
// export gives a *wordpress.ParseError naming the line.
func Import(ctx context.Context, db *store.DB, r io.Reader, opt Options) (*Report, error) {
	rep := &Report{Meta: map[string]int{}, DryRun: opt.DryRun}
	if opt.MaxBodyBytes <= 0 {
		opt.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opt.Uploads != "" && opt.Media == nil {
		return nil, errors.New("wxr: an uploads folder needs a media library to copy into")
	}
	var uploads *os.Root
	if opt.Uploads != "" {
		var err error
		if uploads, err = os.OpenRoot(opt.Uploads); err != nil {
			return nil, fmt.Errorf("wxr: uploads folder: %w", err)
		}
		defer uploads.Close()
	}
	var newFiles map[string]bool // given to the library by this run, removed if it fails
	err := db.Update(ctx, func(tx *store.Tx) error {
		imp := &importer{tx: tx, rep: rep, opt: opt, users: map[string]*content.User{}, terms: map[string]*content.Term{},
			seenIDs: map[int64]int{}, seenKeys: map[uint64]int{}, sharedGUID: map[int64]bool{}, termIDs: map[int64]*content.Term{}, attached: map[int64][]string{}, wpPosts: map[int64]int64{}, wpMedia: map[int64]int64{},
			created: map[int64]bool{}, createdKeys: map[uint64]bool{}, wroteMediaKeys: map[uint64]bool{},
			copies: newCopier(copiers), newFiles: map[string]bool{},
			uploads: uploads}
		defer func() { newFiles = imp.newFiles }()
		// Every copy is over before the transaction ends, and before the
		// files of a failed import are removed.
		defer imp.copies.wait()
		if err := tx.Bulk(ctx); err != nil {
			return err
		}
		before, err := tx.CountPosts(ctx, content.KindPost)
		if err != nil {
			return err
		}
		// Empty: no entry of any kind, events and books included.
		lastEntry, lastMedia, err := tx.MaxIDs(ctx)
		if err != nil {
			return err
		}
		imp.empty, imp.emptyLibrary = lastEntry == 0, lastMedia == 0
		if imp.empty {
			// Nothing to show meanwhile: the tables are filled as a
			// restore fills them, their indexes built once at the end.
			if err := tx.BulkFill(ctx); err != nil {
				return err
			}
		}

		p := wordpress.NewParser(r)
		items, stop := readAhead(p)
		defer stop()
		headerDone := false
		var window []parsed
		for {
			if len(window) == 0 {
				window = nextWindow(items)
				if first := window[0]; first.err == nil && !headerDone {
					if err := imp.header(ctx, first.channel, before == 0); err != nil {
						return err
					}
					headerDone = true
				}
				if headerDone {
					if err := imp.askWindow(ctx, window); err != nil {
						return err
					}
				}
			}
			next := window[0]
			window = window[1:]
			if next.err == io.EOF {
				break
			}
			if next.err != nil {
				return next.err
			}
			it := next.it
			rep.Read++
			if err := imp.item(ctx, it); err != nil {
				return fmt.Errorf("line %d: item %q: %w", it.Line, it.Title, err)
			}
			if opt.Progress != nil {
				opt.Progress(rep)
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		// The whole file is read: the channel may be read here.
		stop()
		if !headerDone {
			if err := imp.header(ctx, p.Channel(), before == 0); err != nil {
				return err
			}
		} else {
			imp.links.closeWindow()
			// What the channel says after the items (its time zone, read
			// by the menus' settling) counts too.
			*imp.channel = *p.Channel()
		}
		if err := imp.copies.wait(); err != nil {
			return err
		}
		if err := imp.finish(ctx); err != nil {
			return err
		}
		if err := imp.enableComments(ctx); err != nil {
			return err
		}
		if err := imp.settle(ctx); err != nil {
			return err
		}
		if opt.DryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	if err != nil || opt.DryRun {
		for f := range newFiles {
			opt.Media.Delete(ctx, f)
		}
	}
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// aheadItems is how many items are parsed ahead of the one being imported.
const aheadItems = 32

// parsed is one item read ahead, or the error that ended the reading
// (io.EOF after the last item).
type parsed struct {
	it *wordpress.Item
	// channel is a copy of the channel as read up to the first item,
	// given with it.
	channel *wordpress.Channel
	err     error
}

// readAhead parses p's items on a goroutine of its own, up to aheadItems
// ahead of the importer, so that parsing the file goes on while the
// importer waits for the database. stop ends the goroutine (at once, or
// after the item it is reading) and waits for it; p may be read again only
// then.
func readAhead(p *wordpress.Parser) (items <-chan parsed, stop func()) {
	out := make(chan parsed, aheadItems)
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		first := true
		for {
			it, err := p.Next()
			next := parsed{it: it, err: err}
			if first && err == nil {
				c := *p.Channel()
				next.channel, first = &c, false
			}
			select {
			case out <- next:
			case <-done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	var once sync.Once
	return out, func() {
		once.Do(func() { close(done) })
		<-finished
	}
}

// linkWindow is how many items' links are asked for in one query: the
// items parsed ahead.
const linkWindow = aheadItems

// nextWindow takes the next linkWindow items from items, fewer at the
// end of the file or at an error.
func nextWindow(items <-chan parsed) []parsed {
	window := make([]parsed, 0, linkWindow)
	for len(window) < linkWindow {
		next := <-items
		window = append(window, next)
		if next.err != nil {
			break
		}
	}
	return window
}

// askWindow asks the store at once what the links in the bodies of the
// window's entries may lead to.
func (imp *importer) askWindow(ctx context.Context, window []parsed) error {
	var bodies []string
	for _, next := range window {
		if next.err == nil && isEntry(next.it.PostType) && next.it.Content != "" {
			bodies = append(bodies, next.it.Content)
		}
	}
	if len(bodies) == 0 {
		imp.links.closeWindow()
		return nil
	}
	return imp.links.ask(ctx, bodies)
}

// isEntry reports whether items of the post type are imported as entries
// (see item).
func isEntry(postType string) bool {
	switch postType {
	case "post", "page", wordpress.PostTypeEvent, wordpress.PostTypeBook:
		return true
	}
	return false
}

type importer struct {
	tx       *store.Tx
	rep      *Report
	opt      Options
	channel  *wordpress.Channel
	base     *url.URL
	links    *linker
	ownSite  bool                     // the export is Broadsheet's own
	users    map[string]*content.User // by login
	terms    map[string]*content.Term // by taxonomy + "/" + slug
	seenIDs  map[int64]int            // WordPress post id → line, this run
	seenKeys map[uint64]int           // guid's hash → line, this run
	// sharedGUID names the WordPress ids of entries whose guid an earlier
	// item of the file has: their import key adds the id.
	sharedGUID map[int64]bool
	wpPosts    map[int64]int64 // WordPress post id → entry id
	wpMedia    map[int64]int64 // WordPress attachment id → media id
	created    map[int64]bool  // entries created by this run
	// empty tells that the site had no entries when the import began:
	// an entry can then match none but those this run wrote, whose
	// import keys' hashes are in createdKeys.
	empty       bool
	createdKeys map[uint64]bool
	// emptyLibrary tells that the media library was empty when the
	// import began: an attachment can then match none but the items
	// this run wrote, whose import keys' and files' hashes are in
	// wroteMediaKeys.
	emptyLibrary   bool
	wroteMediaKeys map[uint64]bool
	fixups         []fixup
	// newFiles are the files this run gives the library, copied by
	// copies while the import goes on.
	newFiles map[string]bool
	copies   *copier
	zone     zoneGuess               // the old site's time zone, from its entries' dates
	menus    menus                   // the old site's navigation menus, settled at the end
	termIDs  map[int64]*content.Term // WordPress term id → term
	// attached lists, by WordPress entry id, the ids of the attachments
	// whose parent it is, which a [gallery] naming no images shows.
	attached      map[int64][]string
	attachedCount int
	deferred      []*wordpress.Item // entries written once every attachment is read
	late          bool              // the whole file has been read
	uploads       *os.Root          // Options.Uploads, opened; files are read only inside it
	// fresh: the site had no posts before; openComments: a published
	// entry of the export was open to comments (see enableComments).
	fresh, openComments bool
	venues              map[int64]content.Location // The Events Calendar's venues, by WordPress id
}

// fixup is an entry that named something not imported yet when it was
// read (a later page, an attachment, a linked post): it is completed once
// the whole file has been read.
type fixup struct {
	id             int64
	line           int
	page           bool
	parent, thumb  int64 // WordPress ids
	unresolvedBody bool
	modified       time.Time // when the entry last changed on the old site; zero if unknown
}

// header stores the channel's authors and terms, and the site's title and
// description when the site is new.
func (imp *importer) header(ctx context.Context, c *wordpress.Channel, fresh bool) error {
	imp.channel = c
	imp.base, _ = url.Parse(firstNonEmpty(c.BaseBlogURL, c.BaseSiteURL, c.Link))
	imp.links = newLinker(imp.tx, imp.base)
	imp.ownSite = c.Generator == wordpress.Generator
	imp.fresh = fresh
	if fresh && c.Title != "" {
		s, err := imp.tx.LoadSettings(ctx)
		if err != nil {
			return err
		}
		s.Title, s.Description = html.UnescapeString(c.Title), html.UnescapeString(c.Description)
		if c.Language != "" {
			s.Language = c.Language
		}
		if err := imp.tx.SaveSettings(ctx, s); err != nil {
			return err
		}
	}
	for _, a := range c.Authors {
		u, err := imp.user(ctx, a.Login, a)
		if err != nil {
			return err
		}
		imp.rep.Authors++
		if !imp.ownSite {
			if old := wordpress.AuthorPath(a.Login); old != escapePath(u.Path()) {
				if err := imp.redirect(ctx, old, escapePath(u.Path())); err != nil {
					return err
				}
			}
			if a.ID != 0 {
				if err := imp.redirect(ctx, wordpress.QueryPath(wordpress.QueryAuthor, itoa(a.ID)), escapePath(u.Path())); err != nil {
					return err
				}
			}
		}
	}
	// Parents are named by slug and may come after their children.
	for _, list := range [][]wordpress.Term{c.Categories, c.Tags} {
		for _, t := range list {
			ct, err := imp.term(ctx, t)
			if err != nil {
				return err
			}
			if ct == nil {
				if t.Domain == "nav_menu" {
					continue // its items say what it holds
				}
				imp.note(true, Skip{Type: t.Domain, Title: t.Name, Reason: "terms of the custom taxonomy " + strconv.Quote(t.Domain) + " are not imported"})
				continue
			}
			if t.ID != 0 {
				imp.termIDs[t.ID] = ct
			}
			if ct.Taxonomy == content.TaxTag {
				imp.rep.Tags++
			} else {
				imp.rep.Categories++
			}
		}
	}
	parents := map[string]string{}
	for _, t := range c.Categories {
		if t.Domain != "category" || t.Parent == "" {
			continue
		}
		parents[termSlug(t)] = unescapeSlug(t.Parent)
		child, parent := imp.terms[string(content.TaxCategory)+"/"+termSlug(t)], imp.terms[string(content.TaxCategory)+"/"+unescapeSlug(t.Parent)]
		if child != nil && parent != nil && child.ParentID != parent.ID {
			child.ParentID = parent.ID
			if err := imp.tx.UpsertTerm(ctx, child); err != nil {
				return err
			}
		}
	}
	if imp.ownSite {
		for _, r := range c.Redirects {
			if r.Path == "" || r.Path[0] != '/' || r.Target == "" {
				imp.note(true, Skip{Type: "redirect", Title: r.Path, Reason: "a redirect needs a path starting with / and a target"})
				continue
			}
			if err := imp.redirect(ctx, r.Path, r.Target); err != nil {
				return err
			}
		}
		return nil
	}
	// WordPress nests a category's address under its parents'
	// (/category/world/africa/); Broadsheet's is /category/africa/.
	for _, list := range [][]wordpress.Term{c.Categories, c.Tags} {
		for _, t := range list {
			ct := imp.terms[termKey(t)]
			if ct == nil {
				continue
			}
			old := wordpress.TagPath(ct.Slug)
			if ct.Taxonomy == content.TaxCategory {
				chain, seen := []string{ct.Slug}, map[string]bool{ct.Slug: true}
				for p := parents[ct.Slug]; p != "" && !seen[p]; p = parents[p] {
					seen[p] = true
					chain = append([]string{p}, chain...)
				}
				old = wordpress.CategoryPath(chain...)
			}
			now := escapePath(ct.Path())
			if old != now {
				if err := imp.redirect(ctx, old, now); err != nil {
					return err
				}
				if err := imp.redirect(ctx, old+"feed/", now+"feed/"); err != nil {
					return err
				}
			}
			if t.ID != 0 && ct.Taxonomy == content.TaxCategory {
				if err := imp.redirect(ctx, wordpress.QueryPath(wordpress.QueryCategory, itoa(t.ID)), now); err != nil {
					return err
				}
			}
			if ct.Taxonomy == content.TaxTag {
				if err := imp.redirect(ctx, wordpress.QueryPath(wordpress.QueryTag, ct.Slug), now); err != nil {
					return err
				}
			}
		}
	}
	return imp.redirect(ctx, wordpress.QueryPath(wordpress.QueryFeed, "rss2"), "/feed/")
}

// redirect keeps an old address as a 301 to a path that is not a post's.
func (imp *importer) redirect(ctx context.Context, old, target string) error {
	if old == target {
		return nil
	}
	imp.rep.Aliases++
	if err := imp.tx.PutAlias(ctx, &content.Alias{Path: old, Target: target}); err != nil {
		return err
	}
	imp.links.wroteAlias(old)
	return nil
}

func (imp *importer) user(ctx context.Context, login string, a wordpress.Author) (*content.User, error) {
	if u := imp.users[login]; u != nil {
		return u, nil
	}
	if a.DisplayName == "" && a.FirstName == "" && a.LastName == "" {
		// Named by an item only: keep what an earlier import said of them.
		if u, err := imp.tx.FindUserBySlug(ctx, markup.Slugify(login)); err == nil {
			imp.users[login] = u
			return u, nil
		}
	}
	if a.Email != "" {
		// Someone already on the site under another name (the editor who
		// runs the import, often) is the same person: their posts are
		// theirs, and their account is left as it is.
		if u, _, err := imp.tx.FindUserByEmail(ctx, a.Email); err == nil && u.Slug != markup.Slugify(login) {
			imp.users[login] = u
			return u, nil
		}
	}
	name := firstNonEmpty(html.UnescapeString(a.DisplayName), strings.TrimSpace(a.FirstName+" "+a.LastName), login)
	// A user imported without a password cannot sign in until they set one.
	u := &content.User{Slug: markup.Slugify(login), Name: name, Email: a.Email, Role: content.RoleAuthor}
	if err := imp.tx.UpsertUser(ctx, u); err != nil {
		return nil, err
	}
	imp.users[login] = u
	return u, nil
}

func unescapeSlug(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

func termSlug(t wordpress.Term) string {
	if s := unescapeSlug(t.Slug); s != "" && content.ValidateSlug(s) == nil {
		return s
	}
	return markup.Slugify(html.UnescapeString(t.Name))
}

func taxonomyOf(domain string) content.Taxonomy {
	switch domain {
	case "category":
		return content.TaxCategory
	case "post_tag":
		return content.TaxTag
	}
	return ""
}

func termKey(t wordpress.Term) string { return string(taxonomyOf(t.Domain)) + "/" + termSlug(t) }

func (imp *importer) term(ctx context.Context, t wordpress.Term) (*content.Term, error) {
	tax := taxonomyOf(t.Domain)
	if tax == "" {
		return nil, nil
	}
	slug := termSlug(t)
	key := string(tax) + "/" + slug
	if ct := imp.terms[key]; ct != nil {
		return ct, nil
	}
	if t.External {
		// Declared on an item only: keep what the channel or an earlier
		// import said of it.
		if existing, err := imp.tx.FindTermBySlug(ctx, tax, slug); err == nil {
			imp.terms[key] = existing
			return existing, nil
		}
	}
	ct := &content.Term{Taxonomy: tax, Slug: slug, Name: firstNonEmpty(html.UnescapeString(t.Name), slug), Description: t.Desc}
	if err := imp.tx.UpsertTerm(ctx, ct); err != nil {
		return nil, err
	}
	imp.terms[key] = ct
	return ct, nil
}

var statuses = map[string]content.Status{
	"publish": content.StatusPublished, "draft": content.StatusDraft, "pending": content.StatusPending,
	"future": content.StatusScheduled, "private": content.StatusPrivate, "trash": content.StatusTrash,
	"auto-draft": content.StatusDraft,
}

// note records one skipped or changed item.
func (imp *importer) note(skipped bool, s Skip) {
	if skipped {
		imp.rep.SkippedItems++
	} else {
		imp.rep.ChangedItems++
	}
	switch {
	case imp.opt.Log != nil:
		imp.opt.Log(skipped, s)
	case skipped:
		imp.rep.Skipped = append(imp.rep.Skipped, s)
	default:
		imp.rep.Changed = append(imp.rep.Changed, s)
	}
}

func (imp *importer) skip(it *wordpress.Item, format string, args ...any) {
	imp.note(true, Skip{Line: it.Line, Type: it.PostType, Title: it.Title, Reason: fmt.Sprintf(format, args...)})
	switch it.PostType {
	case "post":
		imp.rep.Posts.Skipped++
	case "page":
		imp.rep.Pages.Skipped++
	case "attachment":
		imp.rep.Attachments.Skipped++
	case wordpress.PostTypeEvent:
		imp.rep.Events.Skipped++
	case wordpress.PostTypeBook:
		imp.rep.Books.Skipped++
	}
}

func (imp *importer) changed(it *wordpress.Item, format string, args ...any) {
	imp.note(false, Skip{Line: it.Line, Type: it.PostType, Title: it.Title, Reason: fmt.Sprintf(format, args...)})
}

func (imp *importer) item(ctx context.Context, it *wordpress.Item) error {
	if it.PostID != 0 {
		if line, dup := imp.seenIDs[it.PostID]; dup {
			imp.skip(it, "duplicate post id %d (the item at line %d has it): not imported", it.PostID, line)
			return nil
		}
		imp.seenIDs[it.PostID] = it.Line
	}
	if it.GUID != "" {
		// A 64-bit hash, not the guid, so memory stays small on a large
		// export: two different guids share one with a chance of about one
		// in ten million on a million items.
		sum := keyHash(it.GUID)
		if line, dup := imp.seenKeys[sum]; dup {
			if it.PostID == 0 || (it.PostType != "post" && it.PostType != "page") {
				imp.skip(it, "duplicate guid %q (the item at line %d has it): not imported", it.GUID, line)
				return nil
			}
			// WordPress lets two entries share a guid (a copied post, a
			// plugin's): distinct ids make them distinct entries, kept under
			// a key naming the id, the same on every import of the file.
			imp.sharedGUID[it.PostID] = true
			imp.changed(it, "guid %q is also the item's at line %d: imported as an entry of its own", it.GUID, line)
		} else {
			imp.seenKeys[sum] = it.Line
		}
	}
	if it.PostType != "post" && it.PostType != "page" {
		imp.commentsLeft(it)
	}
	for _, m := range it.Meta {
		if !quietMeta[m.Key] {
			imp.rep.Meta[m.Key]++
		}
	}
	if isEntry(it.PostType) {
		return imp.entry(ctx, it)
	}
	switch it.PostType {
	case wordpress.PostTypeVenue:
		imp.venue(it)
	case "attachment":
		return imp.attachment(ctx, it)
	case "":
		imp.skip(it, "no <wp:post_type>")
	case "nav_menu_item":
		imp.menuItem(it)
	case "revision":
		imp.skip(it, "revisions are not imported")
	default:
		imp.skip(it, "%s items (a custom post type) are not imported", it.PostType)
	}
	return nil
}

func (imp *importer) entry(ctx context.Context, it *wordpress.Item) error {
	if !imp.late && it.PostID != 0 && bareGallery(it.Content) {
		// Its gallery shows the images attached to it, which the file
		// may list after it: the entry is written once all are read.
		imp.deferred = append(imp.deferred, it)
		return nil
	}
	kind := kindOf(it.PostType)
	status, ok := statuses[it.Status]
	if !ok {
		imp.skip(it, "unknown status %q", it.Status)
		return nil
	}
	if n := len(it.Content); n > imp.opt.MaxBodyBytes {
		imp.skip(it, "the body is %.1f MB, more than the %d MB an entry may have", float64(n)/(1<<20), imp.opt.MaxBodyBytes>>20)
		return nil
	}
	published, err := itemTime(it)
	if err != nil {
		imp.skip(it, "%v", err)
		return nil
	}
	imp.zone.observe(it)
	p := &content.Post{
		Kind: kind, Title: html.UnescapeString(it.Title), Status: status, PublishedAt: published,
		PublishedOffset: itemOffset(it), UpdatedAt: itemModified(it),
		Format:    content.FormatHTML,
		Excerpt:   strings.TrimSpace(html.UnescapeString(markup.StripTags(it.Excerpt))),
		ImportKey: importKey(it, imp.base, imp.sharedGUID[it.PostID]),
		Sticky:    it.Sticky, MenuOrder: it.MenuOrder,
		Password: it.Password,
		// Closed when the export says so; an export that does not leaves
		// pages closed and posts open, as new ones are.
		CommentsClosed: it.CommentStatus == "closed" || (it.CommentStatus == "" && kind == content.KindPage),
	}
	if len(p.Password) > content.MaxPasswordLen {
		imp.skip(it, "the password is longer than the %d bytes a post's may be", content.MaxPasswordLen)
		return nil
	}
	if p.Title == "" {
		p.Title = "(untitled)"
		if status != content.StatusDraft {
			imp.changed(it, "no title: called \"(untitled)\"")
		}
	}
	fix := fixup{line: it.Line, page: kind == content.KindPage, modified: p.UpdatedAt}
	if md := it.MetaValue(wordpress.MetaMarkdown); md != "" && imp.ownSite {
		p.Format, p.Body = content.FormatMarkdown, md
	} else {
		body, notes := convertBody(it.Content, imp.attached[it.PostID]...)
		for _, n := range notes {
			imp.changed(it, "%s", n)
		}
		imp.links.forget()
		body, unresolved, err := imp.links.rewrite(ctx, body)
		if err != nil {
			return err
		}
		fix.unresolvedBody = len(unresolved) > 0
		p.Body = sanitizeKeepingMore(markup.CleanWordPress(body))
	}
	p.Slug = markup.Slugify(p.Title)
	if it.PostName != "" {
		if s, err := url.PathUnescape(it.PostName); err == nil && content.ValidateSlug(s) == nil {
			p.Slug = s
		}
	}
	if status == content.StatusTrash {
		// WordPress marks a trashed entry's slug to free it.
		if s := strings.TrimSuffix(p.Slug, "__trashed"); s != "" {
			p.Slug = s
		}
	}
	if src := itemSource(it); !src.IsZero() {
		p.Source = src
		p.CanonicalSource = src.URL != "" && strings.TrimSpace(it.MetaValue(wordpress.MetaCanonicalSource)) == "1"
	}
	site := ""
	if imp.channel != nil {
		site = html.UnescapeString(imp.channel.Title)
	}
	var note string
	p.SEOTitle, note = seoText(firstNonEmpty(it.MetaValue(wordpress.MetaYoastTitle), it.MetaValue(wordpress.MetaRankMathTitle)), p.Title, site, p.Excerpt)
	if note != "" {
		imp.changed(it, "SEO title: %s", note)
	}
	p.SEODescription, note = seoText(firstNonEmpty(it.MetaValue(wordpress.MetaYoastDesc), it.MetaValue(wordpress.MetaRankMathDesc)), p.Title, site, p.Excerpt)
	if note != "" {
		imp.changed(it, "SEO description: %s", note)
	}
	if it.Creator != "" {
		u, err := imp.user(ctx, it.Creator, wordpress.Author{Login: it.Creator})
		if err != nil {
			return err
		}
		p.Authors = []content.User{*u}
		if imp.ownSite {
			extra := 0
			for _, m := range it.Meta {
				if m.Key != wordpress.MetaCoauthor || strings.TrimSpace(m.Value) == "" {
					continue
				}
				if len(p.Authors) >= content.MaxAuthorsPerPost {
					extra++
					continue
				}
				u, err := imp.user(ctx, strings.TrimSpace(m.Value), wordpress.Author{Login: strings.TrimSpace(m.Value)})
				if err != nil {
					return err
				}
				p.Authors = append(p.Authors, *u)
			}
			if extra > 0 {
				imp.changed(it, "%d co-authors more than the %d a post may name: the first %d kept", extra, content.MaxAuthorsPerPost, content.MaxAuthorsPerPost)
			}
		}
	}
	// A post keeps its first MaxTermsPerPost categories and tags, in the
	// export's order, and the import says how many it left out: the post
	// itself is worth having, and a list that long is a tagging plugin's
	// doing, not an editor's. The terms left out are not even created.
	seenTerm := map[int64]bool{}
	var dropped map[string]bool
	for _, t := range it.Terms {
		if taxonomyOf(t.Domain) != "" && len(p.Categories)+len(p.Tags) >= content.MaxTermsPerPost {
			if ct := imp.terms[termKey(t)]; ct == nil || !seenTerm[ct.ID] {
				if dropped == nil {
					dropped = map[string]bool{}
				}
				dropped[termKey(t)] = true
			}
			continue
		}
		ct, err := imp.term(ctx, t)
		if err != nil {
			return err
		}
		switch {
		case ct == nil:
			imp.changed(it, "term %q of taxonomy %q not imported (custom taxonomies are not supported)", t.Name, t.Domain)
		case seenTerm[ct.ID]:
			// WXR 1.0 names each category twice.
		case ct.Taxonomy == content.TaxTag:
			p.Tags = append(p.Tags, *ct)
		default:
			p.Categories = append(p.Categories, *ct)
		}
		if ct != nil {
			seenTerm[ct.ID] = true
		}
	}
	if len(dropped) > 0 {
		imp.changed(it, "%d categories and tags more than the %d a post may carry: the first %d kept, the rest left out",
			len(dropped), content.MaxTermsPerPost, content.MaxTermsPerPost)
	}
	if it.ParentID != 0 && kind == content.KindPage {
		if id, err := imp.findPost(ctx, it.ParentID); err != nil {
			return err
		} else if id == 0 {
			fix.parent = it.ParentID
		} else {
			p.ParentID = id
		}
	}
	var featured int64
	if thumb, err := strconv.ParseInt(strings.TrimSpace(it.MetaValue(wordpress.MetaThumbnailID)), 10, 64); err == nil && thumb > 0 {
		if id, err := imp.findMedia(ctx, thumb); err != nil {
			return err
		} else if id == 0 {
			fix.thumb = thumb
		} else {
			featured = id
		}
	}
	if err := imp.details(it, p); err != nil {
		imp.skip(it, "%v", err)
		return nil
	}
	if err := imp.save(ctx, it, p, fix); err != nil {
		return err
	}
	if it.PostID != 0 {
		imp.wpPosts[it.PostID] = p.ID
	}
	if err := imp.comments(ctx, it, p); err != nil {
		return err
	}
	if featured != 0 {
		if err := imp.feature(ctx, it, p.ID, featured); err != nil {
			return err
		}
	}
	if fix.parent != 0 || fix.thumb != 0 || fix.unresolvedBody {
		fix.id = p.ID
		imp.fixups = append(imp.fixups, fix)
	}
	return imp.aliases(ctx, it, p)
}

// findPost returns the entry imported for a WordPress post id, this run or
// an earlier one, or 0.
func (imp *importer) findPost(ctx context.Context, wpID int64) (int64, error) {
	if id, ok := imp.wpPosts[wpID]; ok {
		return id, nil
	}
	if imp.ownSite || imp.empty {
		// A Broadsheet export's ids are its own, and the /?p= aliases it
		// carries are a WordPress site's earlier ones: they name other
		// entries; its entries are all in the file. Into an empty site,
		// nothing was imported before.
		return 0, nil
	}
	for _, k := range []string{wordpress.QueryPost, wordpress.QueryPage} {
		a, err := imp.tx.FindAlias(ctx, wordpress.QueryPath(k, itoa(wpID)))
		if err == nil && a.PostID != 0 {
			return a.PostID, nil
		}
		if err != nil && !content.IsNotFound(err) {
			return 0, err
		}
	}
	return 0, nil
}

// findMedia returns the media imported for a WordPress attachment id, this
// run or an earlier one, or 0.
func (imp *importer) findMedia(ctx context.Context, wpID int64) (int64, error) {
	if id, ok := imp.wpMedia[wpID]; ok {
		return id, nil
	}
	a, err := imp.tx.FindAlias(ctx, wordpress.QueryPath(wordpress.QueryAttachment, itoa(wpID)))
	if content.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	rel, ok := strings.CutPrefix(a.Target, content.MediaURLPrefix)
	if !ok {
		return 0, nil
	}
	rel, _ = url.PathUnescape(rel)
	m, err := imp.tx.FindMediaByStorageKey(ctx, rel)
	if content.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return m.ID, nil
}

// save creates p, or updates the entry imported under the same key when it
// differs, choosing a free slug for a new entry whose slug is taken.
func (imp *importer) save(ctx context.Context, it *wordpress.Item, p *content.Post, fix fixup) error {
	counts := &imp.rep.Posts
	switch p.Kind {
	case content.KindPage:
		counts = &imp.rep.Pages
	case content.KindEvent:
		counts = &imp.rep.Events
	case content.KindBook:
		counts = &imp.rep.Books
	}
	var (
		old *content.Post
		err error
	)
	if !imp.empty || imp.createdKeys[keyHash(p.ImportKey)] {
		old, err = imp.tx.FindPostByImportKey(ctx, p.ImportKey)
		if err != nil && !content.IsNotFound(err) {
			return err
		}
		if old == nil && it.PostID != 0 && !imp.ownSite {
			// The same WordPress post under a new guid (a site moved to
			// https, say): matched by its id.
			if id, err := imp.findPost(ctx, it.PostID); err != nil {
				return err
			} else if id != 0 {
				if old, err = imp.tx.FindPostByID(ctx, id); err != nil {
					return err
				}
				if old.Kind != p.Kind {
					old = nil
				}
			}
		}
	}
	if old != nil {
		p.ID, p.CreatedAt = old.ID, old.CreatedAt
		// A parent or image later in the file is settled at the end; till
		// then the entry keeps the one it has, so that a re-import of the
		// same file finds it unchanged.
		if fix.parent != 0 {
			p.ParentID = old.ParentID
		}
		// An editor's choice of the original as canonical outlives a
		// re-import of an export that does not say so, while the post
		// still names its original.
		if old.CanonicalSource && p.Source != nil && p.Source.URL != "" {
			p.CanonicalSource = true
		}
		// A book's cover is chosen in the library, which an export does
		// not name: a re-import keeps it.
		if old.Book != nil && p.Book != nil && p.Book.CoverID == 0 {
			p.Book.CoverID = old.Book.CoverID
		}
		if old.Kind == p.Kind && p.Slug != old.Slug {
			// Keep the slug the first import chose when the export's is
			// taken by another entry (it got a numbered one then).
			taken, err := imp.tx.FindSlugPath(ctx, p.Kind, p.Slug)
			if err != nil {
				return err
			}
			if taken != "" {
				p.Slug = old.Slug
			}
		}
		if samePost(old, p) {
			imp.rep.Unchanged++
			counts.Unchanged++
			return nil
		}
		if _, err := editorial.Write(ctx, imp.tx, p, editorial.WriteOptions{Base: store.AnyVersion}); err != nil {
			return err
		}
		imp.links.rewroteEntry()
		imp.rep.Updated++
		counts.Updated++
		return nil
	}
	base := p.Slug
	if _, err := editorial.Write(ctx, imp.tx, p, editorial.WriteOptions{New: true, NumberSlug: true}); err != nil {
		return err
	}
	imp.links.wroteEntry(p.Kind, p.Slug)
	if p.Slug != base {
		imp.changed(it, "the slug %q is taken: the %s is at %s", base, p.Kind, p.Path())
	}
	imp.created[p.ID] = true
	imp.createdKeys[keyHash(p.ImportKey)] = true
	imp.rep.Created++
	counts.Created++
	return nil
}

// aliases keeps the item's old URLs, when they differ from the new one, as
// redirects to the entry: its permalink, its plain ?p= address, its old
// slugs, and the aliases a Broadsheet export carries.
func (imp *importer) aliases(ctx context.Context, it *wordpress.Item, p *content.Post) error {
	var paths []string
	if imp.ownSite {
		for _, m := range it.Meta {
			if m.Key == wordpress.MetaAlias {
				paths = append(paths, strings.TrimSpace(m.Value))
			}
		}
	} else {
		paths = append(paths, imp.oldPath(it.Link))
		if it.PostID != 0 {
			key := wordpress.QueryPost
			if p.Kind == content.KindPage {
				key = wordpress.QueryPage
			}
			paths = append(paths, wordpress.QueryPath(key, itoa(it.PostID)))
		}
		for _, m := range it.Meta {
			if m.Key == wordpress.MetaOldSlug && p.Kind == content.KindPost {
				if s := unescapeSlug(strings.TrimSpace(m.Value)); s != "" && content.ValidateSlug(s) == nil {
					old := *p
					old.Slug = s
					paths = append(paths, old.Path())
				}
			}
		}
	}
	for _, path := range paths {
		if path == "" || path[0] != '/' || path == "/" {
			continue
		}
		if !strings.HasPrefix(path, "/?") {
			// WordPress writes %e6%b8%af, browsers %E6%B8%AF: keep one form.
			if path = escapePath(path); path == escapePath(p.Path()) {
				continue
			}
		}
		imp.rep.Aliases++
		if err := imp.tx.PutAlias(ctx, &content.Alias{Path: path, PostID: p.ID}); err != nil {
			return err
		}
		imp.links.wroteAlias(path)
	}
	return nil
}

// oldPath returns the path (with the query of a plain permalink) of an
// address on the old site, relative to the site's root, or "".
func (imp *importer) oldPath(link string) string {
	if link == "" {
		return ""
	}
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	path := u.EscapedPath()
	if imp.base != nil && imp.base.Path != "" && imp.base.Path != "/" {
		path = strings.TrimPrefix(path, strings.TrimSuffix(imp.base.Path, "/"))
	}
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		if path != "/" && path != "/index.php" {
			return ""
		}
		return wordpress.QueryAliasPath(u.Query())
	}
	return path
}

// attachment imports a media file from the uploads folder, keeping its old
// addresses as redirects to the file.
func (imp *importer) attachment(ctx context.Context, it *wordpress.Item) error {
	if it.ParentID != 0 && it.PostID != 0 && imp.attachedCount < maxAttached {
		imp.attached[it.ParentID] = append(imp.attached[it.ParentID], itoa(it.PostID))
		imp.attachedCount++
	}
	fileURL := firstNonEmpty(it.AttachmentURL, it.GUID)
	rel := strings.TrimSpace(it.MetaValue(wordpress.MetaAttachedFile))
	if rel == "" {
		rel, _ = wordpress.UploadsFile(fileURL)
	}
	if rel == "" {
		// WordPress.com names no file: its files are at
		// site.files.wordpress.com/2019/03/port.jpg.
		if u, err := url.Parse(fileURL); err == nil {
			if rel, _ = wordpress.HostedFile(u); rel != "" {
				imp.links.fileHosts[strings.ToLower(u.Hostname())] = true
			}
		}
	}
	rel = path.Clean(strings.TrimPrefix(filepath.ToSlash(rel), "/"))
	if rel == "." || content.ValidateMediaPath(rel) != nil {
		imp.skip(it, "no usable file path (%q): not imported", firstNonEmpty(rel, fileURL))
		return nil
	}
	// A file left behind stays where it was: the old address of its
	// attachment page leads there, and so do galleries naming it.
	keepOld := func() error {
		if imp.ownSite || it.PostID == 0 || content.ValidateHTTPURL(fileURL) != nil {
			return nil
		}
		return imp.redirect(ctx, wordpress.QueryPath(wordpress.QueryAttachment, itoa(it.PostID)), fileURL)
	}
	if imp.opt.Uploads == "" {
		imp.skip(it, "file %s not imported: give the uploads folder with --uploads; posts keep linking to the old address", rel)
		return keepOld()
	}
	src, st, why := openUpload(imp.uploads, rel)
	if why != "" {
		imp.skip(it, "file %q %s; posts keep linking to the old address", rel, why)
		return keepOld()
	}
	defer func() {
		if src != nil {
			src.Close()
		}
	}()
	m := &content.Media{
		Key: rel, Filename: path.Base(rel), Size: st.Size(), MIME: mime.TypeByExtension(strings.ToLower(path.Ext(rel))),
		Alt:       strings.TrimSpace(it.MetaValue(wordpress.MetaAttachmentAlt)),
		Caption:   strings.TrimSpace(html.UnescapeString(markup.StripTags(it.Excerpt))),
		ImportKey: firstNonEmpty(it.GUID, fileURL),
	}
	if i := strings.IndexByte(m.MIME, ';'); i >= 0 {
		m.MIME = m.MIME[:i]
	}
	if m.MIME == "" {
		m.MIME = "application/octet-stream"
	}
	m.Width, m.Height = imageSize(src)
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("read %s in the uploads folder: %w", rel, err)
	}
	counts := &imp.rep.Attachments
	old, err := imp.oldMedia(ctx, m)
	if err != nil {
		return err
	}
	stored := imp.stored(ctx, rel)
	if old != nil {
		m.ID, m.CreatedAt, m.Width, m.Height, m.Variants, m.UploadedBy = old.ID, old.CreatedAt, old.Width, old.Height, old.Variants, old.UploadedBy
		if sameMedia(old, m) && stored {
			counts.Unchanged++
		} else {
			counts.Updated++
		}
	} else {
		counts.Created++
	}
	if !stored && !imp.opt.DryRun {
		if err := imp.copies.failed(); err != nil {
			return err
		}
		imp.copies.copy(ctx, imp.opt.Media, rel, src)
		src = nil // the copy closes it
		imp.newFiles[rel] = true
	}
	switch {
	case old == nil:
		if err := imp.tx.CreateMedia(ctx, m); err != nil {
			return err
		}
		imp.wroteMedia(m)
	case !sameMedia(old, m):
		if err := imp.tx.UpdateImportedMedia(ctx, m); err != nil {
			return err
		}
		imp.wroteMedia(m)
	}
	if it.PostID != 0 {
		imp.wpMedia[it.PostID] = m.ID
	}
	if imp.ownSite {
		return nil // its redirects come with the channel
	}
	if it.PostID != 0 {
		if err := imp.redirect(ctx, wordpress.QueryPath(wordpress.QueryAttachment, itoa(it.PostID)), m.URL()); err != nil {
			return err
		}
	}
	if p := imp.oldPath(it.Link); p != "" && p != "/" && !strings.HasPrefix(p, "/?") {
		if err := imp.redirect(ctx, p, m.URL()); err != nil {
			return err
		}
	}
	return nil
}

// finish completes the entries that named what came later in the file:
// parent pages, featured images, links to later posts.
func (imp *importer) finish(ctx context.Context) error {
	imp.late = true
	for _, it := range imp.deferred {
		if err := imp.entry(ctx, it); err != nil {
			return fmt.Errorf("line %d: item %q: %w", it.Line, it.Title, err)
		}
	}
	imp.deferred = nil
	for start := 0; start < len(imp.fixups); start += finishBatch {
		if err := imp.finishBatch(ctx, imp.fixups[start:min(start+finishBatch, len(imp.fixups))]); err != nil {
			return err
		}
	}
	return nil
}

// finishBatch is how many entries finish reads at once.
const finishBatch = 500

func (imp *importer) finishBatch(ctx context.Context, fixups []fixup) error {
	ids := make([]int64, len(fixups))
	for i, f := range fixups {
		ids[i] = f.id
	}
	posts, err := imp.tx.FindPostsWithBodyByIDs(ctx, ids)
	if err != nil {
		return err
	}
	byID := make(map[int64]*content.Post, len(posts))
	var bodies []string
	for _, p := range posts {
		byID[p.ID] = p
		bodies = append(bodies, p.Body)
	}
	// The links of the whole batch are looked up at once: from here on
	// the import writes only the bodies' addresses (and parents and
	// images), which change none of the answers.
	imp.links.forget()
	if err := imp.links.lookUp(ctx, bodies...); err != nil {
		return err
	}
	for _, f := range fixups {
		p := byID[f.id]
		if p == nil {
			return fmt.Errorf("line %d: entry %d is gone", f.line, f.id)
		}
		it := &wordpress.Item{Line: f.line, PostType: "post", Title: p.Title}
		if f.page {
			it.PostType = "page"
		}
		changed := false
		if f.parent != 0 {
			id, err := imp.findPost(ctx, f.parent)
			if err != nil {
				return err
			}
			if id == 0 {
				imp.changed(it, "parent page %d is not in the export: made a top-level page", f.parent)
			}
			if id != p.ParentID {
				p.ParentID, changed = id, true
			}
		}
		if f.thumb != 0 {
			id, err := imp.findMedia(ctx, f.thumb)
			if err != nil {
				return err
			}
			if id == 0 {
				imp.changed(it, "featured image (attachment %d) was not imported: the entry has none", f.thumb)
			} else if err := imp.feature(ctx, it, p.ID, id); err != nil {
				return err
			}
		}
		if f.unresolvedBody {
			body, unresolved, err := imp.links.rewrite(ctx, p.Body)
			if err != nil {
				return err
			}
			sort.Strings(unresolved)
			for i, u := range unresolved {
				if i == 0 || unresolved[i-1] != u {
					imp.changed(it, "link to %s leads to nothing in the export: kept as it was", u)
				}
			}
			if body != p.Body {
				// Only addresses changed, to paths the import wrote itself:
				// the rendered HTML takes the same rewrite, with no need to
				// sanitise and render again.
				p.Body, changed = body, true
				if p.BodyHTML, _, err = imp.links.rewrite(ctx, p.BodyHTML); err != nil {
					return err
				}
				if p.TeaserHTML, _, err = imp.links.rewrite(ctx, p.TeaserHTML); err != nil {
					return err
				}
			}
		}
		if changed {
			// Completing the entry is still the import's writing it: it
			// keeps the old site's modified time, when the export gave one.
			now := imp.tx.Now
			if !f.modified.IsZero() {
				imp.tx.Now = f.modified
			}
			err := imp.tx.UpdatePostAddresses(ctx, p)
			imp.tx.Now = now
			if err != nil {
				return fmt.Errorf("line %d: item %q: %w", f.line, p.Title, err)
			}
		}
	}
	return nil
}

// keyHash is a guid's or import key's 64-bit hash: memory stays small on a
// large export.
func keyHash(key string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return h.Sum64()
}

func samePost(a, b *content.Post) bool {
	same := a.Kind == b.Kind && a.Title == b.Title && a.Slug == b.Slug && a.Status == b.Status &&
		a.PublishedAt.Equal(b.PublishedAt) && a.PublishedOffset == b.PublishedOffset && a.Format == b.Format && a.Body == b.Body && a.Excerpt == b.Excerpt &&
		a.Source.IsZero() == b.Source.IsZero() && a.CanonicalSource == b.CanonicalSource && len(a.Authors) == len(b.Authors) &&
		len(a.Categories) == len(b.Categories) && len(a.Tags) == len(b.Tags) &&
		a.ImportKey == b.ImportKey && a.Sticky == b.Sticky && a.ParentID == b.ParentID && a.MenuOrder == b.MenuOrder &&
		a.SEOTitle == b.SEOTitle && a.SEODescription == b.SEODescription && a.Password == b.Password &&
		a.CommentsClosed == b.CommentsClosed
	if !same || !sameDetails(a, b) {
		return false
	}
	if !a.Source.IsZero() && *a.Source != *b.Source {
		return false
	}
	for i := range a.Authors {
		if a.Authors[i].ID != b.Authors[i].ID {
			return false
		}
	}
	for i := range a.Categories {
		if a.Categories[i].ID != b.Categories[i].ID {
			return false
		}
	}
	for i := range a.Tags {
		if a.Tags[i].ID != b.Tags[i].ID {
			return false
		}
	}
	return true
}

// sanitizeKeepingMore sanitises imported HTML, keeping the break marker,
// which the sanitiser would otherwise drop with every other comment.
func sanitizeKeepingMore(src string) string {
	head, tail, ok := markup.SplitMore(src)
	if !ok {
		return markup.Sanitize(src)
	}
	return markup.Sanitize(head) + content.MoreMarker + markup.Sanitize(tail)
}

func importKey(it *wordpress.Item, base *url.URL, shared bool) string {
	if it.GUID != "" {
		if shared {
			return it.GUID + "#post-" + strconv.FormatInt(it.PostID, 10)
		}
		return it.GUID
	}
	if base != nil {
		return base.String() + wordpress.QueryPath(wordpress.QueryPost, itoa(it.PostID))
	}
	return "wxr-post-" + strconv.FormatInt(it.PostID, 10)
}

const wpTime = "2006-01-02 15:04:05"

// itemModified returns when the entry last changed on the old site, in
// UTC, or the zero time when the export does not say (the import's time
// is then the store's).
func itemModified(it *wordpress.Item) time.Time {
	if t, err := time.Parse(wpTime, it.ModifiedGMT); err == nil && !strings.HasPrefix(it.ModifiedGMT, "0000") {
		return t.UTC()
	}
	// Only the local time: shifted by the offset the publication date has.
	local, err := time.Parse(wpTime, it.Modified)
	if err != nil || strings.HasPrefix(it.Modified, "0000") {
		return time.Time{}
	}
	pub, err1 := time.Parse(wpTime, it.PostDate)
	gmt, err2 := time.Parse(wpTime, it.PostDateGMT)
	if err1 == nil && err2 == nil && !strings.HasPrefix(it.PostDateGMT, "0000") {
		return local.Add(gmt.Sub(pub)).UTC()
	}
	return local.UTC()
}

// itemOffset returns the old site's offset from UTC when the entry was
// published, in seconds: post_date less post_date_gmt, which WordPress's
// dated addresses are read on. 0 when the export gives only one of them.
func itemOffset(it *wordpress.Item) int {
	if strings.HasPrefix(it.PostDateGMT, "0000") || strings.HasPrefix(it.PostDate, "0000") {
		return 0
	}
	local, err1 := time.Parse(wpTime, it.PostDate)
	gmt, err2 := time.Parse(wpTime, it.PostDateGMT)
	if err1 != nil || err2 != nil {
		return 0
	}
	off := int(local.Sub(gmt) / time.Second)
	if off < -content.MaxPublishedOffset || off > content.MaxPublishedOffset {
		return 0
	}
	return off
}

// itemTime returns an entry's publication time in UTC: the GMT date, else
// the local date, else the RSS pubDate; drafts may have none.
func itemTime(it *wordpress.Item) (time.Time, error) {
	for _, s := range []string{it.PostDateGMT, it.PostDate} {
		if s == "" || strings.HasPrefix(s, "0000-00-00") {
			continue
		}
		t, err := time.Parse(wpTime, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("unreadable date %q", s)
		}
		return t.UTC(), nil
	}
	if it.PubDate != "" {
		if t, err := time.Parse(time.RFC1123Z, it.PubDate); err == nil {
			return t.UTC(), nil
		}
	}
	if it.Status == "publish" || it.Status == "future" {
		return time.Time{}, fmt.Errorf("no publication date")
	}
	return time.Time{}, nil
}

func itemSource(it *wordpress.Item) *content.Source {
	s := &content.Source{
		Name:      strings.TrimSpace(it.MetaValue(wordpress.MetaSourceName)),
		URL:       strings.TrimSpace(it.MetaValue(wordpress.MetaSourceURL)),
		Author:    strings.TrimSpace(it.MetaValue(wordpress.MetaSourceAuthor)),
		Title:     strings.TrimSpace(it.MetaValue(wordpress.MetaSourceTitle)),
		Feed:      strings.TrimSpace(it.MetaValue(wordpress.MetaSourceFeed)),
		FeedTitle: strings.TrimSpace(it.MetaValue(wordpress.MetaSourceFeedTitle)),
	}
	if v := strings.TrimSpace(it.MetaValue(wordpress.MetaSourcePublished)); v != "" {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			s.PublishedAt = t.UTC()
		}
	}
	if s.URL != "" && content.ValidateHTTPURL(s.URL) != nil {
		s.URL = ""
	}
	if s.Feed != "" && content.ValidateHTTPURL(s.Feed) != nil {
		s.Feed, s.FeedTitle = "", ""
	}
	return s
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// feature makes media the entry's featured image, unless it already is;
// a file that is not an image is reported instead.
func (imp *importer) feature(ctx context.Context, it *wordpress.Item, postID, mediaID int64) error {
	if !imp.created[postID] {
		// An entry created by this run has no image yet, or the one
		// this function gave it.
		cur, err := imp.tx.FindFeatured(ctx, postID)
		if err != nil {
			return err
		}
		if cur != nil && cur.ID == mediaID {
			return nil
		}
	}
	// The store checks the file (without a query for one this run
	// wrote); a file it refuses is read again only to be named.
	err := imp.tx.SetFeatured(ctx, postID, mediaID)
	if content.ErrorCode(err) != content.EInvalid {
		return err
	}
	m, err := imp.tx.FindMedia(ctx, mediaID)
	if err != nil {
		return err
	}
	imp.changed(it, "featured file %s is not an image: the entry has no featured image", m.Key)
	return nil
}

func sameMedia(a, b *content.Media) bool {
	return a.Key == b.Key && a.Filename == b.Filename && a.MIME == b.MIME && a.Size == b.Size &&
		a.Alt == b.Alt && a.Caption == b.Caption && a.ImportKey == b.ImportKey
}

// oldMedia returns the library's item that m was imported as before, found
// by its import key or else by its file, or nil.
func (imp *importer) oldMedia(ctx context.Context, m *content.Media) (*content.Media, error) {
	if imp.emptyLibrary && !imp.wroteMediaKeys[keyHash(m.ImportKey)] && !imp.wroteMediaKeys[keyHash(m.Key)] {
		// A library empty when the import began holds nothing but what
		// this run wrote.
		return nil, nil
	}
	old, err := imp.tx.FindMediaByImportKey(ctx, m.ImportKey)
	if content.IsNotFound(err) {
		old, err = imp.tx.FindMediaByStorageKey(ctx, m.Key)
	}
	if content.IsNotFound(err) {
		return nil, nil
	}
	return old, err
}

// wroteMedia notes that m was written to the library, for oldMedia and for
// the links.
func (imp *importer) wroteMedia(m *content.Media) {
	imp.wroteMediaKeys[keyHash(m.ImportKey)] = true
	imp.wroteMediaKeys[keyHash(m.Key)] = true
	imp.links.wroteMedia(m.Key)
}

// stored reports whether the library already holds a file at key, or
// will once the copy given it is over.
func (imp *importer) stored(ctx context.Context, key string) bool {
	if imp.opt.Media == nil {
		return false
	}
	if imp.newFiles[key] {
		return true
	}
	rc, err := imp.opt.Media.Open(ctx, key)
	if err != nil {
		return false
	}
	rc.Close()
	return true
}

// openUpload opens the file rel inside the uploads folder. Only a regular
// file reached without a symbolic link is opened: a link is refused even
// when it points inside the folder, since what it points at can change
// and an export's folder is someone else's; a folder, a named pipe, a
// device or a socket is refused too. The reason for a refusal ("is a
// symbolic link: …") completes a sentence about the file.
func openUpload(root *os.Root, rel string) (*os.File, fs.FileInfo, string) {
	const missing = "is missing from the uploads folder: not imported"
	parts := strings.Split(rel, "/")
	var st fs.FileInfo
	for i := range parts {
		at := strings.Join(parts[:i+1], "/")
		var err error
		st, err = root.Lstat(filepath.FromSlash(at))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, nil, missing
		case err != nil:
			return nil, nil, fmt.Sprintf("cannot be read in the uploads folder (%v): not imported", unwrapPath(err))
		case st.Mode()&fs.ModeSymlink != 0 && at != rel:
			return nil, nil, fmt.Sprintf("is reached through a symbolic link (%s): not imported, as links are not followed, even inside the uploads folder; copy the files themselves in its place", at)
		case st.Mode()&fs.ModeSymlink != 0:
			return nil, nil, "is a symbolic link: not imported, as links are not followed, even inside the uploads folder; copy the file itself in its place"
		case at != rel && !st.IsDir():
			return nil, nil, missing
		}
	}
	if !st.Mode().IsRegular() {
		return nil, nil, fmt.Sprintf("is %s, not a file: not imported", fileKind(st.Mode()))
	}
	f, err := root.Open(filepath.FromSlash(rel))
	if err != nil {
		return nil, nil, fmt.Sprintf("cannot be read in the uploads folder (%v): not imported", unwrapPath(err))
	}
	// The same file as looked at, not one put in its place since.
	opened, err := f.Stat()
	if err != nil || !os.SameFile(st, opened) {
		f.Close()
		return nil, nil, "changed while it was being imported: not imported"
	}
	return f, opened, ""
}

// fileKind names what a file that is not a regular file is.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// unwrapPath drops the path a *fs.PathError repeats, the report naming the
// file already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// imageSize reads an image's dimensions from its header; 0, 0 for other
// files or unreadable ones.
func imageSize(r io.Reader) (int, int) {
	cfg, _, err := image.DecodeConfig(r)
	if err != nil {
		return 0, 0
	}
	return cfg.Width, cfg.Height
}

// putFile copies the file src into the library under key. A library on
// the local disk is written as a stream, so a large video never sits in
// memory whole; another storage gets the bytes.
// copiers is how many files are copied into the library at once.
const copiers = 2

// copier copies the attachments' files into the library on goroutines of
// its own, so that the import goes on with the next items meanwhile (the
// copies take the kernel's time more than the import's). A copy that
// fails fails the import, whose items may already link to the file.
type copier struct {
	slots chan struct{}
	wg    sync.WaitGroup
	mu    sync.Mutex
	err   error
}

func newCopier(n int) *copier { return &copier{slots: make(chan struct{}, n)} }

// copy copies src into st under key, and closes it; it waits while as
// many copies as the copier runs at once are going on.
func (c *copier) copy(ctx context.Context, st media.Storage, key string, src *os.File) {
	c.slots <- struct{}{}
	c.wg.Add(1)
	go func() {
		defer func() {
			src.Close()
			<-c.slots
			c.wg.Done()
		}()
		if err := putFile(ctx, st, key, src); err != nil {
			c.mu.Lock()
			if c.err == nil {
				c.err = fmt.Errorf("file %s cannot be copied into the library: %w", key, err)
			}
			c.mu.Unlock()
		}
	}()
}

// failed returns the first copy's failure so far, or nil.
func (c *copier) failed() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// wait waits for every copy begun and returns the first failure.
func (c *copier) wait() error {
	c.wg.Wait()
	return c.failed()
}

func putFile(ctx context.Context, st media.Storage, key string, src io.Reader) error {
	switch d := st.(type) {
	case media.Dir:
		return streamInto(d, key, src)
	case *media.Dir:
		return streamInto(*d, key, src)
	}
	data, err := io.ReadAll(src)
	if err != nil {
		return err
	}
	return st.Put(ctx, key, data)
}

func streamInto(d media.Dir, key string, in io.Reader) error {
	if !media.ValidKey(key) {
		return fmt.Errorf("invalid key %q", key)
	}
	dst := filepath.Join(d.Root, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".upload-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}
