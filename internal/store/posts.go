package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/search"
)

// postColumns are read by every post query, in scanPost's order. Listings
// leave the body out (see PostFilter.WithBody) and read ” in its place.
const postColumns = `p.id, p.kind, p.title, p.slug, p.status, p.published_at, p.created_at, p.updated_at,
	p.format, p.excerpt, p.teaser_html, p.has_more, p.source_name, p.source_url, p.source_author,
	p.source_published_at, COALESCE(p.import_key, ''), p.canonical_source,
	p.sticky, COALESCE(p.parent_id, 0), p.menu_order, p.seo_title, p.seo_description, COALESCE(p.outlet_id, 0),
	p.source_title, p.source_feed, p.source_feed_title, p.details, p.password, p.published_offset, p.comments_closed`

func scanPost(row interface{ Scan(...any) error }, extra ...any) (*content.Post, error) {
	var (
		p                                content.Post
		pub, created, updated, srcPub    int64
		hasMore, canonicalSource, sticky int
		commentsClosed                   int
		srcName, srcURL, srcAuthor       string
		srcTitle, srcFeed, srcFeedTitle  string
		details                          string
	)
	dest := []any{&p.ID, &p.Kind, &p.Title, &p.Slug, &p.Status, &pub, &created, &updated,
		&p.Format, &p.Excerpt, &p.TeaserHTML, &hasMore, &srcName, &srcURL, &srcAuthor, &srcPub, &p.ImportKey, &canonicalSource,
		&sticky, &p.ParentID, &p.MenuOrder, &p.SEOTitle, &p.SEODescription, &p.OutletID, &srcTitle, &srcFeed, &srcFeedTitle, &details, &p.Password, &p.PublishedOffset, &commentsClosed}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	if err := decodeDetails(&p, details); err != nil {
		return nil, err
	}
	p.PublishedAt, p.CreatedAt, p.UpdatedAt = fromUnix(pub), fromUnix(created), fromUnix(updated)
	p.HasMore, p.Sticky = hasMore != 0, sticky != 0
	p.CanonicalSource = canonicalSource != 0
	p.CommentsClosed = commentsClosed != 0
	src := &content.Source{Name: srcName, URL: srcURL, Author: srcAuthor, PublishedAt: fromUnix(srcPub),
		Title: srcTitle, Feed: srcFeed, FeedTitle: srcFeedTitle}
	if !src.IsZero() {
		p.Source = src
	}
	return &p, nil
}

// FindPostByID returns the post with the given id, with its body.
func (c conn) FindPostByID(ctx context.Context, id int64) (*content.Post, error) {
	return c.findPost(ctx, `p.id = ?`, id)
}

// FindPostBySlug returns the entry of the given kind and slug, with its body.
func (c conn) FindPostBySlug(ctx context.Context, kind content.Kind, slug string) (*content.Post, error) {
	return c.findPost(ctx, `p.kind = ? AND p.slug = ?`, kind, slug)
}

// FindPostByImportKey returns the entry imported under key, with its body.
func (c conn) FindPostByImportKey(ctx context.Context, key string) (*content.Post, error) {
	return c.findPost(ctx, `p.import_key = ?`, key)
}

func (c conn) findPost(ctx context.Context, where string, args ...any) (*content.Post, error) {
	var body, bodyHTML string
	p, err := scanPost(c.queryRow(ctx, `SELECT `+postColumns+`, p.body, p.body_html FROM posts p WHERE `+where, args...), &body, &bodyHTML)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, content.Errorf(content.ENotFound, "No such post.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find post: %w", err)
	}
	p.Body, p.BodyHTML = body, bodyHTML
	if err := c.loadRelations(ctx, []*content.Post{p}); err != nil {
		return nil, err
	}
	return p, nil
}

// PostFilter selects posts for listings. Zero fields select everything.
type PostFilter struct {
	Kind     content.Kind     // default KindPost
	Statuses []content.Status // any of these; empty means any status
	// PublishedBefore, when set, keeps posts published at or before it.
	PublishedBefore time.Time
	// From and To bound the publication time: From <= t < To.
	From, To time.Time
	// LocalFrom and LocalTo bound it on the posts' own clocks (see
	// content.Post.PublishedOffset), given as wall-clock times in UTC: a
	// date archive lists the posts whose addresses name its days.
	LocalFrom, LocalTo time.Time
	TermID             int64 // posts in this category or tag
	AuthorID           int64 // posts by this author
	Outlet             int64 // posts republished from this source desk outlet
	Offset             int
	Limit              int  // 0 means no limit
	WithBody           bool // also read body and body_html
}

// Published returns a filter for what readers may see at now.
func Published(now time.Time) PostFilter {
	return PostFilter{Kind: content.KindPost, Statuses: []content.Status{content.StatusPublished}, PublishedBefore: now}
}

func (f PostFilter) where() (string, []any) {
	return f.conds("p", "p.id", true, true)
}

// conds builds the conditions on the columns of the table aliased a
// (posts p, or a link table carrying its post's kind, status and
// publication time), whose post ID is id; the conditions on TermID and
// AuthorID are left out when not asked for (a listing reads from those
// links).
func (f PostFilter) conds(a, id string, term, author bool) (string, []any) {
	kind := f.Kind
	if kind == "" {
		kind = content.KindPost
	}
	conds := []string{a + ".kind = ?"}
	args := []any{kind}
	if len(f.Statuses) > 0 {
		conds = append(conds, a+".status IN ("+placeholders(len(f.Statuses))+")")
		for _, s := range f.Statuses {
			args = append(args, s)
		}
	}
	// One upper bound, the tighter: given two on the same column, the
	// engines may range the index by the looser one and walk the rest.
	// Times are whole seconds, so t < To is t <= To-1.
	upper, bounded := int64(0), false
	if !f.PublishedBefore.IsZero() {
		upper, bounded = f.PublishedBefore.Unix(), true
	}
	if !f.To.IsZero() && (!bounded || f.To.Unix()-1 < upper) {
		upper, bounded = f.To.Unix()-1, true
	}
	// Bounds on the posts' own clocks are bounds on the publication time
	// widened by the largest offset, so that the index ranges by them,
	// then the exact condition.
	if !f.LocalTo.IsZero() && (!bounded || f.LocalTo.Unix()-1+content.MaxPublishedOffset < upper) {
		upper, bounded = f.LocalTo.Unix()-1+content.MaxPublishedOffset, true
	}
	if bounded {
		conds = append(conds, a+".published_at <= ?")
		args = append(args, upper)
	}
	lower, lowered := f.From.Unix(), !f.From.IsZero()
	if !f.LocalFrom.IsZero() && (!lowered || f.LocalFrom.Unix()-content.MaxPublishedOffset > lower) {
		lower, lowered = f.LocalFrom.Unix()-content.MaxPublishedOffset, true
	}
	if lowered {
		conds = append(conds, a+".published_at >= ?")
		args = append(args, lower)
	}
	if !f.LocalFrom.IsZero() || !f.LocalTo.IsZero() {
		local, largs := []string{}, []any{}
		if !f.LocalFrom.IsZero() {
			local, largs = append(local, "published_at + published_offset >= ?"), append(largs, f.LocalFrom.Unix())
		}
		if !f.LocalTo.IsZero() {
			local, largs = append(local, "published_at + published_offset < ?"), append(largs, f.LocalTo.Unix())
		}
		if a == "p" {
			conds = append(conds, "p."+strings.Join(local, " AND p."))
		} else {
			// The links carry no offset: their posts' are read.
			conds = append(conds, id+" IN (SELECT id FROM posts WHERE "+strings.Join(local, " AND ")+")")
		}
		args = append(args, largs...)
	}
	// IN lists rather than correlated EXISTS: the engines read the term's
	// or author's posts once from their index instead of probing per post.
	if f.TermID != 0 && term {
		conds = append(conds, id+" IN (SELECT pt.post_id FROM post_terms pt WHERE pt.term_id = ?)")
		args = append(args, f.TermID)
	}
	if f.AuthorID != 0 && author {
		conds = append(conds, id+" IN (SELECT pa.post_id FROM post_authors pa WHERE pa.user_id = ?)")
		args = append(args, f.AuthorID)
	}
	if f.Outlet != 0 {
		if a == "p" {
			conds = append(conds, "p.outlet_id = ?")
		} else {
			conds = append(conds, id+" IN (SELECT po.id FROM posts po WHERE po.outlet_id = ?)")
		}
		args = append(args, f.Outlet)
	}
	return strings.Join(conds, " AND "), args
}

// listing is where the rows of a listing come from: a category's, tag's
// or author's archive walks its links, which carry their post's kind,
// status, publication time and last update in an index ordered as the
// listing is (post_terms_listing, post_authors_listing); other listings
// walk the posts (posts_listing).
type listing struct {
	from  string // the table the walk reads, with its alias
	a, id string // that alias and its post ID column
	where string // the filter's conditions on it
	args  []any
}

func (f PostFilter) listing() listing {
	switch {
	case f.TermID != 0:
		where, args := f.conds("pt", "pt.post_id", false, true)
		return listing{from: "post_terms pt", a: "pt", id: "pt.post_id",
			where: "pt.term_id = ? AND " + where, args: append([]any{f.TermID}, args...)}
	case f.AuthorID != 0:
		where, args := f.conds("pa", "pa.post_id", false, false)
		return listing{from: "post_authors pa", a: "pa", id: "pa.post_id",
			where: "pa.user_id = ? AND " + where, args: append([]any{f.AuthorID}, args...)}
	}
	where, args := f.where()
	return listing{from: "posts p", a: "p", id: "p.id", where: where, args: args}
}

// versionColumns are what names the versions of the listing's posts:
// their ids, publication times and last updates, as the table it walks
// holds them.
func (l listing) versionColumns() string {
	return l.id + ", " + l.a + ".published_at, " + l.a + ".updated_at"
}

// query returns the statement reading cols of the listing's posts, with
// more conditions (on the listing's alias) and what follows ORDER BY. A
// walk of links joins their posts, unless it reads the versions alone.
func (l listing) query(cols, more string) string {
	from, where := l.from, l.where+more
	if l.a != "p" && cols != l.versionColumns() {
		// CROSS JOIN keeps SQLite's join order: links first, each post
		// then by its key.
		from, where = l.from+" CROSS JOIN posts p", where+" AND p.id = "+l.id
	}
	return `SELECT ` + cols + ` FROM ` + from + ` WHERE ` + where +
		` ORDER BY ` + l.a + `.published_at DESC, ` + l.id + ` DESC`
}

// FindPosts returns one page of the posts matching f, newest first, with
// their authors and terms, and the number of all matching posts.
func (c conn) FindPosts(ctx context.Context, f PostFilter) ([]*content.Post, int, error) {
	cols := postColumns + `, '', ''`
	if f.WithBody {
		cols = postColumns + `, p.body, p.body_html`
	}
	var posts []*content.Post
	total, err := c.findPage(ctx, f, cols, func(rows *sql.Rows) (cursor, error) {
		var body, bodyHTML string
		p, err := scanPost(rows, &body, &bodyHTML)
		if err != nil {
			return cursor{}, err
		}
		p.Body, p.BodyHTML = body, bodyHTML
		posts = append(posts, p)
		return cursor{pub: p.PublishedAt.Unix(), id: p.ID}, nil
	})
	if err != nil {
		return nil, 0, err
	}
	if err := c.loadRelations(ctx, posts); err != nil {
		return nil, 0, err
	}
	return posts, total, nil
}

// PostVersion names one version of a post: a post is rewritten, with a new
// UpdatedAt, by every edit.
type PostVersion struct {
	ID          int64
	PublishedAt time.Time
	UpdatedAt   time.Time
}

// FindPostVersions is FindPosts reading only which posts a page lists and
// their versions, for callers that keep what they render of each post
// (FindPostsByIDs reads those they lack): one query instead of three, and
// no text.
//
// While the process hears every change (see caches), a page read is
// remembered until the next change or the moment a post dated in the
// future becomes public; the slice returned is the caller's own.
func (c conn) FindPostVersions(ctx context.Context, f PostFilter) ([]PostVersion, int, error) {
	memo := c.memo()
	key, now := "", f.PublishedBefore
	var gen uint64
	if memo != nil && !now.IsZero() && f.Limit > 0 {
		f.PublishedBefore = memo.settle(ctx, c, now)
		l := f.listing()
		key = memo.pageKey(l.where, l.args) + "@" + strconv.Itoa(f.Offset) + "+" + strconv.Itoa(f.Limit)
		var p versionsPage
		var ok bool
		if p, gen, ok = memo.pages.Get(key, now); ok {
			return p.versions, p.total, nil
		}
	}
	// A reader going through every page of the listing has the next ones
	// read with its second one (see DB.ReadAhead): most listings, and
	// every feed, have one page read.
	pages := 1
	if key != "" && f.Offset > 0 {
		pages = max(memo.readAhead(), 1)
	}
	limit := f.Limit
	f.Limit *= pages
	var vs []PostVersion
	total, err := c.findPage(ctx, f, f.listing().versionColumns(), func(rows *sql.Rows) (cursor, error) {
		var v PostVersion
		var pub, updated int64
		if err := rows.Scan(&v.ID, &pub, &updated); err != nil {
			return cursor{}, err
		}
		v.PublishedAt, v.UpdatedAt = fromUnix(pub), fromUnix(updated)
		vs = append(vs, v)
		return cursor{pub: pub, id: v.ID}, nil
	})
	if err != nil {
		return nil, 0, err
	}
	if key == "" {
		return vs, total, nil
	}
	if pages > 1 {
		memo.noteListed(vs, gen)
	}
	// Each page read is kept under its own offset, and where it starts.
	l := f.listing()
	listing := memo.pageKey(l.where, l.args)
	for i := 0; i == 0 || i*limit < len(vs); i++ {
		offset := f.Offset + i*limit
		page := vs[i*limit : min((i+1)*limit, len(vs)) : min((i+1)*limit, len(vs))]
		if i > 0 { // a page that starts after the previous one's last post
			last := vs[i*limit-1]
			memo.putCursor(listing, offset, cursor{pub: last.PublishedAt.Unix(), id: last.ID}, gen)
		}
		memo.pages.Put(listing+"@"+strconv.Itoa(offset)+"+"+strconv.Itoa(limit), versionsPage{page, total}, gen, now)
	}
	return vs[:min(limit, len(vs)):min(limit, len(vs))], total, nil
}

// findPage reads one page of the posts matching f, newest first,
// selecting cols, and counts them all; scan reads each row and returns
// where it stands in the listing.
func (c conn) findPage(ctx context.Context, f PostFilter, cols string, scan func(*sql.Rows) (cursor, error)) (int, error) {
	// Any instant until the next scheduled post goes public lists the same
	// posts: naming them all by one lets counts and cursors be reused.
	memo := c.memo()
	f.PublishedBefore = memo.settle(ctx, c, f.PublishedBefore)
	l := f.listing()
	q, args := l.query(cols, ""), l.args
	pageKey := ""
	if f.Limit > 0 {
		// Page after page (an export, a crawler) starts each page where
		// the previous one ended instead of skipping Offset rows again.
		var cur cursor
		var ok bool
		if pageKey = memo.pageKey(l.where, l.args); pageKey != "" {
			cur, ok = memo.cursor(pageKey, f.Offset)
		}
		if ok {
			// The cursor is the listing's upper bound now (one bound, so
			// the index seeks to it).
			after := f
			after.PublishedBefore = time.Unix(cur.pub, 0)
			after.To = time.Time{}
			if !f.To.IsZero() && f.To.Unix()-1 < cur.pub {
				after.To = f.To
			}
			al := after.listing()
			q = al.query(cols, ` AND (`+al.a+`.published_at < ? OR `+al.id+` < ?)`) + ` LIMIT ?`
			args = append(al.args, cur.pub, cur.id, f.Limit)
		} else {
			q += ` LIMIT ? OFFSET ?`
			args = append(args, f.Limit, f.Offset)
		}
	}
	gen := memo.generation()
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("store: find posts: %w", err)
	}
	defer rows.Close()
	n := 0
	var last cursor
	for rows.Next() {
		if last, err = scan(rows); err != nil {
			return 0, fmt.Errorf("store: scan post: %w", err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: find posts: %w", err)
	}
	if pageKey != "" && n == f.Limit {
		memo.putCursor(pageKey, f.Offset+f.Limit, last, gen)
	}
	if f.Offset == 0 && (f.Limit <= 0 || n < f.Limit) {
		// The whole listing is this page (most day archives, a new
		// tag's): it needs no count.
		return n, nil
	}
	return c.countPosts(ctx, f)
}

// FindPostsByIDs returns the posts with the given IDs, without their
// bodies, with their authors and terms, in the order of ids; IDs of posts
// that do not exist are left out.
//
// A reader going through every listing may have them read ahead (see
// DB.ReadAhead).
func (c conn) FindPostsByIDs(ctx context.Context, ids []int64) ([]*content.Post, error) {
	if memo := c.memo(); memo != nil && len(ids) > 0 {
		if n := memo.readAhead(); n > 0 {
			return c.postsAhead(ctx, memo, ids, n)
		}
	}
	return c.findPostsByIDs(ctx, ids, false)
}

// FindPostsWithBodyByIDs is FindPostsByIDs reading the posts' bodies too.
func (c conn) FindPostsWithBodyByIDs(ctx context.Context, ids []int64) ([]*content.Post, error) {
	return c.findPostsByIDs(ctx, ids, true)
}

func (c conn) findPostsByIDs(ctx context.Context, ids []int64, withBody bool) ([]*content.Post, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	cols := postColumns + `, '', ''`
	if withBody {
		cols = postColumns + `, p.body, p.body_html`
	}
	rows, err := c.query(ctx, `SELECT `+cols+` FROM posts p WHERE p.id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find posts by id: %w", err)
	}
	defer rows.Close()
	byID := make(map[int64]*content.Post, len(ids))
	for rows.Next() {
		var body, bodyHTML string
		p, err := scanPost(rows, &body, &bodyHTML)
		if err != nil {
			return nil, fmt.Errorf("store: scan post: %w", err)
		}
		p.Body, p.BodyHTML = body, bodyHTML
		byID[p.ID] = p
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: find posts by id: %w", err)
	}
	posts := make([]*content.Post, 0, len(byID))
	for _, id := range ids {
		if p := byID[id]; p != nil {
			posts = append(posts, p)
			delete(byID, id) // an ID asked for twice is listed once
		}
	}
	if err := c.loadRelations(ctx, posts); err != nil {
		return nil, err
	}
	return posts, nil
}

// FindAdjacentPosts returns the published posts just before (older) and
// after (newer) p, without bodies, authors or terms, or nil where there is
// none; one query for both.
func (c conn) FindAdjacentPosts(ctx context.Context, p *content.Post, now time.Time) (older, newer *content.Post, err error) {
	pub := p.PublishedAt.Unix()
	upper := min(pub, now.Unix())
	q, args := adjacentSQL(now, postColumns+`, '', ''`, sqlExpr{"?", []any{upper}}, sqlExpr{"?", []any{pub}}, sqlExpr{"?", []any{p.ID}})
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("store: adjacent posts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var body, bodyHTML string
		var side int
		q, err := scanPost(rows, &body, &bodyHTML, &side)
		if err != nil {
			return nil, nil, fmt.Errorf("store: adjacent posts: %w", err)
		}
		if side == 1 {
			older = q
		} else {
			newer = q
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store: adjacent posts: %w", err)
	}
	return older, newer, nil
}

// loadRelations fills the authors and terms of posts with one query,
// whatever their number: authors first, then terms, each in the order
// given. Outside a transaction it takes those remembered since the last
// change (caches) and reads only the others.
func (c conn) loadRelations(ctx context.Context, posts []*content.Post) error {
	if len(posts) == 0 {
		return nil
	}
	memo := c.memo()
	var gen uint64
	if memo != nil {
		ids := make([]int64, len(posts))
		for i, p := range posts {
			ids[i] = p.ID
		}
		var known map[int64]relations
		known, gen = memo.relations(ids)
		var missing []*content.Post
		for _, p := range posts {
			if r, ok := known[p.ID]; ok { // copies, the caller's own
				p.Authors, p.Categories, p.Tags = r.authors, r.categories, r.tags
			} else {
				missing = append(missing, p)
			}
		}
		if posts = missing; len(posts) == 0 {
			return nil
		}
		if ok, err := c.loadKnownRelations(ctx, memo, posts, gen); ok || err != nil {
			return err
		}
	}
	byID := make(map[int64]*content.Post, len(posts))
	for _, p := range posts {
		byID[p.ID] = p
	}
	ids, in := relationArgs(posts)
	// One row shape for both: an author's email, role and bio stand where
	// a term's taxonomy, description and parent do.
	rows, err := c.query(ctx, `SELECT pa.post_id, 0 AS rel, pa.position, u.id, u.slug, u.name, u.email, u.role, u.bio, 0 AS parent
		FROM post_authors pa JOIN users u ON u.id = pa.user_id WHERE pa.post_id IN (`+in+`)
		UNION ALL
		SELECT pt.post_id, 1, pt.position, t.id, t.slug, t.name, t.taxonomy, t.description, '', COALESCE(t.parent_id, 0)
		FROM post_terms pt JOIN terms t ON t.id = pt.term_id WHERE pt.post_id IN (`+in+`)
		ORDER BY 1, 2, 3`, ids...)
	if err != nil {
		return fmt.Errorf("store: load authors and terms: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			postID, id, parent  int64
			rel, position       int
			slug, name, x, y, z string
		)
		if err := rows.Scan(&postID, &rel, &position, &id, &slug, &name, &x, &y, &z, &parent); err != nil {
			return fmt.Errorf("store: scan author or term: %w", err)
		}
		p := byID[postID]
		if rel == 0 {
			p.Authors = append(p.Authors, content.User{ID: id, Slug: slug, Name: name, Email: x, Role: content.Role(y), Bio: z})
			continue
		}
		t := content.Term{ID: id, Taxonomy: content.Taxonomy(x), Slug: slug, Name: name, Description: y, ParentID: parent}
		if t.Taxonomy == content.TaxTag {
			p.Tags = append(p.Tags, t)
		} else {
			p.Categories = append(p.Categories, t)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: load authors and terms: %w", err)
	}
	if memo != nil {
		read := make(map[int64]relations, len(posts))
		for _, p := range posts {
			read[p.ID] = relations{slices.Clone(p.Authors), slices.Clone(p.Categories), slices.Clone(p.Tags)}
		}
		memo.putRelations(read, gen)
	}
	return nil
}

// CreatePost validates and inserts p with its links to authors and terms
// (which must exist: their IDs are used), setting p.ID and its times.
func (tx *Tx) CreatePost(ctx context.Context, p *content.Post) error {
	_, err := tx.createPost(ctx, p, false)
	return err
}

// CreatePostFreeSlug is CreatePost for a post whose slug, when another
// entry of its kind has it, is replaced by the one free returns: the insert
// itself tells whether the slug is free, so that a post whose slug is free
// (nearly every post of an import) costs no query to check it.
func (tx *Tx) CreatePostFreeSlug(ctx context.Context, p *content.Post, free func(ctx context.Context) (string, error)) error {
	if created, err := tx.createPost(ctx, p, true); err != nil || created {
		return err
	}
	slug, err := free(ctx)
	if err != nil {
		return err
	}
	p.Slug = slug
	return tx.CreatePost(ctx, p)
}

// postInsertColumns are the columns createPost writes, in the order of
// its values.
const postInsertColumns = `kind, title, slug, status, published_at, created_at, updated_at,
	format, body, excerpt, body_html, teaser_html, has_more, source_name, source_url, source_author,
	source_published_at, import_key, canonical_source, sticky, parent_id, menu_order, seo_title, seo_description,
	source_title, source_feed, source_feed_title, details, event_starts_at, event_ends_at, password, published_offset,
	comments_closed`

// createPost inserts p; ifFree inserts it only when its slug is free,
// reporting whether it did.
func (tx *Tx) createPost(ctx context.Context, p *content.Post, ifFree bool) (bool, error) {
	if err := p.Validate(); err != nil {
		return false, err
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = tx.Now
	}
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = tx.Now
	}
	src := p.Source
	if src == nil {
		src = &content.Source{}
	}
	var importKey any
	if p.ImportKey != "" {
		importKey = p.ImportKey
	}
	if p.Event != nil && p.Event.Sequence < 0 {
		p.Event.Sequence = 0
	}
	details, starts, ends, err := encodeDetails(p)
	if err != nil {
		return false, err
	}
	vals := []any{p.Kind, p.Title, p.Slug, p.Status, unix(p.PublishedAt), unix(p.CreatedAt), unix(p.UpdatedAt),
		p.Format, p.Body, p.Excerpt, p.BodyHTML, p.TeaserHTML, boolInt(p.HasMore), src.Name, src.URL, src.Author,
		unix(src.PublishedAt), importKey, boolInt(p.CanonicalSource), boolInt(p.Sticky), nullID(p.ParentID), p.MenuOrder,
		p.SEOTitle, p.SEODescription, src.Title, src.Feed, src.FeedTitle, details, starts, ends, p.Password, p.PublishedOffset,
		boolInt(p.CommentsClosed)}
	id, kept, err := tx.keepNew(ctx, "posts", postInsertColumns, postKeys(p), vals)
	if err != nil {
		return false, fmt.Errorf("store: create post %q: %w", p.Slug, err)
	}
	if kept {
		p.ID = id
	} else {
		onSlug := ""
		if ifFree {
			onSlug = ` ON CONFLICT (kind, slug) DO NOTHING`
		}
		err = tx.queryRow(ctx, `INSERT INTO posts (`+postInsertColumns+`) VALUES (`+placeholders(len(vals))+`)`+onSlug+` RETURNING id`,
			vals...).Scan(&p.ID)
		if ifFree && errors.Is(err, sql.ErrNoRows) {
			return false, nil // the slug is taken
		}
		if tx.d.isUniqueViolation(err) {
			return false, &content.Error{Code: content.EConflict, Field: "slug",
				Message: fmt.Sprintf("another %s already has the slug %q", p.Kind, p.Slug)}
		}
		if err != nil {
			return false, fmt.Errorf("store: create post %q: %w", p.Slug, err)
		}
		tx.wroteNew("posts", postKeys(p))
	}
	tx.touchPost(p.ID, p.Status == content.StatusPublished, false)
	if tx.bulk != nil {
		tx.bulk.versions[p.ID] = 0
	}
	if err := search.Index(ctx, searchConn{tx.conn}, p); err != nil {
		return false, fmt.Errorf("store: %w", err)
	}
	return true, tx.linkPost(ctx, p)
}

// UpdatePost validates p and overwrites the stored post with the same ID,
// with its links to authors and terms.
func (tx *Tx) UpdatePost(ctx context.Context, p *content.Post) error {
	if err := p.Validate(); err != nil {
		return err
	}
	p.UpdatedAt = tx.Now
	var wasStatus content.Status
	var wasDetails string
	if err := tx.queryRow(ctx, `SELECT status, details FROM posts WHERE id = ?`, p.ID).Scan(&wasStatus, &wasDetails); errors.Is(err, sql.ErrNoRows) {
		return content.Errorf(content.ENotFound, "Post %d does not exist.", p.ID)
	} else if err != nil {
		return fmt.Errorf("store: update post %d: %w", p.ID, err)
	}
	src := p.Source
	if src == nil {
		src = &content.Source{}
	}
	var importKey any
	if p.ImportKey != "" {
		importKey = p.ImportKey
	}
	if p.Event != nil {
		// A calendar that added the event takes the latest version by its
		// sequence: each change of time, place or status counts one.
		var was content.Post
		if err := decodeDetails(&was, wasDetails); err == nil && was.Event != nil {
			p.Event.Sequence = was.Event.Sequence
			if was.Event.Changed(p.Event) {
				p.Event.Sequence++
			}
		}
	}
	details, starts, ends, err := encodeDetails(p)
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, `UPDATE posts SET kind = ?, title = ?, slug = ?, status = ?, published_at = ?, updated_at = ?,
		format = ?, body = ?, excerpt = ?, body_html = ?, teaser_html = ?, has_more = ?, source_name = ?, source_url = ?,
		source_author = ?, source_published_at = ?, import_key = ?, canonical_source = ?, sticky = ?, parent_id = ?,
		menu_order = ?, seo_title = ?, seo_description = ?, source_title = ?, source_feed = ?, source_feed_title = ?,
		details = ?, event_starts_at = ?, event_ends_at = ?, password = ?, published_offset = ?,
		comments_closed = ? WHERE id = ?`,
		p.Kind, p.Title, p.Slug, p.Status, unix(p.PublishedAt), unix(p.UpdatedAt),
		p.Format, p.Body, p.Excerpt, p.BodyHTML, p.TeaserHTML, boolInt(p.HasMore), src.Name, src.URL, src.Author,
		unix(src.PublishedAt), importKey, boolInt(p.CanonicalSource), boolInt(p.Sticky), nullID(p.ParentID), p.MenuOrder,
		p.SEOTitle, p.SEODescription, src.Title, src.Feed, src.FeedTitle, details, starts, ends, p.Password, p.PublishedOffset,
		boolInt(p.CommentsClosed), p.ID)
	if tx.d.isUniqueViolation(err) {
		return &content.Error{Code: content.EConflict, Field: "slug",
			Message: fmt.Sprintf("another %s already has the slug %q", p.Kind, p.Slug)}
	}
	if err != nil {
		return fmt.Errorf("store: update post %d: %w", p.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return content.Errorf(content.ENotFound, "Post %d does not exist.", p.ID)
	}
	tx.touchPost(p.ID, p.Status == content.StatusPublished, wasStatus == content.StatusPublished)
	if _, err := tx.exec(ctx, `DELETE FROM post_authors WHERE post_id = ?`, p.ID); err != nil {
		return fmt.Errorf("store: unlink authors of post %d: %w", p.ID, err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM post_terms WHERE post_id = ?`, p.ID); err != nil {
		return fmt.Errorf("store: unlink terms of post %d: %w", p.ID, err)
	}
	if err := search.Index(ctx, searchConn{tx.conn}, p); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return tx.linkPost(ctx, p)
}

// UpdatePostAddresses stores p's body, rendered HTML, teaser and parent
// page when nothing else of it changed and only addresses in them did, as
// when an import's second pass points links at entries it wrote later: the
// text a reader searches, the post's authors and terms and its revisions
// stay as they are, so none of them is written again.
//
// In a bulk transaction the update is kept with others, written before
// the next statement naming the posts; a post that does not exist is then
// not reported.
func (tx *Tx) UpdatePostAddresses(ctx context.Context, p *content.Post) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if tx.bulk != nil {
		// Many posts in one statement: SQLite and PostgreSQL both name
		// the columns of VALUES column1, column2, ….
		err := tx.insertRow(ctx, "posts", `UPDATE posts SET body = v.column2, body_html = v.column3, teaser_html = v.column4,
			parent_id = v.column5, updated_at = v.column6 FROM (VALUES `,
			`(CAST(? AS BIGINT), ?, ?, ?, CAST(? AS BIGINT), CAST(? AS BIGINT))`, `) AS v WHERE posts.id = v.column1`,
			strconv.FormatInt(p.ID, 10), p.ID, p.Body, p.BodyHTML, p.TeaserHTML, nullID(p.ParentID), unix(tx.Now))
		if err != nil {
			return fmt.Errorf("store: update addresses in post %d: %w", p.ID, err)
		}
	} else {
		res, err := tx.exec(ctx, `UPDATE posts SET body = ?, body_html = ?, teaser_html = ?, parent_id = ?, updated_at = ? WHERE id = ?`,
			p.Body, p.BodyHTML, p.TeaserHTML, nullID(p.ParentID), unix(tx.Now), p.ID)
		if err != nil {
			return fmt.Errorf("store: update addresses in post %d: %w", p.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return content.Errorf(content.ENotFound, "Post %d does not exist.", p.ID)
		}
	}
	if unix(p.UpdatedAt) != unix(tx.Now) {
		// The links carry the post's last update (see linkPost).
		for _, table := range []string{"post_authors", "post_terms"} {
			if _, err := tx.exec(ctx, `UPDATE `+table+` SET updated_at = ? WHERE post_id = ?`, unix(tx.Now), p.ID); err != nil {
				return fmt.Errorf("store: update addresses in post %d: %w", p.ID, err)
			}
		}
	}
	p.UpdatedAt = tx.Now
	tx.touchPost(p.ID, false, false)
	return nil
}

// DeletePost removes a post for good, with its links and aliases.
func (tx *Tx) DeletePost(ctx context.Context, id int64) error {
	res, err := tx.exec(ctx, `DELETE FROM posts WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("store: delete post %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return content.Errorf(content.ENotFound, "Post %d does not exist.", id)
	}
	tx.touchPost(id, false, false)
	if tx.bulk != nil {
		delete(tx.bulk.versions, id)
	}
	if err := search.Unindex(ctx, searchConn{tx.conn}, id); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// linkPost links p to its authors and terms; each link carries the post's
// kind, status, publication time and last update, by which archives are
// listed (see PostFilter.listing), so every write of a post writes its
// links again.
func (tx *Tx) linkPost(ctx context.Context, p *content.Post) error {
	pub, upd := unix(p.PublishedAt), unix(p.UpdatedAt)
	for i, a := range p.Authors {
		if err := tx.insertRow(ctx, "post_authors", `INSERT INTO post_authors (post_id, user_id, position, kind, status, published_at, updated_at) VALUES `,
			`(?, ?, ?, ?, ?, ?, ?)`, "", "", p.ID, a.ID, i, p.Kind, p.Status, pub, upd); err != nil {
			return fmt.Errorf("store: link post %d to author %d: %w", p.ID, a.ID, err)
		}
	}
	pos := 0
	for _, terms := range [][]content.Term{p.Categories, p.Tags} {
		for _, t := range terms {
			if err := tx.insertRow(ctx, "post_terms", `INSERT INTO post_terms (post_id, term_id, position, kind, status, published_at, updated_at) VALUES `,
				`(?, ?, ?, ?, ?, ?, ?)`, "", "", p.ID, t.ID, pos, p.Kind, p.Status, pub, upd); err != nil {
				return fmt.Errorf("store: link post %d to term %d: %w", p.ID, t.ID, err)
			}
			pos++
		}
	}
	return nil
}

// loadKnownRelations is loadRelations reading the posts' links alone, when
// the memo knows every author and term they name from earlier reads since
// the last change: without them it reads nothing and returns false, and
// the caller reads the links with their authors and terms.
func (c conn) loadKnownRelations(ctx context.Context, memo *caches, posts []*content.Post, gen uint64) (bool, error) {
	if !memo.knowsRelated() {
		return false, nil
	}
	ids, in := relationArgs(posts)
	rows, err := c.query(ctx, `SELECT pa.post_id, 0 AS rel, pa.position, pa.user_id FROM post_authors pa WHERE pa.post_id IN (`+in+`)
		UNION ALL
		SELECT pt.post_id, 1, pt.position, pt.term_id FROM post_terms pt WHERE pt.post_id IN (`+in+`)
		ORDER BY 1, 2, 3`, ids...)
	if err != nil {
		return false, fmt.Errorf("store: load authors and terms: %w", err)
	}
	defer rows.Close()
	var links []postLink
	for rows.Next() {
		var l postLink
		var position int
		if err := rows.Scan(&l.post, &l.rel, &position, &l.id); err != nil {
			return false, fmt.Errorf("store: scan author or term: %w", err)
		}
		links = append(links, l)
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("store: load authors and terms: %w", err)
	}
	read, ok := memo.resolve(posts, links, gen)
	if !ok {
		return false, nil
	}
	for _, p := range posts {
		r := read[p.ID]
		p.Authors, p.Categories, p.Tags = slices.Clone(r.authors), slices.Clone(r.categories), slices.Clone(r.tags)
	}
	memo.putRelations(read, gen)
	return true, nil
}

// relationArgs are the arguments of a query of posts' authors, then
// their terms: the posts' ids twice, and the placeholders for one list.
func relationArgs(posts []*content.Post) (ids []any, in string) {
	ids = make([]any, 0, 2*len(posts))
	for _, p := range posts {
		ids = append(ids, p.ID)
	}
	return append(ids, ids...), placeholders(len(posts))
}

// postLink is a post's link to an author (rel 0) or a term (rel 1) of the
// id, as loadKnownRelations reads it.
type postLink struct {
	post, id int64
	rel      int
}

// CountPosts returns how many entries of the kind there are, in any status.
func (c conn) CountPosts(ctx context.Context, kind content.Kind) (int, error) {
	var n int
	err := c.queryRow(ctx, `SELECT COUNT(*) FROM posts WHERE kind = ?`, kind).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count posts: %w", err)
	}
	return n, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// nullID stores an optional reference: 0 as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
