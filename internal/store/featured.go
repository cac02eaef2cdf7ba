package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

// FindFeatured returns a post's featured image, or nil when it has none.
// It may have been read ahead with the post's page (see DB.ReadAhead).
func (c conn) FindFeatured(ctx context.Context, postID int64) (*content.Media, error) {
	if memo := c.memo(); memo != nil && memo.readAhead() > 0 {
		if m, ok := take(memo, &memo.aheadFeatured, strconv.FormatInt(postID, 10), time.Time{}); ok {
			return m, nil
		}
	}
	m, err := scanMedia(c.queryRow(ctx, `SELECT `+mediaColumns+` FROM post_featured f JOIN media m ON m.id = f.media_id
		WHERE f.post_id = ?`, postID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: featured image of post %d: %w", postID, err)
	}
	return m, nil
}

// SetFeatured sets a post's featured image; mediaID 0 removes it.
func (tx *Tx) SetFeatured(ctx context.Context, postID, mediaID int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM post_featured WHERE post_id = ?`, postID); err != nil {
		return fmt.Errorf("store: unset featured image of post %d: %w", postID, err)
	}
	if mediaID != 0 {
		m, err := tx.FindMedia(ctx, mediaID)
		if err != nil {
			return content.FieldError("featured_image", "there is no media item %d", mediaID)
		}
		if !m.IsImage() {
			return content.FieldError("featured_image", "%s is not an image", m.Filename)
		}
		if _, err := tx.exec(ctx, `INSERT INTO post_featured (post_id, media_id) VALUES (?, ?)`, postID, mediaID); err != nil {
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
