// Package storetest opens real databases for tests: a fresh SQLite file
// always, and a fresh PostgreSQL database when BROADSHEET_TEST_POSTGRES
// names a reachable server. Every backend runs the same conformance suite.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/broadsheet/broadsheet/internal/store"
)

// PostgresEnv names the variable holding a PostgreSQL server URL for tests;
// the URL's user must be allowed to create databases.
const PostgresEnv = "BROADSHEET_TEST_POSTGRES"

// RequireAllEnv, when set (as CI sets it), turns a suite that would be
// skipped for want of a server or a browser into a failure.
const RequireAllEnv = "BROADSHEET_REQUIRE_ALL_SUITES"

// Engines lists the engines tests can run on here: "sqlite" always,
// "postgres" when a server is configured.
func Engines(t testing.TB) []string {
	if os.Getenv(PostgresEnv) != "" {
		return []string{"sqlite", "postgres"}
	}
	if os.Getenv(RequireAllEnv) != "" {
		t.Fatalf("%s is not set, but %s requires the PostgreSQL suites to run", PostgresEnv, RequireAllEnv)
	}
	t.Logf("%s is not set: PostgreSQL suites skipped, SQLite only", PostgresEnv)
	return []string{"sqlite"}
}

// Run runs fn as a subtest on each engine, each with its own fresh database.
func Run(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	for _, engine := range Engines(t) {
		t.Run(engine, func(t *testing.T) { fn(t, Open(t, engine)) })
	}
}

// DSN returns the address of a new, empty database of the engine, removed
// when the test ends.
func DSN(t testing.TB, engine string) string {
	t.Helper()
	switch engine {
	case "sqlite":
		return filepath.Join(t.TempDir(), "broadsheet.db")
	case "postgres":
		admin := os.Getenv(PostgresEnv)
		if admin == "" {
			t.Skipf("%s is not set", PostgresEnv)
		}
		b := make([]byte, 6)
		rand.Read(b)
		name := "bs_test_" + hex.EncodeToString(b)
		adm, err := sql.Open("pgx", admin)
		if err != nil {
			t.Fatalf("storetest: %v", err)
		}
		defer adm.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := adm.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
			t.Fatalf("storetest: create database on %s: %v", PostgresEnv, err)
		}
		t.Cleanup(func() {
			adm, err := sql.Open("pgx", admin)
			if err != nil {
				return
			}
			defer adm.Close()
			adm.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
		})
		u, err := url.Parse(admin)
		if err != nil {
			t.Fatalf("storetest: %s: %v", PostgresEnv, err)
		}
		u.Path = "/" + name
		return u.String()
	}
	t.Fatalf("storetest: unknown engine %q", engine)
	return ""
}

// Open opens a new, empty, migrated database of the engine, closed when the
// test ends. Its clock is frozen at a fixed time; tests move it by setting
// db.Now.
func Open(t testing.TB, engine string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), DSN(t, engine))
	if err != nil {
		t.Fatalf("storetest: open %s: %v", engine, err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	return db
}
