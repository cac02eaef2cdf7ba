package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

// CreateSession records a sign-in session by the hash of its secret id.
func (tx *Tx) CreateSession(ctx context.Context, idHash string, userID int64, expires time.Time) error {
	if _, err := tx.exec(ctx, `INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		idHash, userID, unix(tx.Now), unix(expires)); err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	// Sweep expired sessions while we are here, so the table stays small
	// without a janitor.
	if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE expires_at < ?`, unix(tx.Now)); err != nil {
		return fmt.Errorf("store: sweep sessions: %w", err)
	}
	return nil
}

// FindSessionUser returns the user of the unexpired session with the given
// id hash; EUnauthorized when there is none.
func (c conn) FindSessionUser(ctx context.Context, idHash string, now time.Time) (*content.User, error) {
	u, err := scanUser(c.queryRow(ctx, `SELECT `+userColumns+` FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = ? AND s.expires_at > ? AND u.password_hash <> ''`, idHash, unix(now)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, content.Errorf(content.EUnauthorized, "Your session has ended. Please sign in again.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find session: %w", err)
	}
	return u, nil
}

// DeleteSession ends a session.
func (tx *Tx) DeleteSession(ctx context.Context, idHash string) error {
	if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}
