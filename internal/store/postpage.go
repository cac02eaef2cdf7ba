package store

import (
	"context"
	"fmt"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

// FindPostPage returns the post of the given slug, with its body as HTML
// (BodyHTML; not its source, Body, which no page shows), authors and
// terms, and the published posts just before (older) and after
// (newer) it at now, as FindAdjacentPosts reads them: what a post's page
// shows, the post and its neighbours in one round trip, then its authors
// and terms (loadRelations). The neighbours are those of the post's place
// whether or not it is public, which the caller decides.
//
// While the process hears every change, what FindPostPageVersion would
// read of them is remembered (see FindPostPageVersion), unless they were
// read ahead for a reader going through every post's page once (see
// DB.ReadAhead).
func (c conn) FindPostPage(ctx context.Context, slug string, now time.Time) (p, older, newer *content.Post, err error) {
	memo, gen := c.memo(), uint64(0)
	if memo != nil {
		memo.settle(ctx, c, now)
		gen = memo.generation()
		if n := memo.readAhead(); n > 0 {
			pp, ok, err := c.postPageAhead(ctx, memo, slug, now, n)
			if err != nil {
				return nil, nil, nil, err
			}
			if ok {
				// A reader going through every post's page reads each
				// once: what names its version is not kept for it.
				return pp.p, pp.older, pp.newer, nil
			}
		}
	}
	// The post's place, read once by each neighbour's walk of the index.
	const pub, id = `(SELECT published_at FROM cur)`, `(SELECT id FROM cur)`
	adjacent, args := adjacentSQL(now, postColumns+`, '', ''`,
		sqlExpr{`CASE WHEN ` + pub + ` < ? THEN ` + pub + ` ELSE ? END`, []any{now.Unix(), now.Unix()}},
		sqlExpr{sql: pub}, sqlExpr{sql: id})
	rows, err := c.query(ctx, `WITH cur AS (SELECT p.id, p.published_at FROM posts p WHERE p.kind = ? AND p.slug = ?)
		SELECT `+postColumns+`, '', p.body_html, 0 AS side FROM posts p WHERE p.id = `+id+`
		UNION ALL `+adjacent, append([]any{content.KindPost, slug}, args...)...)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("store: find post %q: %w", slug, err)
	}
	defer rows.Close()
	for rows.Next() {
		var source, bodyHTML string // source is '': no page shows it
		var side int
		q, err := scanPost(rows, &source, &bodyHTML, &side)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("store: find post %q: %w", slug, err)
		}
		switch side {
		case 0:
			q.BodyHTML = bodyHTML
			p = q
		case 1:
			older = q
		default:
			newer = q
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("store: find post %q: %w", slug, err)
	}
	if err := rows.Close(); err != nil {
		return nil, nil, nil, fmt.Errorf("store: find post %q: %w", slug, err)
	}
	if p == nil {
		return nil, nil, nil, content.Errorf(content.ENotFound, "No such post.")
	}
	if memo != nil {
		memo.postPages.Give(slug, postPage{versionOf(p), versionOf(older), versionOf(newer)}, gen, now)
	}
	if err := c.loadRelations(ctx, []*content.Post{p}); err != nil {
		return nil, nil, nil, err
	}
	return p, older, newer, nil
}

// versionOf is what FindPostPageVersion reads of p, or nil.
func versionOf(p *content.Post) *content.Post {
	if p == nil {
		return nil
	}
	return &content.Post{ID: p.ID, Kind: p.Kind, Slug: p.Slug, Title: p.Title, Status: p.Status,
		PublishedAt: p.PublishedAt, PublishedOffset: p.PublishedOffset, UpdatedAt: p.UpdatedAt, SEOTitle: p.SEOTitle}
}

// versionColumns are what FindPostPageVersion reads of a post, in
// scanVersion's order.
const versionColumns = `p.id, p.kind, p.slug, p.title, p.status, p.published_at, p.updated_at, p.seo_title, p.published_offset`

// FindPostPageVersion is FindPostPage reading only what names the post's
// version and what its page shows of it beside its kept parts, and what
// the default theme shows of its neighbours: each post's id, kind, slug,
// title, status, publication and update times and SEO title, in one
// query, without body, excerpt, source, authors or terms. Callers keeping
// what they render of each version of a post read the rest, with
// FindPostPage, only for a version they lack.
//
// While the process hears every change (see caches), what it reads is
// remembered until the next change or the moment a post dated in the
// future becomes public; the posts returned are the caller's own.
func (c conn) FindPostPageVersion(ctx context.Context, slug string, now time.Time) (p, older, newer *content.Post, err error) {
	memo, gen := c.memo(), uint64(0)
	if memo != nil {
		memo.settle(ctx, c, now)
		var v postPage
		var ok bool
		if v, gen, ok = memo.postPages.Get(slug, now); ok {
			return v.p, v.older, v.newer, nil
		}
		defer func() {
			if err == nil {
				memo.postPages.Put(slug, postPage{p, older, newer}, gen, now)
			}
		}()
	}
	const pub, id = `(SELECT published_at FROM cur)`, `(SELECT id FROM cur)`
	adjacent, args := adjacentSQL(now, versionColumns,
		sqlExpr{`CASE WHEN ` + pub + ` < ? THEN ` + pub + ` ELSE ? END`, []any{now.Unix(), now.Unix()}},
		sqlExpr{sql: pub}, sqlExpr{sql: id})
	rows, err := c.query(ctx, `WITH cur AS (SELECT p.id, p.published_at FROM posts p WHERE p.kind = ? AND p.slug = ?)
		SELECT `+versionColumns+`, 0 AS side FROM posts p WHERE p.id = `+id+`
		UNION ALL `+adjacent, append([]any{content.KindPost, slug}, args...)...)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("store: find post %q: %w", slug, err)
	}
	defer rows.Close()
	for rows.Next() {
		var q content.Post
		var pub, updated int64
		var side int
		if err := rows.Scan(&q.ID, &q.Kind, &q.Slug, &q.Title, &q.Status, &pub, &updated, &q.SEOTitle, &q.PublishedOffset, &side); err != nil {
			return nil, nil, nil, fmt.Errorf("store: find post %q: %w", slug, err)
		}
		q.PublishedAt, q.UpdatedAt = fromUnix(pub), fromUnix(updated)
		switch side {
		case 0:
			p = &q
		case 1:
			older = &q
		default:
			newer = &q
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("store: find post %q: %w", slug, err)
	}
	if p == nil {
		return nil, nil, nil, content.Errorf(content.ENotFound, "No such post.")
	}
	return p, older, newer, nil
}

// sqlExpr is a piece of SQL and the arguments of its placeholders.
type sqlExpr struct {
	sql  string
	args []any
}

// adjacentSQL selects the published posts at now just before and after a
// post's place, given as the expressions pub (its publication time) and
// id, each in its own LIMIT 1 walk of the index: the columns are cols,
// then side, 1 for the older and 2 for the newer. upper bounds the older side's publication time (the
// lesser of pub and now): one bound, since given two on the same column
// the engines may range the index by the looser one.
func adjacentSQL(now time.Time, cols string, upper, pub, id sqlExpr) (string, []any) {
	f := Published(now)
	f.PublishedBefore = time.Time{}
	olderWhere, olderArgs := f.where()
	newerWhere, newerArgs := Published(now).where()
	// In the order of the placeholders below.
	var args []any
	for _, a := range [][]any{olderArgs, upper.args, pub.args, id.args, newerArgs, pub.args, pub.args, id.args} {
		args = append(args, a...)
	}
	return `SELECT * FROM (SELECT ` + cols + `, 1 AS side FROM posts p WHERE ` + olderWhere + `
		AND p.published_at <= ` + upper.sql + ` AND (p.published_at < ` + pub.sql + ` OR p.id < ` + id.sql + `)
		ORDER BY p.published_at DESC, p.id DESC LIMIT 1) o
		UNION ALL
		SELECT * FROM (SELECT ` + cols + `, 2 AS side FROM posts p WHERE ` + newerWhere + `
		AND p.published_at >= ` + pub.sql + ` AND (p.published_at > ` + pub.sql + ` OR p.id > ` + id.sql + `)
		ORDER BY p.published_at ASC, p.id ASC LIMIT 1) n`, args
}
