package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

const userColumns = `u.id, u.slug, u.name, u.email, u.role, u.bio`

func scanUser(row interface{ Scan(...any) error }, leading ...any) (*content.User, error) {
	var u content.User
	dest := append(leading, &u.ID, &u.Slug, &u.Name, &u.Email, &u.Role, &u.Bio)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	return &u, nil
}

// FindUserBySlug returns the user with the given login slug.
func (c conn) FindUserBySlug(ctx context.Context, slug string) (*content.User, error) {
	memo, gen := c.memo(), uint64(0)
	if memo != nil {
		u, g, ok := memo.users.Get(slug, time.Time{})
		if ok {
			return &u, nil // a copy
		}
		gen = g
	}
	u, err := scanUser(c.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, content.Errorf(content.ENotFound, "No user %q.", slug)
	}
	if err != nil {
		return nil, fmt.Errorf("store: find user %q: %w", slug, err)
	}
	if memo != nil {
		memo.users.Put(slug, *u, gen, time.Time{})
	}
	return u, nil
}

// FindUsers returns every user, by name.
func (c conn) FindUsers(ctx context.Context) ([]*content.User, error) {
	rows, err := c.query(ctx, `SELECT `+userColumns+` FROM users u ORDER BY u.name, u.id`)
	if err != nil {
		return nil, fmt.Errorf("store: find users: %w", err)
	}
	defer rows.Close()
	var users []*content.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: scan user: %w", err)
		}
		users = append(users, u)
	}
	return users, rows.Err()
}

// UpsertUser creates the user with u.Slug, or updates its name, email and
// bio when it exists (keeping its role and password), and sets u.ID.
func (tx *Tx) UpsertUser(ctx context.Context, u *content.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	err := tx.queryRow(ctx, `INSERT INTO users (slug, name, email, role, bio, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (slug) DO UPDATE SET name = excluded.name, email = excluded.email, bio = excluded.bio
		RETURNING id, role`, u.Slug, u.Name, u.Email, u.Role, u.Bio, unix(tx.Now)).Scan(&u.ID, &u.Role)
	if err != nil {
		return fmt.Errorf("store: upsert user %q: %w", u.Slug, err)
	}
	tx.touchSite()
	return nil
}
