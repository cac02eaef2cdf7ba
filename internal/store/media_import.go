package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/broadsheet/broadsheet/internal/content"
)

// Reads and writes of the media library that imports and exports need:
// exact lookups by storage key and import key, a walk in id order, and an
// update of every field a re-import may change.

func (c conn) findMediaWhere(ctx context.Context, where string, args ...any) (*content.Media, error) {
	m, err := scanMedia(c.queryRow(ctx, `SELECT `+mediaColumns+` FROM media m WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, content.Errorf(content.ENotFound, "No such media file.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find media: %w", err)
	}
	return m, nil
}

// FindMediaByStorageKey returns the media file stored under exactly key
// (not a variant's), using the key's index.
func (c conn) FindMediaByStorageKey(ctx context.Context, key string) (*content.Media, error) {
	return c.findMediaWhere(ctx, `m.storage_key = ?`, key)
}

// FindMediaByImportKey returns the media file imported under key.
func (c conn) FindMediaByImportKey(ctx context.Context, key string) (*content.Media, error) {
	return c.findMediaWhere(ctx, `m.import_key = ?`, key)
}

// FindMediaPage returns up to limit media files with ids above afterID, by
// id, so that a caller can walk a large library in bounded memory.
func (c conn) FindMediaPage(ctx context.Context, afterID int64, limit int) ([]*content.Media, error) {
	rows, err := c.query(ctx, `SELECT `+mediaColumns+` FROM media m WHERE m.id > ? ORDER BY m.id LIMIT ?`, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: find media: %w", err)
	}
	defer rows.Close()
	var list []*content.Media
	for rows.Next() {
		m, err := scanMedia(rows)
		if err != nil {
			return nil, fmt.Errorf("store: scan media: %w", err)
		}
		list = append(list, m)
	}
	return list, rows.Err()
}

// UpdateImportedMedia overwrites what an import describes of a media file:
// its file name, type, size, alt text, caption and import key.
func (tx *Tx) UpdateImportedMedia(ctx context.Context, m *content.Media) error {
	if err := m.Validate(); err != nil {
		return err
	}
	var key any
	if m.ImportKey != "" {
		key = m.ImportKey
	}
	res, err := tx.exec(ctx, `UPDATE media SET filename = ?, mime = ?, size = ?, alt = ?, caption = ?, import_key = ? WHERE id = ?`,
		m.Filename, m.MIME, m.Size, m.Alt, m.Caption, key, m.ID)
	if err != nil {
		return fmt.Errorf("store: update media %d: %w", m.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return content.Errorf(content.ENotFound, "There is no media item %d.", m.ID)
	}
	tx.noteImage(m.ID, m.IsImage())
	return tx.touchFeaturing(ctx, m.ID)
}
