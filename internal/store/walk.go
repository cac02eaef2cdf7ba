package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/broadsheet/broadsheet/internal/content"
)

// FindAliases returns every alias, by path: what an export carries so that
// old addresses keep working on the next site.
func (c conn) FindAliases(ctx context.Context) ([]*content.Alias, error) {
	rows, err := c.query(ctx, `SELECT path, post_id, target FROM aliases ORDER BY path`)
	if err != nil {
		return nil, fmt.Errorf("store: find aliases: %w", err)
	}
	defer rows.Close()
	var list []*content.Alias
	for rows.Next() {
		var (
			a      content.Alias
			postID sql.NullInt64
		)
		if err := rows.Scan(&a.Path, &postID, &a.Target); err != nil {
			return nil, fmt.Errorf("store: scan alias: %w", err)
		}
		a.PostID = postID.Int64
		list = append(list, &a)
	}
	return list, rows.Err()
}

// FindPostsPage returns up to limit entries of any kind and status with ids
// above afterID, by id, with bodies and relations: a walk over the whole
// site in bounded memory, for exports.
func (c conn) FindPostsPage(ctx context.Context, afterID int64, limit int) ([]*content.Post, error) {
	rows, err := c.query(ctx, `SELECT `+postColumns+`, p.body, p.body_html FROM posts p WHERE p.id > ? ORDER BY p.id LIMIT ?`, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: walk posts: %w", err)
	}
	defer rows.Close()
	var posts []*content.Post
	for rows.Next() {
		var body, bodyHTML string
		p, err := scanPost(rows, &body, &bodyHTML)
		if err != nil {
			return nil, fmt.Errorf("store: scan post: %w", err)
		}
		p.Body, p.BodyHTML = body, bodyHTML
		posts = append(posts, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: walk posts: %w", err)
	}
	rows.Close()
	if err := c.loadRelations(ctx, posts); err != nil {
		return nil, err
	}
	return posts, nil
}

// MaxIDs returns the largest post and media ids, so an export can number
// attachments after every post as WordPress shares one id space.
func (c conn) MaxIDs(ctx context.Context) (post, media int64, err error) {
	err = c.queryRow(ctx, `SELECT COALESCE((SELECT MAX(id) FROM posts), 0), COALESCE((SELECT MAX(id) FROM media), 0)`).Scan(&post, &media)
	if err != nil {
		return 0, 0, fmt.Errorf("store: max ids: %w", err)
	}
	return post, media, nil
}

// postPath is content.Post.Path from the four columns it needs.
func postPath(kind content.Kind, slug string, published int64, offset int) string {
	p := content.Post{Kind: kind, Slug: slug, PublishedAt: fromUnix(published), PublishedOffset: offset}
	return p.Path()
}

// FindPostPath returns the current path of the entry with the given id,
// reading only what the path needs; "" when there is no such entry.
func (c conn) FindPostPath(ctx context.Context, id int64) (string, error) {
	var (
		kind content.Kind
		slug string
		pub  int64
		off  int
	)
	err := c.queryRow(ctx, `SELECT kind, slug, published_at, published_offset FROM posts WHERE id = ?`, id).Scan(&kind, &slug, &pub, &off)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: find path of post %d: %w", id, err)
	}
	return postPath(kind, slug, pub, off), nil
}

// FindSlugPath returns the path of the entry of the given kind and slug,
// or "" when there is none.
func (c conn) FindSlugPath(ctx context.Context, kind content.Kind, slug string) (string, error) {
	var pub int64
	var off int
	err := c.queryRow(ctx, `SELECT published_at, published_offset FROM posts WHERE kind = ? AND slug = ?`, kind, slug).Scan(&pub, &off)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: find %s %q: %w", kind, slug, err)
	}
	return postPath(kind, slug, pub, off), nil
}

// FindAliasTarget returns where the alias at path leads now: its post's
// current path, or its target; "" when there is no such alias. Unlike the
// public site it does not ask whether the post is public: importers use it
// to rewrite links, which must lead to drafts too once they are published.
func (c conn) FindAliasTarget(ctx context.Context, path string) (string, error) {
	var (
		target string
		kind   sql.NullString
		slug   sql.NullString
		pub    sql.NullInt64
		off    sql.NullInt64
	)
	// An alias not written yet is read from what is kept, its post (and
	// any other) from the table.
	err := c.writeKept(ctx, "posts", nil)
	if err != nil {
		return "", err
	}
	if kept, ok := c.bulk.pendingRow("aliases", path); ok {
		target = kept[2].(string)
		if id, _ := kept[1].(int64); id != 0 {
			err = c.queryRowAsIs(ctx, `SELECT kind, slug, published_at, published_offset FROM posts WHERE id = ?`, id).Scan(&kind, &slug, &pub, &off)
		}
	} else {
		// Any row kept for another path leaves this one's answer as it is.
		err = c.queryRowAsIs(ctx, `SELECT a.target, p.kind, p.slug, p.published_at, p.published_offset FROM aliases a
		LEFT JOIN posts p ON p.id = a.post_id WHERE a.path = ?`, path).Scan(&target, &kind, &slug, &pub, &off)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: find alias %q: %w", path, err)
	}
	if kind.Valid {
		return postPath(content.Kind(kind.String), slug.String, pub.Int64, int(off.Int64)), nil
	}
	return target, nil
}
