package wxr

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
)

// Post meta keys under which Broadsheet exports a post's source attribution
// and reads it back.
const (
	MetaSourceName      = "_broadsheet_source_name"
	MetaSourceURL       = "_broadsheet_source_url"
	MetaSourceAuthor    = "_broadsheet_source_author"
	MetaSourcePublished = "_broadsheet_source_published_at"
)

// Skip is one item the import passed over, and why.
type Skip struct {
	Line   int
	Title  string
	Reason string
}

// Report sums up an import.
type Report struct {
	Read      int // items read
	Created   int // entries created
	Updated   int // entries changed by a re-import
	Unchanged int // entries already imported, identical
	Aliases   int // old URLs kept as redirects
	Skipped   []Skip
}

// Options tune an import.
type Options struct {
	// Progress, when set, is called after every item with the report so far.
	Progress func(r *Report)
}

// Import reads a WordPress export from r and writes its authors, terms,
// posts and pages in one transaction: on any error nothing is written.
// Entries are matched by their guid, so importing the same file again
// creates nothing new.
func Import(ctx context.Context, db *store.DB, r io.Reader, opt Options) (*Report, error) {
	rep := &Report{}
	err := db.Update(ctx, func(tx *store.Tx) error {
		imp := &importer{tx: tx, rep: rep, users: map[string]*content.User{}, terms: map[string]*content.Term{}}
		before, err := tx.CountPosts(ctx, content.KindPost)
		if err != nil {
			return err
		}
		p := NewParser(r)
		headerDone := false
		for {
			it, err := p.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			if !headerDone {
				if err := imp.header(ctx, p.Channel(), before == 0); err != nil {
					return err
				}
				headerDone = true
			}
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
		if !headerDone {
			return imp.header(ctx, p.Channel(), before == 0)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

type importer struct {
	tx      *store.Tx
	rep     *Report
	channel *Channel
	base    *url.URL
	users   map[string]*content.User // by login
	terms   map[string]*content.Term // by taxonomy + "/" + slug
}

// header stores the channel's authors and terms, and the site's title and
// description when the site is new.
func (imp *importer) header(ctx context.Context, c *Channel, fresh bool) error {
	imp.channel = c
	imp.base, _ = url.Parse(firstNonEmpty(c.BaseBlogURL, c.BaseSiteURL, c.Link))
	if fresh && c.Title != "" {
		s, err := imp.tx.LoadSettings(ctx)
		if err != nil {
			return err
		}
		s.Title, s.Description = c.Title, c.Description
		if c.Language != "" {
			s.Language = c.Language
		}
		if err := imp.tx.SaveSettings(ctx, s); err != nil {
			return err
		}
	}
	for _, a := range c.Authors {
		if _, err := imp.user(ctx, a.Login, a); err != nil {
			return err
		}
	}
	// Parents are named by slug and may come after their children.
	for _, list := range [][]Term{c.Categories, c.Tags} {
		for _, t := range list {
			if _, err := imp.term(ctx, t); err != nil {
				return err
			}
		}
	}
	for _, t := range c.Categories {
		if t.Parent == "" {
			continue
		}
		child, parent := imp.terms[string(content.TaxCategory)+"/"+termSlug(t)], imp.terms[string(content.TaxCategory)+"/"+t.Parent]
		if child != nil && parent != nil && child.ParentID != parent.ID {
			child.ParentID = parent.ID
			if err := imp.tx.UpsertTerm(ctx, child); err != nil {
				return err
			}
		}
	}
	return nil
}

func (imp *importer) user(ctx context.Context, login string, a Author) (*content.User, error) {
	if u := imp.users[login]; u != nil {
		return u, nil
	}
	name := firstNonEmpty(a.DisplayName, strings.TrimSpace(a.FirstName+" "+a.LastName), login)
	u := &content.User{Slug: markup.Slugify(login), Name: name, Email: a.Email, Role: content.RoleAuthor}
	if err := imp.tx.UpsertUser(ctx, u); err != nil {
		return nil, err
	}
	imp.users[login] = u
	return u, nil
}

func termSlug(t Term) string {
	if s, err := url.PathUnescape(t.Slug); err == nil && s != "" {
		return s
	}
	return markup.Slugify(t.Name)
}

func (imp *importer) term(ctx context.Context, t Term) (*content.Term, error) {
	var tax content.Taxonomy
	switch t.Domain {
	case "category":
		tax = content.TaxCategory
	case "post_tag":
		tax = content.TaxTag
	default:
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

func (imp *importer) skip(it *Item, format string, args ...any) {
	imp.rep.Skipped = append(imp.rep.Skipped, Skip{Line: it.Line, Title: it.Title, Reason: fmt.Sprintf(format, args...)})
}

func (imp *importer) item(ctx context.Context, it *Item) error {
	var kind content.Kind
	switch it.PostType {
	case "post":
		kind = content.KindPost
	case "page":
		kind = content.KindPage
	case "":
		imp.skip(it, "no <wp:post_type>")
		return nil
	default:
		imp.skip(it, "%s items are not imported yet", it.PostType)
		return nil
	}
	status, ok := statuses[it.Status]
	if !ok {
		imp.skip(it, "unknown status %q", it.Status)
		return nil
	}
	if it.Password != "" {
		imp.skip(it, "password-protected entries are not imported (Broadsheet has no protected posts)")
		return nil
	}
	published, err := itemTime(it)
	if err != nil {
		imp.skip(it, "%v", err)
		return nil
	}
	p := &content.Post{
		Kind: kind, Title: html.UnescapeString(it.Title), Status: status, PublishedAt: published,
		Format: content.FormatHTML, Body: sanitizeKeepingMore(markup.CleanWordPress(it.Content)),
		Excerpt:   strings.TrimSpace(html.UnescapeString(markup.StripTags(it.Excerpt))),
		ImportKey: importKey(it, imp.base),
	}
	if p.Title == "" {
		p.Title = "(untitled)"
	}
	p.Slug = markup.Slugify(p.Title)
	if it.PostName != "" {
		if s, err := url.PathUnescape(it.PostName); err == nil && content.ValidateSlug(s) == nil {
			p.Slug = s
		}
	}
	if src := itemSource(it); !src.IsZero() {
		p.Source = src
	}
	if it.Creator != "" {
		u, err := imp.user(ctx, it.Creator, Author{Login: it.Creator})
		if err != nil {
			return err
		}
		p.Authors = []content.User{*u}
	}
	for _, t := range it.Terms {
		ct, err := imp.term(ctx, t)
		if err != nil {
			return err
		}
		switch {
		case ct == nil:
			imp.skip(it, "term %q of taxonomy %q not imported (custom taxonomies are not supported)", t.Name, t.Domain)
		case ct.Taxonomy == content.TaxTag:
			p.Tags = append(p.Tags, *ct)
		default:
			p.Categories = append(p.Categories, *ct)
		}
	}
	if err := markup.RenderPost(p); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	if err := imp.save(ctx, p); err != nil {
		return err
	}
	return imp.alias(ctx, it, p)
}

// save creates p, or updates the entry imported under the same key when it
// differs, choosing a free slug for a new entry whose slug is taken.
func (imp *importer) save(ctx context.Context, p *content.Post) error {
	old, err := imp.tx.FindPostByImportKey(ctx, p.ImportKey)
	if err != nil && !content.IsNotFound(err) {
		return err
	}
	if old != nil {
		p.ID, p.CreatedAt = old.ID, old.CreatedAt
		if p.Slug != old.Slug {
			// Keep the slug the first import chose when the export's is
			// taken by another entry (it got a numbered one then).
			other, err := imp.tx.FindPostBySlug(ctx, p.Kind, p.Slug)
			if err == nil && other.ID != old.ID {
				p.Slug = old.Slug
			} else if err != nil && !content.IsNotFound(err) {
				return err
			}
		}
		if samePost(old, p) {
			imp.rep.Unchanged++
			return nil
		}
		if err := imp.tx.UpdatePost(ctx, p); err != nil {
			return err
		}
		imp.rep.Updated++
		return nil
	}
	base := p.Slug
	for n := 2; ; n++ {
		if _, err := imp.tx.FindPostBySlug(ctx, p.Kind, p.Slug); content.IsNotFound(err) {
			break
		} else if err != nil {
			return err
		}
		p.Slug = base + "-" + strconv.Itoa(n)
	}
	if err := imp.tx.CreatePost(ctx, p); err != nil {
		return err
	}
	imp.rep.Created++
	return nil
}

// alias keeps the item's old URL, when it differs from the new one, as a
// redirect to the post.
func (imp *importer) alias(ctx context.Context, it *Item, p *content.Post) error {
	if it.Link == "" {
		return nil
	}
	u, err := url.Parse(it.Link)
	if err != nil || u.Path == "" || u.RawQuery != "" {
		return nil
	}
	path := u.EscapedPath()
	if imp.base != nil && imp.base.Path != "" && imp.base.Path != "/" {
		path = strings.TrimPrefix(path, strings.TrimSuffix(imp.base.Path, "/"))
	}
	if path == p.Path() || path == "/" {
		return nil
	}
	imp.rep.Aliases++
	return imp.tx.PutAlias(ctx, &content.Alias{Path: path, PostID: p.ID})
}

func samePost(a, b *content.Post) bool {
	same := a.Kind == b.Kind && a.Title == b.Title && a.Slug == b.Slug && a.Status == b.Status &&
		a.PublishedAt.Equal(b.PublishedAt) && a.Body == b.Body && a.Excerpt == b.Excerpt &&
		a.Source.IsZero() == b.Source.IsZero() && len(a.Authors) == len(b.Authors) &&
		len(a.Categories) == len(b.Categories) && len(a.Tags) == len(b.Tags)
	if !same {
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

func importKey(it *Item, base *url.URL) string {
	if it.GUID != "" {
		return it.GUID
	}
	if base != nil {
		return base.String() + "/?p=" + strconv.FormatInt(it.PostID, 10)
	}
	return "wxr-post-" + strconv.FormatInt(it.PostID, 10)
}

const wpTime = "2006-01-02 15:04:05"

// itemTime returns an entry's publication time in UTC: the GMT date, else
// the local date, else the RSS pubDate; drafts may have none.
func itemTime(it *Item) (time.Time, error) {
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

func itemSource(it *Item) *content.Source {
	s := &content.Source{
		Name:   strings.TrimSpace(it.MetaValue(MetaSourceName)),
		URL:    strings.TrimSpace(it.MetaValue(MetaSourceURL)),
		Author: strings.TrimSpace(it.MetaValue(MetaSourceAuthor)),
	}
	if v := strings.TrimSpace(it.MetaValue(MetaSourcePublished)); v != "" {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			s.PublishedAt = t.UTC()
		}
	}
	if s.URL != "" && content.ValidateHTTPURL(s.URL) != nil {
		s.URL = ""
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
