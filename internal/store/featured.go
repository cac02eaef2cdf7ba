package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

// FindFeatured returns a post's featured image, or nil when it has none.
// It may have been read ahead with the post's page (see DB.ReadAhead).
func (c conn) FindFeatured(ctx context.Context, postID int64) (*content.Media, error) {
	if memo := c.memo(); memo != nil && memo.readAhead() > 0 {
		if m, ok := memo.aheadFeatured.Take(postID, time.Time{}); ok {
			return m, nil
		}
	}
	found, err := c.findFeatured(ctx, []int64{postID})
	if err != nil {
		return nil, fmt.Errorf("store: featured image of post %d: %w", postID, err)
	}
	return found[postID], nil
}

// FindFeaturedImages returns the featured images of the posts ids that
// have one, by post id, in one query: a listing's thumbnails.
func (c conn) FindFeaturedImages(ctx context.Context, ids []int64) (map[int64]*content.Media, error) {
	if len(ids) == 0 {
		return map[int64]*content.Media{}, nil
	}
	return c.findFeatured(ctx, ids)
}

// findFeatured returns the featured images of the posts ids that have
// one, by post id, in one query.
func (c conn) findFeatured(ctx context.Context, ids []int64) (map[int64]*content.Media, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := c.query(ctx, `SELECT `+mediaColumns+`, f.post_id FROM post_featured f JOIN media m ON m.id = f.media_id
		WHERE f.post_id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: featured images: %w", err)
	}
	defer rows.Close()
	found := map[int64]*content.Media{}
	for rows.Next() {
		var postID int64
		m, err := scanMedia(rows, &postID)
		if err != nil {
			return nil, fmt.Errorf("store: featured images: %w", err)
		}
		found[postID] = m
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: featured images: %w", err)
	}
	return found, nil
}

// SetFeatured sets a post's featured image; mediaID 0 removes it.
func (tx *Tx) SetFeatured(ctx context.Context, postID, mediaID int64) error {
	if mediaID == 0 {
		if _, err := tx.exec(ctx, `DELETE FROM post_featured WHERE post_id = ?`, postID); err != nil {
			return fmt.Errorf("store: unset featured image of post %d: %w", postID, err)
		}
	} else {
		if tx.bulk == nil || !tx.bulk.images[mediaID] {
			m, err := tx.FindMedia(ctx, mediaID)
			if err != nil {
				return content.FieldError("featured_image", "there is no media item %d", mediaID)
			}
			if !m.IsImage() {
				return content.FieldError("featured_image", "%s is not an image", m.Filename)
			}
		}
		if err := tx.insertRow(ctx, "post_featured", `INSERT INTO post_featured (post_id, media_id) VALUES `, `(?, ?)`,
			` ON CONFLICT (post_id) DO UPDATE SET media_id = excluded.media_id`, strconv.FormatInt(postID, 10), postID, mediaID); err != nil {
			return fmt.Errorf("store: set featured image of post %d: %w", postID, err)
		}
	}
	// Pages showing the post change with its image.
	tx.touchPost(postID, false, false)
	return nil
}

// CountFeaturing returns how many posts feature the media item.
func (c conn) CountFeaturing(ctx context.Context, mediaID int64) (int, error) {
	var n int
	if err := c.queryRow(ctx, `SELECT COUNT(*) FROM post_featured WHERE media_id = ?`, mediaID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count featuring: %w", err)
	}
	return n, nil
}
