package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/broadsheet/broadsheet/internal/content"
)

const mediaColumns = `m.id, m.path, m.mime, m.size, m.title, m.alt, m.caption, m.created_at, COALESCE(m.import_key, '')`

func scanMedia(row interface{ Scan(...any) error }) (*content.Media, error) {
	var (
		m       content.Media
		created int64
	)
	if err := row.Scan(&m.ID, &m.Path, &m.MIME, &m.Size, &m.Title, &m.Alt, &m.Caption, &created, &m.ImportKey); err != nil {
		return nil, err
	}
	m.CreatedAt = fromUnix(created)
	return &m, nil
}

func (c conn) findMedia(ctx context.Context, where string, args ...any) (*content.Media, error) {
	m, err := scanMedia(c.queryRow(ctx, `SELECT `+mediaColumns+` FROM media m WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, content.Errorf(content.ENotFound, "No such media file.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find media: %w", err)
	}
	return m, nil
}

// FindMediaByID returns the media file with the given id.
func (c conn) FindMediaByID(ctx context.Context, id int64) (*content.Media, error) {
	return c.findMedia(ctx, `m.id = ?`, id)
}

// FindMediaByPath returns the media file stored at path in the library.
func (c conn) FindMediaByPath(ctx context.Context, path string) (*content.Media, error) {
	return c.findMedia(ctx, `m.path = ?`, path)
}

// FindMediaByImportKey returns the media file imported under key.
func (c conn) FindMediaByImportKey(ctx context.Context, key string) (*content.Media, error) {
	return c.findMedia(ctx, `m.import_key = ?`, key)
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

// SaveMedia validates m and creates it, or, when m.ID is set, overwrites
// the stored record; it sets m.ID and m.CreatedAt.
func (tx *Tx) SaveMedia(ctx context.Context, m *content.Media) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = tx.Now
	}
	var key any
	if m.ImportKey != "" {
		key = m.ImportKey
	}
	var err error
	if m.ID == 0 {
		err = tx.queryRow(ctx, `INSERT INTO media (path, mime, size, title, alt, caption, created_at, import_key)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			m.Path, m.MIME, m.Size, m.Title, m.Alt, m.Caption, unix(m.CreatedAt), key).Scan(&m.ID)
	} else {
		var res sql.Result
		res, err = tx.exec(ctx, `UPDATE media SET path = ?, mime = ?, size = ?, title = ?, alt = ?, caption = ?,
			created_at = ?, import_key = ? WHERE id = ?`,
			m.Path, m.MIME, m.Size, m.Title, m.Alt, m.Caption, unix(m.CreatedAt), key, m.ID)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return content.Errorf(content.ENotFound, "Media file %d does not exist.", m.ID)
			}
		}
	}
	if tx.d.isUniqueViolation(err) {
		return &content.Error{Code: content.EConflict, Field: "path",
			Message: fmt.Sprintf("another media file is already stored at %q", m.Path)}
	}
	if err != nil {
		return fmt.Errorf("store: save media %q: %w", m.Path, err)
	}
	tx.touchSite()
	return nil
}
