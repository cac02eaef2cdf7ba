// Package export writes a whole Broadsheet site out: as a WordPress
// eXtended RSS 1.2 file that WordPress's own importer accepts (and that
// Broadsheet's importer reads back to the same site), written through
// package wordpress, or as JSON holding the full model. Both walk the store in pages, so memory stays flat
// however large the site.
package export

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/wordpress"
)

// pageSize is how many entries are read from the store at a time.
const pageSize = 200

// Options tune an export.
type Options struct {
	// BaseURL is the site's public address (https://example.org), for the
	// absolute links and file addresses WordPress needs.
	BaseURL string
	// Progress, when set, is called after every entry with the counts so far.
	Progress func(s *Summary)
	// Now is the export's time; zero means time.Now.
	Now time.Time
}

// Summary counts what an export wrote.
type Summary struct {
	Posts, Pages, Media, Users, Terms, Aliases int
	Comments                                   int
}

func (o *Options) base() string {
	b := strings.TrimSuffix(strings.TrimSpace(o.BaseURL), "/")
	if b == "" {
		b = "http://localhost"
	}
	return b
}

// walkPosts calls fn for every entry, by id, a page at a time.
func walkPosts(ctx context.Context, db *store.DB, fn func(p *content.Post) error) error {
	return walk(ctx, db.FindPostsPage, func(p *content.Post) int64 { return p.ID }, fn)
}

// walkMedia calls fn for every media item, by id, a page at a time.
func walkMedia(ctx context.Context, db *store.DB, fn func(m *content.Media) error) error {
	return walk(ctx, db.FindMediaPage, func(m *content.Media) int64 { return m.ID }, fn)
}

// walk pages through rows by ascending id, so memory stays bounded
// whatever the site's size.
func walk[T any](ctx context.Context, page func(ctx context.Context, afterID int64, limit int) ([]T, error),
	id func(T) int64, fn func(T) error) error {
	var after int64
	for {
		rows, err := page(ctx, after, pageSize)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
			after = id(r)
		}
		if len(rows) < pageSize {
			return ctx.Err()
		}
	}
}

var wpStatus = map[content.Status]string{
	content.StatusPublished: "publish", content.StatusDraft: "draft", content.StatusPending: "pending",
	content.StatusScheduled: "future", content.StatusPrivate: "private", content.StatusTrash: "trash",
}

// WXR writes the site as a WXR 1.2 file: the channel with its authors and
// terms, the media library as attachments, then every post and page.
func WXR(ctx context.Context, db *store.DB, w io.Writer, opt Options) (*Summary, error) {
	sum := &Summary{}
	base := opt.base()
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	settings, err := db.LoadSettings(ctx)
	if err != nil {
		return nil, err
	}
	users, err := db.FindUsers(ctx)
	if err != nil {
		return nil, err
	}
	cats, err := db.FindTerms(ctx, content.TaxCategory)
	if err != nil {
		return nil, err
	}
	tags, err := db.FindTerms(ctx, content.TaxTag)
	if err != nil {
		return nil, err
	}
	aliases, err := db.FindAliases(ctx)
	if err != nil {
		return nil, err
	}
	maxPost, maxMedia, err := db.MaxIDs(ctx)
	if err != nil {
		return nil, err
	}
	// WordPress has one id space for entries and attachments: number the
	// attachments after every entry.
	mediaID := func(id int64) int64 { return maxPost + id }
	byPost := map[int64][]string{}
	var redirects []*content.Alias
	for _, a := range aliases {
		if a.PostID != 0 {
			byPost[a.PostID] = append(byPost[a.PostID], a.Path)
		} else {
			redirects = append(redirects, a)
		}
	}
	catSlug := map[int64]string{}
	for _, c := range cats {
		catSlug[c.ID] = c.Slug
	}
	cats = parentsFirst(cats)

	ch := &wordpress.Channel{
		Title: settings.Title, Link: base, Description: settings.Description, PubDate: wordpress.FormatRSSDate(now),
		Language: settings.Language, BaseSiteURL: base, BaseBlogURL: base, Generator: wordpress.Generator,
		TimeZone: settings.TimeZone, Comments: "off",
	}
	if settings.CommentsEnabled {
		ch.Comments = "on"
	}
	loc := settings.Location()
	for _, u := range users {
		ch.Authors = append(ch.Authors, wordpress.Author{ID: u.ID, Login: u.Slug, Email: u.Email, DisplayName: u.Name})
	}
	for _, c := range cats {
		ch.Categories = append(ch.Categories, wordpress.Term{ID: c.ID, Domain: "category", Slug: wordpress.EscapeSlug(c.Slug),
			Parent: wordpress.EscapeSlug(catSlug[c.ParentID]), Name: c.Name, Desc: c.Description})
	}
	for _, t := range tags {
		ch.Tags = append(ch.Tags, wordpress.Term{ID: t.ID, Domain: "post_tag", Slug: wordpress.EscapeSlug(t.Slug), Name: t.Name, Desc: t.Description})
	}
	for _, a := range redirects {
		ch.Redirects = append(ch.Redirects, wordpress.Redirect{Path: a.Path, Target: a.Target})
	}
	sum.Users, sum.Terms, sum.Aliases = len(ch.Authors), len(ch.Categories)+len(ch.Tags), len(ch.Redirects)
	x := wordpress.NewWriter(w)
	if err := x.WriteChannel(ch); err != nil {
		return nil, err
	}

	err = walkMedia(ctx, db, func(m *content.Media) error {
		fileURL := base + m.URL()
		it := &wordpress.Item{Title: m.Filename, Link: fileURL, GUID: firstNonEmpty(m.ImportKey, fileURL), Excerpt: m.Caption,
			PostID: mediaID(m.ID), PostName: wordpress.EscapeSlug(strings.TrimSuffix(m.Key[strings.LastIndex(m.Key, "/")+1:], pathExt(m.Key))),
			Status: "inherit", PostType: "attachment", AttachmentURL: fileURL,
			Meta: []wordpress.Meta{{Key: wordpress.MetaAttachedFile, Value: m.Key}}}
		setDates(it, m.CreatedAt)
		if m.Alt != "" {
			it.Meta = append(it.Meta, wordpress.Meta{Key: wordpress.MetaAttachmentAlt, Value: m.Alt})
		}
		if err := x.WriteItem(it); err != nil {
			return err
		}
		sum.Media++
		if opt.Progress != nil {
			opt.Progress(sum)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	err = walkPosts(ctx, db, func(p *content.Post) error {
		guid := p.ImportKey
		if guid == "" {
			key := wordpress.QueryPost
			if p.Kind == content.KindPage {
				key = wordpress.QueryPage
			}
			guid = base + wordpress.QueryPath(key, itoa(p.ID))
		}
		body := p.Body
		if p.Format == content.FormatMarkdown {
			// WordPress reads HTML; Broadsheet reads the Markdown back from
			// the meta below.
			body = strings.Replace(p.BodyHTML, `<span id="more"></span>`, content.MoreMarker, 1)
		}
		it := &wordpress.Item{Title: p.Title, Link: base + p.Path(), GUID: guid, Content: body, Excerpt: p.Excerpt,
			PostID: p.ID, PostName: wordpress.EscapeSlug(p.Slug), Status: wpStatus[p.Status], ParentID: p.ParentID,
			MenuOrder: p.MenuOrder, PostType: string(p.Kind), Sticky: p.Sticky, Password: p.Password}
		setDates(it, p.PublishedAt)
		if !p.PublishedAt.IsZero() {
			// WordPress's post_date is the site's time when the entry came
			// out, which its dated address is read on and from which an
			// importer learns the zone.
			it.PostDate = p.PublishedLocal().Format(wordpress.DateLayout)
		}
		it.ModifiedGMT = wordpress.FormatDate(p.UpdatedAt)
		it.Modified = it.ModifiedGMT
		if !p.UpdatedAt.IsZero() {
			it.Modified = p.UpdatedAt.In(loc).Format(wordpress.DateLayout)
		}
		if len(p.Authors) > 0 {
			it.Creator = p.Authors[0].Slug
		}
		for _, terms := range [][]content.Term{p.Categories, p.Tags} {
			for _, t := range terms {
				domain := "category"
				if t.Taxonomy == content.TaxTag {
					domain = "post_tag"
				}
				it.Terms = append(it.Terms, wordpress.Term{Domain: domain, Slug: wordpress.EscapeSlug(t.Slug), Name: t.Name})
			}
		}
		meta := func(key, value string) { it.Meta = append(it.Meta, wordpress.Meta{Key: key, Value: value}) }
		for _, a := range p.Authors[min(1, len(p.Authors)):] {
			meta(wordpress.MetaCoauthor, a.Slug)
		}
		if !p.Source.IsZero() {
			meta(wordpress.MetaSourceName, p.Source.Name)
			meta(wordpress.MetaSourceURL, p.Source.URL)
			meta(wordpress.MetaSourceAuthor, p.Source.Author)
			for _, m := range []struct{ key, value string }{
				{wordpress.MetaSourceTitle, p.Source.Title}, {wordpress.MetaSourceFeed, p.Source.Feed},
				{wordpress.MetaSourceFeedTitle, p.Source.FeedTitle},
			} {
				if m.value != "" {
					meta(m.key, m.value)
				}
			}
			if !p.Source.PublishedAt.IsZero() {
				meta(wordpress.MetaSourcePublished, p.Source.PublishedAt.UTC().Format(time.RFC3339))
			}
			if p.CanonicalSource {
				meta(wordpress.MetaCanonicalSource, "1")
			}
		}
		if p.Format == content.FormatMarkdown {
			meta(wordpress.MetaMarkdown, p.Body)
		}
		if p.SEOTitle != "" {
			meta(wordpress.MetaYoastTitle, p.SEOTitle)
		}
		if p.SEODescription != "" {
			meta(wordpress.MetaYoastDesc, p.SEODescription)
		}
		if f, err := db.FindFeatured(ctx, p.ID); err != nil {
			return err
		} else if f != nil {
			meta(wordpress.MetaThumbnailID, itoa(mediaID(f.ID)))
		}
		for _, path := range byPost[p.ID] {
			meta(wordpress.MetaAlias, path)
			sum.Aliases++
		}
		if !p.CommentsClosed {
			it.CommentStatus = "open"
		}
		if it.Comments, err = wxrComments(ctx, db, p.ID); err != nil {
			return err
		}
		sum.Comments += len(it.Comments)
		// An event's venue is an item of its own, numbered after every
		// entry and attachment, written before the event that names it.
		if venue := detailsItem(p, it, maxPost+maxMedia+p.ID); venue != nil {
			if err := x.WriteItem(venue); err != nil {
				return err
			}
		}
		if err := x.WriteItem(it); err != nil {
			return err
		}
		if p.Kind == content.KindPage {
			sum.Pages++
		} else {
			sum.Posts++
		}
		if opt.Progress != nil {
			opt.Progress(sum)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The navigation, as a WordPress menu of custom links: numbered after
	// every entry, attachment and event venue.
	for i, m := range settings.Menu {
		id := 2*maxPost + maxMedia + int64(i) + 1
		link := m.URL
		if strings.HasPrefix(link, "/") {
			link = base + link
		}
		it := &wordpress.Item{Title: m.Label, GUID: base + wordpress.QueryPath(wordpress.QueryPost, itoa(id)), PostID: id,
			PostName: itoa(id), Status: "publish", PostType: "nav_menu_item", MenuOrder: i + 1,
			Terms: []wordpress.Term{{Domain: "nav_menu", Slug: "navigation", Name: "Navigation"}},
			Meta: []wordpress.Meta{{Key: "_menu_item_type", Value: "custom"}, {Key: "_menu_item_menu_item_parent", Value: "0"},
				{Key: "_menu_item_object_id", Value: itoa(id)}, {Key: "_menu_item_object", Value: "custom"}, {Key: "_menu_item_url", Value: link}}}
		setDates(it, now)
		if err := x.WriteItem(it); err != nil {
			return nil, err
		}
	}
	if err := x.Close(); err != nil {
		return nil, err
	}
	return sum, nil
}

// wpCommentStatus is wp:comment_approved for each status.
var wpCommentStatus = map[content.CommentStatus]string{
	content.CommentApproved: "1", content.CommentPending: "0", content.CommentSpam: "spam", content.CommentTrash: "trash",
}

// wxrComments returns the post's comments as WXR has them, oldest first.
// A comment keeps the id it had in the WordPress export it came from;
// one written here is numbered by its own id.
func wxrComments(ctx context.Context, db *store.DB, postID int64) ([]wordpress.Comment, error) {
	list, _, err := db.FindComments(ctx, store.CommentFilter{PostID: postID, Oldest: true})
	if err != nil || len(list) == 0 {
		return nil, err
	}
	ids := make(map[int64]int64, len(list))
	for _, c := range list {
		ids[c.ID] = cmp.Or(c.WordPressID, c.ID)
	}
	out := make([]wordpress.Comment, 0, len(list))
	for _, c := range list {
		date := wordpress.FormatDate(c.CreatedAt)
		out = append(out, wordpress.Comment{ID: ids[c.ID], Author: c.Author, AuthorEmail: c.Email, AuthorURL: c.URL,
			AuthorIP: c.IP, Date: date, DateGMT: date, Content: c.HTML, Approved: wpCommentStatus[c.Status],
			Type: c.Kind, Parent: ids[c.ParentID]})
	}
	return out, nil
}

// setDates gives an item WordPress's dates for t.
func setDates(it *wordpress.Item, t time.Time) {
	it.PubDate = wordpress.FormatRSSDate(t)
	it.PostDate = wordpress.FormatDate(t)
	it.PostDateGMT = it.PostDate
}

// parentsFirst orders categories so that each comes after its parent, as
// WordPress's importer can only attach a child to a parent it has made.
func parentsFirst(cats []*content.Term) []*content.Term {
	byID := map[int64]*content.Term{}
	for _, c := range cats {
		byID[c.ID] = c
	}
	done := map[int64]bool{}
	out := make([]*content.Term, 0, len(cats))
	var visit func(c *content.Term, depth int)
	visit = func(c *content.Term, depth int) {
		if done[c.ID] {
			return
		}
		done[c.ID] = true // before the parent, so a cycle cannot loop
		if p := byID[c.ParentID]; p != nil && depth < 100 {
			visit(p, depth+1)
		}
		out = append(out, c)
	}
	for _, c := range cats {
		visit(c, 0)
	}
	return out
}

func pathExt(p string) string {
	i := strings.LastIndex(p, ".")
	if i < strings.LastIndex(p, "/") || i < 0 {
		return ""
	}
	return p[i:]
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// JSON writes the site's full model as one JSON document: settings,
// users, terms, media, posts (with bodies, sources and relations),
// aliases and comments. Posts are written one at a time as they are read.
func JSON(ctx context.Context, db *store.DB, w io.Writer, opt Options) (*Summary, error) {
	sum := &Summary{}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var werr error
	put := func(s string) {
		if werr == nil {
			_, werr = bw.WriteString(s)
		}
	}
	val := func(v any) {
		if werr == nil {
			werr = enc.Encode(v) // Encode adds a newline, which JSON allows
		}
	}
	settings, err := db.LoadSettings(ctx)
	if err != nil {
		return nil, err
	}
	put(`{"generator": `)
	val(wordpress.Generator)
	put(`, "format_version": 1, "exported_at": `)
	val(now.UTC().Format(time.RFC3339))
	put(`, "base_url": `)
	val(opt.base())
	put(`, "settings": `)
	val(settings)
	users, err := db.FindUsers(ctx)
	if err != nil {
		return nil, err
	}
	put(`, "users": `)
	val(nonNil(users))
	sum.Users = len(users)
	var terms []*content.Term
	for _, tax := range []content.Taxonomy{content.TaxCategory, content.TaxTag} {
		list, err := db.FindTerms(ctx, tax)
		if err != nil {
			return nil, err
		}
		terms = append(terms, list...)
	}
	put(`, "terms": `)
	val(nonNil(terms))
	sum.Terms = len(terms)
	put(`, "media": [`)
	err = walkMedia(ctx, db, func(m *content.Media) error {
		if sum.Media > 0 {
			put(",")
		}
		val(m)
		sum.Media++
		return werr
	})
	if err != nil {
		return nil, err
	}
	put(`], "posts": [`)
	n := 0
	err = walkPosts(ctx, db, func(p *content.Post) error {
		if n > 0 {
			put(",")
		}
		n++
		val(p)
		if p.Kind == content.KindPage {
			sum.Pages++
		} else {
			sum.Posts++
		}
		if opt.Progress != nil {
			opt.Progress(sum)
		}
		return werr
	})
	if err != nil {
		return nil, err
	}
	aliases, err := db.FindAliases(ctx)
	if err != nil {
		return nil, err
	}
	put(`], "aliases": `)
	val(nonNil(aliases))
	sum.Aliases = len(aliases)
	// Comments of every status, oldest first, a page at a time.
	put(`, "comments": [`)
	for offset := 0; ; offset += pageSize {
		list, _, err := db.FindComments(ctx, store.CommentFilter{Oldest: true, Limit: pageSize, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, c := range list {
			if sum.Comments > 0 {
				put(",")
			}
			val(c)
			sum.Comments++
		}
		if len(list) < pageSize || werr != nil {
			break
		}
	}
	put("]}\n")
	if werr != nil {
		return nil, werr
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	return sum, nil
}

func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// Describe returns a one-line account of an export, for commands.
func (s *Summary) Describe() string {
	return fmt.Sprintf("%d posts, %d pages, %d media files, %d users, %d terms, %d redirects, %d comments",
		s.Posts, s.Pages, s.Media, s.Users, s.Terms, s.Aliases, s.Comments)
}
