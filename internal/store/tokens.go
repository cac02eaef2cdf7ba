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

// Token describes an API token; the secret itself is never stored.
type Token struct {
	ID         int64
	User       content.User
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero when never used
	RevokedAt  time.Time // zero while valid
}

// CreateToken records a token for a user by the hash of its secret.
func (tx *Tx) CreateToken(ctx context.Context, userID int64, name, tokenHash string) (*Token, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, content.FieldError("name", "give the token a name saying what it is for")
	}
	u, err := tx.FindUserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	t := &Token{User: *u, Name: name, CreatedAt: tx.Now}
	if err := tx.queryRow(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		userID, name, tokenHash, unix(tx.Now)).Scan(&t.ID); err != nil {
		return nil, fmt.Errorf("store: create token: %w", err)
	}
	return t, nil
}

// FindTokenUser returns the user of the valid token with the given hash
// and when the token was last used; EUnauthorized when it is unknown or
// revoked.
func (c conn) FindTokenUser(ctx context.Context, tokenHash string) (*content.User, time.Time, error) {
	var used int64
	u, err := scanUser(c.queryRow(ctx, `SELECT t.last_used_at, `+userColumns+` FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND t.revoked_at = 0`, tokenHash), &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, content.Errorf(content.EUnauthorized, "The API token is unknown or revoked.")
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("store: find token: %w", err)
	}
	return u, fromUnix(used), nil
}

// TouchToken records that a token was used.
func (tx *Tx) TouchToken(ctx context.Context, tokenHash string) error {
	_, err := tx.exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?`, unix(tx.Now), tokenHash)
	return err
}

// FindTokens lists tokens, newest first: a user's when userID is not 0,
// else everyone's.
func (c conn) FindTokens(ctx context.Context, userID int64) ([]*Token, error) {
	q := `SELECT t.id, t.name, t.created_at, t.last_used_at, t.revoked_at, ` + userColumns + `
		FROM api_tokens t JOIN users u ON u.id = t.user_id`
	var args []any
	if userID != 0 {
		q += ` WHERE t.user_id = ?`
		args = append(args, userID)
	}
	rows, err := c.query(ctx, q+` ORDER BY t.created_at DESC, t.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find tokens: %w", err)
	}
	defer rows.Close()
	var out []*Token
	for rows.Next() {
		var (
			t                      Token
			created, used, revoked int64
		)
		u, err := scanUser(rows, &t.ID, &t.Name, &created, &used, &revoked)
		if err != nil {
			return nil, fmt.Errorf("store: scan token: %w", err)
		}
		t.User, t.CreatedAt, t.LastUsedAt, t.RevokedAt = *u, fromUnix(created), fromUnix(used), fromUnix(revoked)
		out = append(out, &t)
	}
	return out, rows.Err()
}

// FindToken returns one token by id.
func (c conn) FindToken(ctx context.Context, id int64) (*Token, error) {
	all, err := c.FindTokens(ctx, 0)
	if err != nil {
		return nil, err
	}
	for _, t := range all {
		if t.ID == id {
			return t, nil
		}
	}
	return nil, content.Errorf(content.ENotFound, "No API token %d.", id)
}

// RevokeToken revokes a token for good; revoking it twice is harmless.
func (tx *Tx) RevokeToken(ctx context.Context, id int64) error {
	res, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at = 0`, unix(tx.Now), id)
	if err != nil {
		return fmt.Errorf("store: revoke token %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := tx.FindToken(ctx, id); err != nil {
			return err
		}
	}
	return nil
}
