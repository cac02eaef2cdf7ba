package store

import (
	"context"
	"database/sql"
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
