package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// LoginFailures is the record of failed sign-ins under one key (an
// account's email or a client's address).
type LoginFailures struct {
	Failures    int
	LastAt      time.Time
	LockedUntil time.Time
}

// FindLoginFailures returns the record for key; a zero record when none.
func (c conn) FindLoginFailures(ctx context.Context, key string) (LoginFailures, error) {
	var (
		f             LoginFailures
		last, lockedU int64
	)
	err := c.queryRow(ctx, `SELECT failures, last_at, locked_until FROM login_failures WHERE key = ?`, key).Scan(&f.Failures, &last, &lockedU)
	if errors.Is(err, sql.ErrNoRows) {
		return LoginFailures{}, nil
	}
	if err != nil {
		return f, fmt.Errorf("store: find login failures: %w", err)
	}
	f.LastAt, f.LockedUntil = fromUnix(last), fromUnix(lockedU)
	return f, nil
}

// LockLoginFailures returns the record for key, a zero record when none,
// and holds it until the transaction ends: of several transactions doing so
// for one key, each reads what the one before it wrote. (SQLite runs one
// writing transaction at a time anyway; PostgreSQL locks the row, which the
// upsert creates when there is none, as it cannot lock a missing one.)
func (tx *Tx) LockLoginFailures(ctx context.Context, key string) (LoginFailures, error) {
	if _, err := tx.exec(ctx, `INSERT INTO login_failures (key, failures, last_at, locked_until) VALUES (?, 0, 0, 0)
		ON CONFLICT (key) DO UPDATE SET failures = login_failures.failures`, key); err != nil {
		return LoginFailures{}, fmt.Errorf("store: lock login failures: %w", err)
	}
	return tx.FindLoginFailures(ctx, key)
}

// PutLoginFailures stores the record for key.
func (tx *Tx) PutLoginFailures(ctx context.Context, key string, f LoginFailures) error {
	_, err := tx.exec(ctx, `INSERT INTO login_failures (key, failures, last_at, locked_until) VALUES (?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_at = excluded.last_at,
		locked_until = excluded.locked_until`, key, f.Failures, unix(f.LastAt), unix(f.LockedUntil))
	if err != nil {
		return fmt.Errorf("store: record login failure: %w", err)
	}
	return nil
}

// ClearLoginFailures forgets the failures under key.
func (tx *Tx) ClearLoginFailures(ctx context.Context, key string) error {
	if _, err := tx.exec(ctx, `DELETE FROM login_failures WHERE key = ?`, key); err != nil {
		return fmt.Errorf("store: clear login failures: %w", err)
	}
	return nil
}

// SweepLoginFailures forgets records older than before that hold no lock,
// so guessing at many addresses cannot grow the table without end.
func (tx *Tx) SweepLoginFailures(ctx context.Context, before time.Time) error {
	if _, err := tx.exec(ctx, `DELETE FROM login_failures WHERE last_at < ? AND locked_until < ?`, unix(before), unix(tx.Now)); err != nil {
		return fmt.Errorf("store: sweep login failures: %w", err)
	}
	return nil
}
