package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
)

// The source desk's tables: sources (content.Outlet), their feeds, and the
// inbox's items.

const outletColumns = `s.id, s.name, COALESCE(s.slug, ''), s.homepage, s.attribution, s.notes, s.canonical, s.interval_seconds,
	s.next_poll_at, s.last_polled_at, s.last_success_at, s.last_error, s.last_warning, s.failures, s.created_at, s.updated_at`

func scanOutlet(row interface{ Scan(...any) error }) (*content.Outlet, error) {
	var (
		o                                        content.Outlet
		interval, next, polled, success, cr, upd int64
	)
	err := row.Scan(&o.ID, &o.Name, &o.Slug, &o.Homepage, &o.Attribution, &o.Notes, &o.Canonical, &interval,
		&next, &polled, &success, &o.LastError, &o.LastWarning, &o.Failures, &cr, &upd)
	if err != nil {
		return nil, err
	}
	o.Interval = time.Duration(interval) * time.Second
	o.NextPollAt, o.LastPolledAt, o.LastSuccessAt = fromUnix(next), fromUnix(polled), fromUnix(success)
	o.CreatedAt, o.UpdatedAt = fromUnix(cr), fromUnix(upd)
	return &o, nil
}

// FindOutlets returns every source on the desk, by name, with its feeds.
func (c conn) FindOutlets(ctx context.Context) ([]*content.Outlet, error) {
	return c.findOutlets(ctx, `ORDER BY s.name, s.id`)
}

// FindOutletByID returns one source with its feeds.
func (c conn) FindOutletByID(ctx context.Context, id int64) (*content.Outlet, error) {
	os, err := c.findOutlets(ctx, `WHERE s.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(os) == 0 {
		return nil, content.Errorf(content.ENotFound, "Source %d does not exist.", id)
	}
	return os[0], nil
}

// FindDueOutlets returns the sources whose next poll is at or before now
// and that no process holds, the most overdue first.
func (c conn) FindDueOutlets(ctx context.Context, now time.Time) ([]*content.Outlet, error) {
	return c.findOutlets(ctx, `WHERE s.next_poll_at <= ? AND s.claimed_until <= ? ORDER BY s.next_poll_at, s.id`,
		now.Unix(), now.Unix())
}

func (c conn) findOutlets(ctx context.Context, tail string, args ...any) ([]*content.Outlet, error) {
	rows, err := c.query(ctx, `SELECT `+outletColumns+` FROM sources s `+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find sources: %w", err)
	}
	var (
		out  []*content.Outlet
		byID = map[int64]*content.Outlet{}
		ids  []any
	)
	for rows.Next() {
		o, err := scanOutlet(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: scan source: %w", err)
		}
		out = append(out, o)
		byID[o.ID] = o
		ids = append(ids, o.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: find sources: %w", err)
	}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err = c.query(ctx, `SELECT source_id, id, url, title, etag, last_modified FROM source_feeds
		WHERE source_id IN (`+placeholders(len(ids))+`) ORDER BY source_id, position, id`, ids...)
	if err != nil {
		return nil, fmt.Errorf("store: find feeds: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			sid int64
			f   content.Feed
		)
		if err := rows.Scan(&sid, &f.ID, &f.URL, &f.Title, &f.ETag, &f.LastModified); err != nil {
			return nil, fmt.Errorf("store: scan feed: %w", err)
		}
		byID[sid].Feeds = append(byID[sid].Feeds, f)
	}
	return out, rows.Err()
}

// CreateOutlet validates and inserts o with its feeds, setting its ID and
// times. A new source is due at once.
func (tx *Tx) CreateOutlet(ctx context.Context, o *content.Outlet) error {
	o.Normalize()
	if err := o.Validate(); err != nil {
		return err
	}
	o.CreatedAt, o.UpdatedAt = tx.Now, tx.Now
	if o.NextPollAt.IsZero() {
		o.NextPollAt = tx.Now
	}
	slug, err := tx.freeOutletSlug(ctx, o.Name)
	if err != nil {
		return err
	}
	o.Slug = slug
	err = tx.queryRow(ctx, `INSERT INTO sources (name, slug, homepage, attribution, notes, canonical, interval_seconds,
		next_poll_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		o.Name, o.Slug, o.Homepage, o.Attribution, o.Notes, o.Canonical, int64(o.Interval/time.Second),
		unix(o.NextPollAt), unix(o.CreatedAt), unix(o.UpdatedAt)).Scan(&o.ID)
	if err != nil {
		return fmt.Errorf("store: create source %q: %w", o.Name, err)
	}
	return tx.putFeeds(ctx, o)
}

// UpdateOutlet validates o and overwrites the editable fields of the stored
// source (name, homepage, feeds, attribution, notes, canonical, interval).
// Feeds kept by URL keep their validators; a changed interval takes effect
// after the next poll.
func (tx *Tx) UpdateOutlet(ctx context.Context, o *content.Outlet) error {
	o.Normalize()
	if err := o.Validate(); err != nil {
		return err
	}
	o.UpdatedAt = tx.Now
	res, err := tx.exec(ctx, `UPDATE sources SET name = ?, homepage = ?, attribution = ?, notes = ?, canonical = ?,
		interval_seconds = ?, updated_at = ? WHERE id = ?`,
		o.Name, o.Homepage, o.Attribution, o.Notes, o.Canonical, int64(o.Interval/time.Second), unix(o.UpdatedAt), o.ID)
	if err != nil {
		return fmt.Errorf("store: update source %d: %w", o.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return content.Errorf(content.ENotFound, "Source %d does not exist.", o.ID)
	}
	// Its name shows on the public site: its archive, its posts' pages.
	tx.touchSite()
	return tx.putFeeds(ctx, o)
}

// putFeeds makes the stored feeds of o exactly o.Feeds, in order.
func (tx *Tx) putFeeds(ctx context.Context, o *content.Outlet) error {
	keep := make([]any, 0, len(o.Feeds)+1)
	keep = append(keep, o.ID)
	for _, f := range o.Feeds {
		keep = append(keep, f.URL)
	}
	del := `DELETE FROM source_feeds WHERE source_id = ?`
	if len(o.Feeds) > 0 {
		del += ` AND url NOT IN (` + placeholders(len(o.Feeds)) + `)`
	}
	if _, err := tx.exec(ctx, del, keep...); err != nil {
		return fmt.Errorf("store: remove feeds of source %d: %w", o.ID, err)
	}
	for i := range o.Feeds {
		f := &o.Feeds[i]
		err := tx.queryRow(ctx, `INSERT INTO source_feeds (source_id, url, title, position) VALUES (?, ?, ?, ?)
			ON CONFLICT (source_id, url) DO UPDATE SET position = excluded.position RETURNING id, title, etag, last_modified`,
			o.ID, f.URL, f.Title, i).Scan(&f.ID, &f.Title, &f.ETag, &f.LastModified)
		if err != nil {
			return fmt.Errorf("store: save feed %s: %w", f.URL, err)
		}
	}
	return nil
}

// DeleteOutlet removes a source with its feeds and its inbox items, except
// the items already republished: they stay, as the provenance of their posts.
func (tx *Tx) DeleteOutlet(ctx context.Context, id int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM source_items WHERE source_id = ? AND post_id IS NULL`, id); err != nil {
		return fmt.Errorf("store: delete items of source %d: %w", id, err)
	}
	res, err := tx.exec(ctx, `DELETE FROM sources WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("store: delete source %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return content.Errorf(content.ENotFound, "Source %d does not exist.", id)
	}
	// Its archive is gone, and its posts belong to none (posts.outlet_id
	// is set NULL).
	tx.touchSite()
	return nil
}

// ClaimOutlet atomically takes the poll of a due source for this process
// until the given time: it succeeds only if the source is due at now and no
// other process holds it, and reports false when another process claimed
// it first. until should lie beyond the longest a poll can take, so that a
// process dying mid-poll only delays the source; RecordPoll releases it.
func (db *DB) ClaimOutlet(ctx context.Context, id int64, now, until time.Time) (bool, error) {
	res, err := db.exec(ctx, `UPDATE sources SET claimed_until = ? WHERE id = ? AND next_poll_at <= ? AND claimed_until <= ?`,
		until.Unix(), id, now.Unix(), now.Unix())
	if err != nil {
		return false, fmt.Errorf("store: claim source %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: claim source %d: %w", id, err)
	}
	return n == 1, nil
}

// RecordPoll stores the outcome of polling a source (lastErr empty for a
// success, else the reason it failed; failures in a row; the next poll) and
// releases the process's claim on it.
func (tx *Tx) RecordPoll(ctx context.Context, id int64, lastErr string, failures int, next time.Time) error {
	q := `UPDATE sources SET last_polled_at = ?, last_error = ?, last_warning = '', failures = ?, next_poll_at = ?, claimed_until = 0`
	args := []any{unix(tx.Now), lastErr, failures, unix(next)}
	if lastErr == "" {
		q += `, last_success_at = ?`
		args = append(args, unix(tx.Now))
	}
	res, err := tx.exec(ctx, q+` WHERE id = ?`, append(args, id)...)
	if err != nil {
		return fmt.Errorf("store: record poll of source %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return content.Errorf(content.ENotFound, "Source %d does not exist.", id)
	}
	return nil
}

// RecordPollWarning notes on a source what its last poll, recorded by
// RecordPoll, read only in part; RecordPoll clears it.
func (tx *Tx) RecordPollWarning(ctx context.Context, id int64, warning string) error {
	if _, err := tx.exec(ctx, `UPDATE sources SET last_warning = ? WHERE id = ?`, warning, id); err != nil {
		return fmt.Errorf("store: record poll warning of source %d: %w", id, err)
	}
	return nil
}

// SetOutletDue makes a source due at t (for "poll now"); a source another
// process is polling stays with it.
func (tx *Tx) SetOutletDue(ctx context.Context, id int64, t time.Time) error {
	res, err := tx.exec(ctx, `UPDATE sources SET next_poll_at = ? WHERE id = ?`, unix(t), id)
	if err != nil {
		return fmt.Errorf("store: schedule source %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return content.Errorf(content.ENotFound, "Source %d does not exist.", id)
	}
	return nil
}

// SaveFeedState stores a feed's title and the validators of its last answer.
func (tx *Tx) SaveFeedState(ctx context.Context, f content.Feed) error {
	_, err := tx.exec(ctx, `UPDATE source_feeds SET title = ?, etag = ?, last_modified = ? WHERE id = ?`,
		f.Title, f.ETag, f.LastModified, f.ID)
	if err != nil {
		return fmt.Errorf("store: save feed %d: %w", f.ID, err)
	}
	return nil
}

// Duplicate reasons AddItem gives for an item it did not add.
const (
	DupGUID  = "guid"  // the outlet already sent an item with this guid
	DupURL   = "url"   // an item links to the same article (tracking parameters aside)
	DupTitle = "title" // another outlet carried a near-identical title within TitleWindow
)

// TitleWindow is how far apart in time two items with near-identical titles
// from different outlets may be and still count as one story.
const TitleWindow = 72 * time.Hour

// minTitleKey is the shortest title key that identifies a story: shorter
// titles ("Editorial", "In brief") recur without being the same.
const minTitleKey = 16

// inboxLock names the lock of the inbox's additions (PostgreSQL).
const inboxLock = 727400021

// AddItem inserts it into the inbox unless it duplicates an item already
// there, in which case it returns the reason (DupGUID, DupURL, DupTitle)
// and adds nothing. it.OutletName must be set; it.OutletID is 0 for an
// article republished from its address whose outlet is not followed.
func (tx *Tx) AddItem(ctx context.Context, it *content.Item) (dup string, err error) {
	if strings.TrimSpace(it.GUID) == "" {
		it.GUID = it.URL
	}
	if it.State == "" {
		it.State = content.ItemNew
	}
	if it.FetchedAt.IsZero() {
		it.FetchedAt = tx.Now
	}
	// An item whose feed gives no date keeps none: the original's date
	// stays unknown rather than becoming the day it was fetched.
	urlKey, titleKey := content.NormalizeURL(it.URL), content.TitleKey(it.Title)
	// Sources polled at once add their items one transaction after
	// another, so that each sees what the others added: one article
	// carried by two sources is kept once.
	if q := tx.d.serialise(inboxLock); q != "" && !tx.inboxHeld {
		if _, err := tx.exec(ctx, q); err != nil {
			return "", fmt.Errorf("store: wait for the inbox: %w", err)
		}
		tx.inboxHeld = true
	}
	var id int64
	err = tx.queryRow(ctx, `SELECT id FROM source_items WHERE source_id = ? AND guid = ?`, it.OutletID, it.GUID).Scan(&id)
	if err == nil {
		return DupGUID, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: find item by guid: %w", err)
	}
	if urlKey != "" {
		// Items of one source with guids of their own are told apart by
		// them even when they share an address (a live blog's updates, a
		// feed pointing every item at its homepage); across sources, or
		// without a guid, one address is one article.
		q, args := `SELECT id FROM source_items WHERE url_key = ? LIMIT 1`, []any{urlKey}
		if it.GUID != it.URL {
			q = `SELECT id FROM source_items WHERE url_key = ? AND (COALESCE(source_id, 0) <> ? OR guid = url) LIMIT 1`
			args = append(args, it.OutletID)
		}
		err = tx.queryRow(ctx, q, args...).Scan(&id)
		if err == nil {
			return DupURL, nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return "", fmt.Errorf("store: find item by URL: %w", err)
		}
	}
	if len(titleKey) >= minTitleKey {
		t := it.PublishedAt
		if t.IsZero() {
			t = it.FetchedAt
		}
		w := int64(TitleWindow / time.Second)
		err = tx.queryRow(ctx, `SELECT id FROM source_items WHERE title_key = ? AND source_id <> ?
			AND `+itemTime+` BETWEEN ? AND ? LIMIT 1`, titleKey, it.OutletID, t.Unix()-w, t.Unix()+w).Scan(&id)
		if err == nil {
			return DupTitle, nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return "", fmt.Errorf("store: find item by title: %w", err)
		}
	}
	err = tx.queryRow(ctx, `INSERT INTO source_items (source_id, source_name, guid, url, url_key, title, title_key,
		summary, content, author, published_at, fetched_at, state, image_url, feed_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		nullID(it.OutletID), it.OutletName, it.GUID, it.URL, urlKey, it.Title, titleKey, it.Summary, it.Content, it.Author,
		unix(it.PublishedAt), unix(it.FetchedAt), it.State, it.ImageURL, it.FeedURL).Scan(&it.ID)
	if tx.d.isUniqueViolation(err) {
		return DupGUID, nil
	}
	if err != nil {
		return "", fmt.Errorf("store: add item %q: %w", it.Title, err)
	}
	return "", nil
}

// itemTime is when an item appeared: its publication time, else (when
// its feed gave none) when it was fetched. The inbox sorts by it.
const itemTime = `(CASE WHEN published_at = 0 THEN fetched_at ELSE published_at END)`

const itemColumns = `i.id, COALESCE(i.source_id, 0), i.source_name, i.guid, i.url, i.title, i.summary, i.content,
	i.author, i.published_at, i.fetched_at, i.state, COALESCE(i.post_id, 0), i.canonical, i.image_url, i.feed_url`

func scanItem(row interface{ Scan(...any) error }) (*content.Item, error) {
	var (
		it       content.Item
		pub, fet int64
	)
	err := row.Scan(&it.ID, &it.OutletID, &it.OutletName, &it.GUID, &it.URL, &it.Title, &it.Summary, &it.Content,
		&it.Author, &pub, &fet, &it.State, &it.PostID, &it.Canonical, &it.ImageURL, &it.FeedURL)
	if err != nil {
		return nil, err
	}
	it.PublishedAt, it.FetchedAt = fromUnix(pub), fromUnix(fet)
	return &it, nil
}

// ItemFilter selects inbox items. Zero fields select everything.
type ItemFilter struct {
	OutletID int64
	States   []content.ItemState
	// Query keeps items whose title contains it, ignoring case.
	Query  string
	Offset int
	Limit  int // 0 means no limit
}

// FindItems returns one page of the items matching f, newest first, and
// the number of all matching items. Listings leave out the full content.
func (c conn) FindItems(ctx context.Context, f ItemFilter) ([]*content.Item, int, error) {
	conds := []string{"1 = 1"}
	var args []any
	if f.OutletID != 0 {
		conds = append(conds, "i.source_id = ?")
		args = append(args, f.OutletID)
	}
	if len(f.States) > 0 {
		conds = append(conds, "i.state IN ("+placeholders(len(f.States))+")")
		for _, s := range f.States {
			args = append(args, s)
		}
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		// LOWER on both sides: PostgreSQL's LIKE is case-sensitive, SQLite's
		// only folds ASCII; escaping keeps % and _ literal.
		esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(q))
		conds = append(conds, `LOWER(i.title) LIKE ? ESCAPE '\'`)
		args = append(args, "%"+esc+"%")
	}
	where := strings.Join(conds, " AND ")
	var total int
	if err := c.queryRow(ctx, `SELECT COUNT(*) FROM source_items i WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count items: %w", err)
	}
	q := `SELECT ` + strings.Replace(itemColumns, "i.content", "''", 1) +
		` FROM source_items i WHERE ` + where + ` ORDER BY (CASE WHEN i.published_at = 0 THEN i.fetched_at ELSE i.published_at END) DESC, i.id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: find items: %w", err)
	}
	defer rows.Close()
	var items []*content.Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("store: scan item: %w", err)
		}
		items = append(items, it)
	}
	return items, total, rows.Err()
}

// FindItemByID returns one inbox item with its content.
func (c conn) FindItemByID(ctx context.Context, id int64) (*content.Item, error) {
	return c.findItem(ctx, `i.id = ?`, id)
}

// FindItemByURL returns the inbox item of the article at raw (compared as
// NormalizeURL compares addresses), the republished one first when there
// are several.
func (c conn) FindItemByURL(ctx context.Context, raw string) (*content.Item, error) {
	key := content.NormalizeURL(raw)
	if key == "" {
		return nil, content.Errorf(content.ENotFound, "No such inbox item.")
	}
	return c.findItem(ctx, `i.url_key = ? ORDER BY i.post_id IS NULL, i.id LIMIT 1`, key)
}

// FindItemByPostID returns the item a post was republished from.
func (c conn) FindItemByPostID(ctx context.Context, postID int64) (*content.Item, error) {
	return c.findItem(ctx, `i.post_id = ?`, postID)
}

func (c conn) findItem(ctx context.Context, where string, args ...any) (*content.Item, error) {
	it, err := scanItem(c.queryRow(ctx, `SELECT `+itemColumns+` FROM source_items i WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, content.Errorf(content.ENotFound, "No such inbox item.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find item: %w", err)
	}
	return it, nil
}

// SetItemState moves an item to new, skipped or starred. Republished is
// set only by MarkItemRepublished.
func (tx *Tx) SetItemState(ctx context.Context, id int64, s content.ItemState) error {
	if !s.Valid() || s == content.ItemRepublished {
		return content.FieldError("state", "the state must be %q, %q or %q, not %q",
			content.ItemNew, content.ItemSkipped, content.ItemStarred, s)
	}
	var postID sql.NullInt64
	err := tx.queryRow(ctx, `SELECT post_id FROM source_items WHERE id = ?`, id).Scan(&postID)
	if errors.Is(err, sql.ErrNoRows) {
		return content.Errorf(content.ENotFound, "Inbox item %d does not exist.", id)
	} else if err != nil {
		return fmt.Errorf("store: set item %d state: %w", id, err)
	}
	if postID.Valid {
		return content.Errorf(content.EConflict, "Inbox item %d is already republished as post %d.", id, postID.Int64)
	}
	if _, err := tx.exec(ctx, `UPDATE source_items SET state = ? WHERE id = ?`, s, id); err != nil {
		return fmt.Errorf("store: set item %d state: %w", id, err)
	}
	return nil
}

// MarkItemRepublished links an item to the post made from it, recording
// the canonical choice (content.CanonicalOriginal or CanonicalOurs) the
// post was made with. It fails with EConflict when the item already has a
// post, so two editors republishing at once cannot both succeed.
func (tx *Tx) MarkItemRepublished(ctx context.Context, id, postID int64, canonical string) error {
	res, err := tx.exec(ctx, `UPDATE source_items SET state = ?, post_id = ?, canonical = ? WHERE id = ? AND post_id IS NULL`,
		content.ItemRepublished, postID, canonical, id)
	if err != nil {
		return fmt.Errorf("store: mark item %d republished: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		it, err := tx.FindItemByID(ctx, id)
		if err != nil {
			return err
		}
		return content.Errorf(content.EConflict, "Inbox item %d is already republished as post %d.", id, it.PostID)
	}
	// The post now belongs to its outlet's archive.
	if _, err := tx.exec(ctx, `UPDATE posts SET outlet_id = (SELECT si.source_id FROM source_items si WHERE si.id = ?) WHERE id = ?`,
		id, postID); err != nil {
		return fmt.Errorf("store: mark item %d republished: %w", id, err)
	}
	tx.touchPost(postID, false, false)
	return nil
}

// freeOutletSlug returns a slug made of name (markup.Slugify) that no
// other source has: name's own, else it followed by -2, -3 …
func (tx *Tx) freeOutletSlug(ctx context.Context, name string) (string, error) {
	base := markup.Slugify(name)
	for n := 1; ; n++ {
		slug := base
		if n > 1 {
			slug = base + "-" + strconv.Itoa(n)
		}
		var taken int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM sources WHERE slug = ?`, slug).Scan(&taken); err != nil {
			return "", fmt.Errorf("store: choose a slug for source %q: %w", name, err)
		}
		if taken == 0 {
			return slug, nil
		}
	}
}

// fillOutletSlugs gives every source without a slug one made of its name,
// oldest first: migration 0090 adds the column, which SQL cannot fill.
func fillOutletSlugs(ctx context.Context, tx *Tx) error {
	rows, err := tx.query(ctx, `SELECT id, name FROM sources WHERE slug IS NULL ORDER BY id`)
	if err != nil {
		return err
	}
	type named struct {
		id   int64
		name string
	}
	var todo []named
	for rows.Next() {
		var n named
		if err := rows.Scan(&n.id, &n.name); err != nil {
			rows.Close()
			return err
		}
		todo = append(todo, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, n := range todo {
		slug, err := tx.freeOutletSlug(ctx, n.name)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE sources SET slug = ? WHERE id = ?`, slug, n.id); err != nil {
			return fmt.Errorf("store: fill the slug of source %d: %w", n.id, err)
		}
	}
	return nil
}

// FindOutlet returns the source whose archive is at slug, without its
// feeds, or ENotFound.
func (c conn) FindOutlet(ctx context.Context, slug string) (*content.Outlet, error) {
	o, err := scanOutlet(c.queryRow(ctx, `SELECT `+outletColumns+` FROM sources s WHERE s.slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, content.Errorf(content.ENotFound, "No source has the address %q.", slug)
	}
	if err != nil {
		return nil, fmt.Errorf("store: find source %q: %w", slug, err)
	}
	return o, nil
}

// FindOutletStamps returns the sources that have posts readers may see at
// now, by slug, with their archives' last change.
func (c conn) FindOutletStamps(ctx context.Context, now time.Time) ([]ArchiveStamp, error) {
	rows, err := c.query(ctx, `SELECT s.slug, COUNT(*), MAX(p.published_at), MAX(p.updated_at)
		FROM sources s CROSS JOIN posts p
		WHERE s.slug IS NOT NULL AND p.outlet_id = s.id AND p.kind = ? AND p.status = ? AND p.published_at <= ?
		GROUP BY s.slug ORDER BY s.slug`, content.KindPost, content.StatusPublished, now.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: find source archives: %w", err)
	}
	defer rows.Close()
	var out []ArchiveStamp
	for rows.Next() {
		var a ArchiveStamp
		var pub, upd int64
		if err := rows.Scan(&a.Slug, &a.Posts, &pub, &upd); err != nil {
			return nil, fmt.Errorf("store: find source archives: %w", err)
		}
		a.Modified = fromUnix(max(pub, upd))
		out = append(out, a)
	}
	return out, rows.Err()
}
