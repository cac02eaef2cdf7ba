package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
)

const commentColumns = `c.id, c.post_id, COALESCE(c.parent_id, 0), c.author, c.email, c.url, COALESCE(c.user_id, 0), c.ip,
	c.created_at, c.content_html, c.status, c.kind, c.wp_id`

func scanComment(s interface{ Scan(...any) error }, extra ...any) (*content.Comment, error) {
	var (
		c       content.Comment
		created int64
		status  string
	)
	dest := append([]any{&c.ID, &c.PostID, &c.ParentID, &c.Author, &c.Email, &c.URL, &c.UserID, &c.IP,
		&created, &c.HTML, &status, &c.Kind, &c.WordPressID}, extra...)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	c.CreatedAt, c.Status = fromUnix(created), content.CommentStatus(status)
	return &c, nil
}

// prepareComment sanitises and validates c, and checks that its post
// exists and that its parent is a comment on the same post.
func (tx *Tx) prepareComment(ctx context.Context, c *content.Comment) error {
	c.Author, c.Email, c.URL = strings.TrimSpace(c.Author), strings.TrimSpace(c.Email), strings.TrimSpace(c.URL)
	c.HTML = strings.TrimSpace(markup.SanitizeComment(c.HTML))
	if c.Status == "" {
		c.Status = content.CommentPending
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = tx.Now
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if exists, err := tx.postExists(ctx, c.PostID); err != nil {
		return err
	} else if !exists {
		return content.FieldError("post_id", "there is no post %d to comment on", c.PostID)
	}
	if c.ParentID != 0 {
		if c.ParentID == c.ID {
			return content.FieldError("parent_id", "a comment cannot reply to itself")
		}
		onPost, err := tx.commentPost(ctx, c.ParentID)
		if err != nil {
			return err
		}
		if onPost != c.PostID {
			return content.FieldError("parent_id", "comment %d, replied to, is not a comment on this post", c.ParentID)
		}
	}
	return nil
}

// postExists reports whether the post exists: without a query for a post
// this bulk transaction created.
func (tx *Tx) postExists(ctx context.Context, id int64) (bool, error) {
	if tx.bulk != nil {
		if _, ok := tx.bulk.versions[id]; ok {
			return true, nil
		}
	}
	var one int
	err := tx.queryRow(ctx, `SELECT 1 FROM posts WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: find post %d: %w", id, err)
	}
	return true, nil
}

// commentPost returns the post comment id is on, 0 when there is no such
// comment: without a query for a comment this bulk transaction created.
func (tx *Tx) commentPost(ctx context.Context, id int64) (int64, error) {
	if tx.bulk != nil {
		if post, ok := tx.bulk.comments[id]; ok {
			return post, nil
		}
	}
	var post int64
	err := tx.queryRow(ctx, `SELECT post_id FROM comments WHERE id = ?`, id).Scan(&post)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: find comment %d: %w", id, err)
	}
	return post, nil
}

// CreateComment stores a new comment: its HTML sanitised, pending unless
// a status is given, dated now unless a date is given.
func (tx *Tx) CreateComment(ctx context.Context, c *content.Comment) error {
	if err := tx.prepareComment(ctx, c); err != nil {
		return err
	}
	return tx.insertComment(ctx, c)
}

// insertComment inserts c, prepared.
func (tx *Tx) insertComment(ctx context.Context, c *content.Comment) error {
	const columns = `post_id, parent_id, author, email, url, user_id, ip, created_at, content_html, status, kind, wp_id`
	vals := []any{c.PostID, nullID(c.ParentID), c.Author, c.Email, c.URL, nullID(c.UserID), c.IP, unix(c.CreatedAt),
		c.HTML, string(c.Status), c.Kind, c.WordPressID}
	keys := commentKeys(c)
	id, kept, err := tx.keepNew(ctx, "comments", columns, keys, vals)
	if err != nil {
		return fmt.Errorf("store: create comment: %w", err)
	}
	if kept {
		c.ID = id
	} else {
		if err := tx.queryRow(ctx, `INSERT INTO comments (`+columns+`) VALUES (`+placeholders(len(vals))+`) RETURNING id`,
			vals...).Scan(&c.ID); err != nil {
			return fmt.Errorf("store: create comment: %w", err)
		}
		tx.wroteNew("comments", keys)
	}
	if tx.bulk != nil {
		tx.bulk.comments[c.ID] = c.PostID
		if c.WordPressID != 0 {
			tx.bulk.wpComments[[2]int64{c.PostID, c.WordPressID}] = true
		}
	}
	tx.touchPost(c.PostID, false, false)
	return nil
}

// Put results of PutImportedComment.
const (
	CommentCreated   = "created"
	CommentUpdated   = "updated"
	CommentUnchanged = "unchanged"
)

// PutImportedComment stores a comment read from a WordPress export, found
// by its post and WordPressID: created the first time, updated when the
// export says something else of it, left alone when it says the same.
// It returns which of CommentCreated, CommentUpdated, CommentUnchanged.
// ownExport says the export is Broadsheet's own, which names a comment
// written here (with no WordPress id) by its id: importing it back into
// the same site finds that comment.
func (tx *Tx) PutImportedComment(ctx context.Context, c *content.Comment, ownExport bool) (string, error) {
	if c.WordPressID == 0 {
		return "", content.FieldError("wp_id", "an imported comment needs its WordPress id")
	}
	var (
		old *content.Comment
		err = sql.ErrNoRows
	)
	if !tx.onlyOwnComments(c.PostID) || tx.bulk.wpComments[[2]int64{c.PostID, c.WordPressID}] {
		old, err = scanComment(tx.queryRow(ctx, `SELECT `+commentColumns+` FROM comments c WHERE c.post_id = ? AND c.wp_id = ?`,
			c.PostID, c.WordPressID))
	}
	if errors.Is(err, sql.ErrNoRows) && ownExport && !tx.onlyOwnComments(c.PostID) {
		old, err = scanComment(tx.queryRow(ctx, `SELECT `+commentColumns+` FROM comments c WHERE c.post_id = ? AND c.id = ? AND c.wp_id = 0`,
			c.PostID, c.WordPressID))
		if err == nil {
			c.WordPressID = 0
		}
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		old = nil
	case err != nil:
		return "", fmt.Errorf("store: find imported comment %d: %w", c.WordPressID, err)
	default:
		c.ID = old.ID
	}
	if err := tx.prepareComment(ctx, c); err != nil {
		return "", err
	}
	if old == nil {
		if err := tx.insertComment(ctx, c); err != nil {
			return "", err
		}
		return CommentCreated, nil
	}
	if old.ParentID == c.ParentID && old.Author == c.Author && old.Email == c.Email && old.URL == c.URL &&
		old.IP == c.IP && old.CreatedAt.Equal(c.CreatedAt) && old.HTML == c.HTML && old.Status == c.Status && old.Kind == c.Kind {
		*c = *old
		return CommentUnchanged, nil
	}
	if _, err := tx.exec(ctx, `UPDATE comments SET parent_id = ?, author = ?, email = ?, url = ?, ip = ?, created_at = ?,
		content_html = ?, status = ?, kind = ? WHERE id = ?`, nullID(c.ParentID), c.Author, c.Email, c.URL, c.IP,
		unix(c.CreatedAt), c.HTML, string(c.Status), c.Kind, c.ID); err != nil {
		return "", fmt.Errorf("store: update comment %d: %w", c.ID, err)
	}
	c.UserID = old.UserID
	tx.touchPost(c.PostID, false, false)
	return CommentUpdated, nil
}

// onlyOwnComments reports whether every comment on the post was written by
// this bulk transaction, which created the post: looking for one stored
// before is then looking in what it remembers.
func (tx *Tx) onlyOwnComments(postID int64) bool {
	if tx.bulk == nil {
		return false
	}
	_, created := tx.bulk.versions[postID]
	return created
}

// FindComment returns one comment by id.
func (c conn) FindComment(ctx context.Context, id int64) (*content.Comment, error) {
	cm, err := scanComment(c.queryRow(ctx, `SELECT `+commentColumns+` FROM comments c WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, content.Errorf(content.ENotFound, "There is no comment %d.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: find comment %d: %w", id, err)
	}
	return cm, nil
}

// CommentFilter selects comments.
type CommentFilter struct {
	PostID int64                 // 0: on every post
	Status content.CommentStatus // "": every status
	// Public keeps only comments on posts readers see at Now.
	Public bool
	Now    time.Time
	// Oldest lists oldest first (a post's thread, an export); otherwise
	// pending comments come first, then the newest.
	Oldest        bool
	Limit, Offset int // Limit 0: all
}

// FindComments returns the comments the filter selects and how many it
// selects in all, ignoring Limit and Offset.
func (c conn) FindComments(ctx context.Context, f CommentFilter) ([]*content.Comment, int, error) {
	var (
		where []string
		args  []any
	)
	from := ` FROM comments c`
	if f.PostID != 0 {
		where, args = append(where, `c.post_id = ?`), append(args, f.PostID)
	}
	if f.Status != "" {
		where, args = append(where, `c.status = ?`), append(args, string(f.Status))
	}
	if f.Public {
		from += ` JOIN posts p ON p.id = c.post_id`
		where = append(where, `p.status = ?`, `p.published_at <= ?`)
		args = append(args, string(content.StatusPublished), unix(f.Now))
	}
	cond := ""
	if len(where) > 0 {
		cond = ` WHERE ` + strings.Join(where, ` AND `)
	}
	var total int
	if err := c.queryRow(ctx, `SELECT COUNT(*)`+from+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count comments: %w", err)
	}
	order := ` ORDER BY CASE WHEN c.status = 'pending' THEN 0 ELSE 1 END, c.created_at DESC, c.id DESC`
	if f.Oldest {
		order = ` ORDER BY c.created_at, c.id`
	}
	q := `SELECT ` + commentColumns + from + cond + order
	if f.Limit > 0 {
		q += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: find comments: %w", err)
	}
	defer rows.Close()
	var out []*content.Comment
	for rows.Next() {
		cm, err := scanComment(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("store: scan comment: %w", err)
		}
		out = append(out, cm)
	}
	return out, total, rows.Err()
}

// SetCommentStatus moves a comment to status (approving, marking as spam,
// trashing, or back to pending).
func (tx *Tx) SetCommentStatus(ctx context.Context, id int64, status content.CommentStatus) (*content.Comment, error) {
	if !status.Valid() {
		return nil, content.FieldError("status", "the status must be approved, pending, spam or trash, not %q", status)
	}
	cm, err := tx.FindComment(ctx, id)
	if err != nil {
		return nil, err
	}
	if cm.Status == status {
		return cm, nil
	}
	if _, err := tx.exec(ctx, `UPDATE comments SET status = ? WHERE id = ?`, string(status), id); err != nil {
		return nil, fmt.Errorf("store: set comment %d status: %w", id, err)
	}
	cm.Status = status
	tx.touchPost(cm.PostID, false, false)
	return cm, nil
}

// CountCommentsByStatus counts the comments of each status.
func (c conn) CountCommentsByStatus(ctx context.Context) (map[content.CommentStatus]int, error) {
	return countByStatus[content.CommentStatus](ctx, c, "comments", `SELECT status, COUNT(*) FROM comments GROUP BY status`)
}

// CountApprovedComments counts each post's approved comments, for posts.
func (c conn) CountApprovedComments(ctx context.Context, postIDs []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if len(postIDs) == 0 {
		return out, nil
	}
	args := []any{string(content.CommentApproved)}
	marks := make([]string, len(postIDs))
	for i, id := range postIDs {
		marks[i] = "?"
		args = append(args, id)
	}
	rows, err := c.query(ctx, `SELECT post_id, COUNT(*) FROM comments WHERE status = ? AND post_id IN (`+
		strings.Join(marks, ",")+`) GROUP BY post_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: count approved comments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
