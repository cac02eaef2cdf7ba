package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

// CreateResetLink records a one-time password link for a user by the hash
// of its secret, made by the admin createdBy, valid until expires. Older
// unused links of the user stop working: only the latest one given counts.
func (tx *Tx) CreateResetLink(ctx context.Context, tokenHash string, userID, createdBy int64, expires time.Time) error {
	if _, err := tx.FindUserByID(ctx, userID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM reset_links WHERE user_id = ? OR expires_at < ?`, userID, unix(tx.Now)); err != nil {
		return fmt.Errorf("store: retire reset links of user %d: %w", userID, err)
	}
	if _, err := tx.exec(ctx, `INSERT INTO reset_links (token_hash, user_id, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		tokenHash, userID, createdBy, unix(tx.Now), unix(expires)); err != nil {
		return fmt.Errorf("store: create reset link for user %d: %w", userID, err)
	}
	return nil
}

// badResetLink is the one answer for a link that is unknown, used or expired.
var badResetLink = content.Errorf(content.ENotFound,
	"This password link is not valid: it was used already, has expired or was replaced by a newer one. Ask an admin for a new link.")

// FindResetLinkUser returns the user of the unused, unexpired link with the
// given hash, without using it up.
func (c conn) FindResetLinkUser(ctx context.Context, tokenHash string, now time.Time) (*content.User, error) {
	u, err := scanUser(c.queryRow(ctx, `SELECT `+userColumns+` FROM reset_links r JOIN users u ON u.id = r.user_id
		WHERE r.token_hash = ? AND r.used_at = 0 AND r.expires_at > ?`, tokenHash, unix(now)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, badResetLink
	}
	if err != nil {
		return nil, fmt.Errorf("store: find reset link: %w", err)
	}
	return u, nil
}

// UseResetLink uses up the unused, unexpired link with the given hash and
// returns its user's id; of two uses at once, one wins.
func (tx *Tx) UseResetLink(ctx context.Context, tokenHash string) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `UPDATE reset_links SET used_at = ? WHERE token_hash = ? AND used_at = 0 AND expires_at > ?
		RETURNING user_id`, unix(tx.Now), tokenHash, unix(tx.Now)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, badResetLink
	}
	if err != nil {
		return 0, fmt.Errorf("store: use reset link: %w", err)
	}
	return id, nil
}

// SetEmail changes a user's email address, with which they sign in.
func (tx *Tx) SetEmail(ctx context.Context, userID int64, email string) error {
	email = strings.TrimSpace(email)
	if email == "" {
		return content.FieldError("email", "an email address is required to sign in")
	}
	u, err := tx.FindUserByID(ctx, userID)
	if err != nil {
		return err
	}
	u.Email = email
	if err := u.Validate(); err != nil {
		return err
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE lower(email) = ? AND id <> ?`, strings.ToLower(email), userID).Scan(&n); err != nil {
		return fmt.Errorf("store: set email of user %d: %w", userID, err)
	}
	if n > 0 {
		return &content.Error{Code: content.EConflict, Field: "email", Message: fmt.Sprintf("another user has the email %q", email)}
	}
	_, err = tx.exec(ctx, `UPDATE users SET email = ? WHERE id = ?`, email, userID)
	if tx.d.isUniqueViolation(err) {
		return &content.Error{Code: content.EConflict, Field: "email", Message: fmt.Sprintf("another user has the email %q", email)}
	}
	if err != nil {
		return fmt.Errorf("store: set email of user %d: %w", userID, err)
	}
	return nil
}

// LastResetLink returns when the user's latest unused link was made and by
// whom (the user themselves, asking by mail); zero when there is none.
func (c conn) LastResetLink(ctx context.Context, userID int64) (created time.Time, createdBy int64, err error) {
	var at int64
	err = c.queryRow(ctx, `SELECT created_at, created_by FROM reset_links WHERE user_id = ? AND used_at = 0 ORDER BY created_at DESC LIMIT 1`, userID).Scan(&at, &createdBy)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, 0, nil
	}
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("store: last reset link of user %d: %w", userID, err)
	}
	return fromUnix(at), createdBy, nil
}
