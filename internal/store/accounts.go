package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
)

// FindUserByID returns the user with the given id.
func (c conn) FindUserByID(ctx context.Context, id int64) (*content.User, error) {
	u, err := scanUser(c.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, content.Errorf(content.ENotFound, "No user %d.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: find user %d: %w", id, err)
	}
	return u, nil
}

// FindUserByEmail returns the user with the given email, compared without
// regard to case, and the hash of their password ("" when they have none
// and so cannot sign in).
func (c conn) FindUserByEmail(ctx context.Context, email string) (*content.User, string, error) {
	var hash string
	u, err := scanUser(c.queryRow(ctx, `SELECT u.password_hash, `+userColumns+` FROM users u
		WHERE lower(u.email) = ? AND u.email <> ''`, strings.ToLower(strings.TrimSpace(email))), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", content.Errorf(content.ENotFound, "No user with the email %q.", email)
	}
	if err != nil {
		return nil, "", fmt.Errorf("store: find user %q: %w", email, err)
	}
	return u, hash, nil
}

// CountLoginUsers returns how many users can sign in (have a password).
func (c conn) CountLoginUsers(ctx context.Context) (int, error) {
	var n int
	if err := c.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE password_hash <> ''`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}

// CreateAccount gives u a sign-in: when a user with u's email exists
// without a password (an imported author, say) it is adopted, taking u's
// name and role; otherwise a user is created with a slug derived from
// slug, made unique. A user with that email who already has a password is
// a conflict. u.ID and u.Slug are set.
func (tx *Tx) CreateAccount(ctx context.Context, u *content.User, slug, passwordHash string) error {
	if strings.TrimSpace(u.Email) == "" {
		return content.FieldError("email", "an email address is required to sign in")
	}
	if u.Slug == "" {
		u.Slug = slug
	}
	if err := u.Validate(); err != nil {
		return err
	}
	existing, hash, err := tx.FindUserByEmail(ctx, u.Email)
	switch {
	case err == nil && hash != "":
		return &content.Error{Code: content.EConflict, Field: "email",
			Message: fmt.Sprintf("a user with the email %q already exists; use 'user passwd' to change their password", u.Email)}
	case err == nil:
		if _, err := tx.exec(ctx, `UPDATE users SET name = ?, role = ?, password_hash = ? WHERE id = ?`,
			u.Name, u.Role, passwordHash, existing.ID); err != nil {
			return fmt.Errorf("store: adopt user %d: %w", existing.ID, err)
		}
		u.ID, u.Slug = existing.ID, existing.Slug
		tx.touchSite()
		return nil
	case !content.IsNotFound(err):
		return err
	}
	base := u.Slug
	for i := 2; ; i++ {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE slug = ?`, u.Slug).Scan(&n); err != nil {
			return fmt.Errorf("store: create user: %w", err)
		}
		if n == 0 {
			break
		}
		u.Slug = fmt.Sprintf("%s-%d", base, i)
	}
	err = tx.queryRow(ctx, `INSERT INTO users (slug, name, email, role, bio, password_hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, u.Slug, u.Name, strings.TrimSpace(u.Email), u.Role, u.Bio,
		passwordHash, unix(tx.Now)).Scan(&u.ID)
	if tx.d.isUniqueViolation(err) {
		return &content.Error{Code: content.EConflict, Field: "email", Message: fmt.Sprintf("a user with the email %q already exists", u.Email)}
	}
	if err != nil {
		return fmt.Errorf("store: create user %q: %w", u.Email, err)
	}
	tx.touchSite()
	return nil
}

// KeepTokens tells SetPassword to leave a user's API tokens valid.
type KeepTokens bool

// SetPassword replaces a user's password hash, ends all their sessions and,
// unless keep is true, revokes their API tokens, so a stolen session or
// token dies with the old password. It returns how many tokens it revoked.
func (tx *Tx) SetPassword(ctx context.Context, userID int64, passwordHash string, keep KeepTokens) (revoked int64, err error) {
	res, err := tx.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, passwordHash, userID)
	if err != nil {
		return 0, fmt.Errorf("store: set password of user %d: %w", userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, content.Errorf(content.ENotFound, "No user %d.", userID)
	}
	if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return 0, fmt.Errorf("store: end sessions of user %d: %w", userID, err)
	}
	if keep {
		return 0, nil
	}
	res, err = tx.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at = 0`, unix(tx.Now), userID)
	if err != nil {
		return 0, fmt.Errorf("store: revoke tokens of user %d: %w", userID, err)
	}
	revoked, _ = res.RowsAffected()
	return revoked, nil
}

// SetRole changes a user's role.
func (tx *Tx) SetRole(ctx context.Context, userID int64, role content.Role) error {
	if !role.Valid() {
		return content.FieldError("role", "unknown role %q: choose admin, editor, author or contributor", role)
	}
	res, err := tx.exec(ctx, `UPDATE users SET role = ? WHERE id = ?`, role, userID)
	if err != nil {
		return fmt.Errorf("store: set role of user %d: %w", userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return content.Errorf(content.ENotFound, "No user %d.", userID)
	}
	tx.touchSite()
	return nil
}
