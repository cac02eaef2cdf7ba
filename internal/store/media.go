package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
)

const mediaColumns = `m.id, m.storage_key, m.filename, m.mime, m.size, m.width, m.height, m.alt, m.variants,
	COALESCE(m.uploaded_by, 0), m.created_at, m.caption, COALESCE(m.import_key, '')`

func scanMedia(row interface{ Scan(...any) error }, extra ...any) (*content.Media, error) {
	var (
		m        content.Media
		variants string
		created  int64
	)
	dest := []any{&m.ID, &m.Key, &m.Filename, &m.MIME, &m.Size, &m.Width, &m.Height, &m.Alt, &variants,
		&m.UploadedBy, &created, &m.Caption, &m.ImportKey}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	m.CreatedAt = fromUnix(created)
	for _, line := range strings.Split(variants, "\n") {
		w, key, ok := strings.Cut(line, ":")
		if n, err := strconv.Atoi(w); ok && err == nil {
			m.Variants = append(m.Variants, content.Variant{Width: n, Key: key})
		}
	}
	return &m, nil
}

// CreateMedia records an uploaded file and sets m.ID.
func (tx *Tx) CreateMedia(ctx context.Context, m *content.Media) error {
	if err := m.Validate(); err != nil {
		return err
	}
	var lines []string
	for _, v := range m.Variants {
		lines = append(lines, fmt.Sprintf("%d:%s", v.Width, v.Key))
	}
	var by any
	if m.UploadedBy != 0 {
		by = m.UploadedBy
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = tx.Now
	}
	var importKey any
	if m.ImportKey != "" {
		importKey = m.ImportKey
	}
	const columns = `storage_key, filename, mime, size, width, height, alt, variants, uploaded_by, created_at, caption, import_key`
	vals := []any{m.Key, m.Filename, m.MIME, m.Size, m.Width, m.Height,
		strings.TrimSpace(m.Alt), strings.Join(lines, "\n"), by, unix(m.CreatedAt), m.Caption, importKey}
	id, kept, err := tx.keepNew(ctx, "media", columns, mediaKeys(m), vals)
	if err != nil {
		return fmt.Errorf("store: create media %q: %w", m.Key, err)
	}
	if kept {
		m.ID = id
	} else {
		err := tx.queryRow(ctx, `INSERT INTO media (`+columns+`) VALUES (`+placeholders(len(vals))+`) RETURNING id`, vals...).Scan(&m.ID)
		if tx.d.isUniqueViolation(err) {
			return &content.Error{Code: content.EConflict, Field: "path",
				Message: fmt.Sprintf("another media file is already stored at %q", m.Key)}
		}
		if err != nil {
			return fmt.Errorf("store: create media %q: %w", m.Key, err)
		}
		tx.wroteNew("media", mediaKeys(m))
	}
	tx.noteImage(m.ID, m.IsImage())
	return nil
}

// noteImage notes in a bulk transaction whether media item id is an image
// now (see pending.images); a deleted one is not.
func (tx *Tx) noteImage(id int64, image bool) {
	if tx.bulk == nil {
		return
	}
	if image {
		tx.bulk.images[id] = true
	} else {
		delete(tx.bulk.images, id)
	}
}

// FindMedia returns one media item.
func (c conn) FindMedia(ctx context.Context, id int64) (*content.Media, error) {
	m, err := scanMedia(c.queryRow(ctx, `SELECT `+mediaColumns+` FROM media m WHERE m.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, content.Errorf(content.ENotFound, "There is no media item %d.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: find media %d: %w", id, err)
	}
	return m, nil
}

// FindMediaByKey returns the media item stored under key or one of its
// variants' keys.
func (c conn) FindMediaByKey(ctx context.Context, key string) (*content.Media, error) {
	m, err := scanMedia(c.queryRow(ctx, `SELECT `+mediaColumns+` FROM media m WHERE m.storage_key = ?
		OR m.variants LIKE ? ESCAPE '!'`, key, "%:"+likeEscaper.Replace(key)+"%"))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, content.Errorf(content.ENotFound, "No such file.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find media %q: %w", key, err)
	}
	return m, nil
}

// FindMediaList returns one page of the library, newest first, whose file
// name or alt text contains query, and the number of all matching.
func (c conn) FindMediaList(ctx context.Context, query string, offset, limit int) ([]*content.Media, int, error) {
	where := "1 = 1"
	var args []any
	for _, w := range strings.Fields(strings.ToLower(query)) {
		where += ` AND (lower(m.filename) LIKE ? ESCAPE '!' OR lower(m.alt) LIKE ? ESCAPE '!')`
		p := "%" + likeEscaper.Replace(w) + "%"
		args = append(args, p, p)
	}
	var total int
	if err := c.queryRow(ctx, `SELECT COUNT(*) FROM media m WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count media: %w", err)
	}
	rows, err := c.query(ctx, `SELECT `+mediaColumns+` FROM media m WHERE `+where+
		` ORDER BY m.created_at DESC, m.id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: find media: %w", err)
	}
	defer rows.Close()
	var out []*content.Media
	for rows.Next() {
		m, err := scanMedia(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("store: scan media: %w", err)
		}
		out = append(out, m)
	}
	return out, total, rows.Err()
}

// SetMediaAlt changes a media item's alt text.
func (tx *Tx) SetMediaAlt(ctx context.Context, id int64, alt string) error {
	if err := content.StorableText("alt", alt); err != nil {
		return err
	}
	res, err := tx.exec(ctx, `UPDATE media SET alt = ? WHERE id = ?`, strings.TrimSpace(alt), id)
	if err != nil {
		return fmt.Errorf("store: set alt of media %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return content.Errorf(content.ENotFound, "There is no media item %d.", id)
	}
	return tx.touchFeaturing(ctx, id)
}

// touchFeaturing records as changed the posts featuring the media item:
// their pages show its address, alt text and caption, so an edit of the
// item changes them as much as an edit of the posts would.
func (tx *Tx) touchFeaturing(ctx context.Context, mediaID int64) error {
	rows, err := tx.query(ctx, `SELECT post_id FROM post_featured WHERE media_id = ? ORDER BY post_id`, mediaID)
	if err != nil {
		return fmt.Errorf("store: posts featuring media %d: %w", mediaID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("store: posts featuring media %d: %w", mediaID, err)
		}
		tx.touchPost(id, false, false)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: posts featuring media %d: %w", mediaID, err)
	}
	return nil
}

// DeleteMedia forgets a media item (its files are the caller's to delete),
// and with it the featured image of the posts that showed it.
func (tx *Tx) DeleteMedia(ctx context.Context, id int64) error {
	// Read before the delete cascades to post_featured.
	if err := tx.touchFeaturing(ctx, id); err != nil {
		return err
	}
	res, err := tx.exec(ctx, `DELETE FROM media WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("store: delete media %d: %w", id, err)
	}
	tx.noteImage(id, false)
	if n, _ := res.RowsAffected(); n == 0 {
		return content.Errorf(content.ENotFound, "There is no media item %d.", id)
	}
	return nil
}

// PostsUsing returns the entries (not in the trash) whose body refers to
// path, at most limit of them.
func (c conn) PostsUsing(ctx context.Context, path string, limit int) ([]*content.Post, error) {
	rows, err := c.query(ctx, `SELECT `+postColumns+` FROM posts p WHERE p.status <> ? AND p.body LIKE ? ESCAPE '!'
		ORDER BY p.id LIMIT ?`, content.StatusTrash, "%"+likeEscaper.Replace(path)+"%", limit)
	if err != nil {
		return nil, fmt.Errorf("store: posts using %q: %w", path, err)
	}
	defer rows.Close()
	var out []*content.Post
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
