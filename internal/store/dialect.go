package store

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/broadsheet/broadsheet/internal/content"
)

// dialect is the only place where SQLite and PostgreSQL differ. Queries are
// written once, with '?' placeholders, in SQL both engines accept.
type dialect struct {
	name   string // "sqlite" or "postgres"; also the migrations folder
	driver string // database/sql driver name
	// prepare keeps reads prepared: SQLite compiles every statement anew
	// otherwise, a sixth of a page's time; pgx caches them itself.
	prepare bool
}

var (
	sqliteDialect   = dialect{name: "sqlite", driver: "sqlite", prepare: true}
	postgresDialect = dialect{name: "postgres", driver: "pgx"}
)

// rebind turns '?' placeholders into PostgreSQL's $1, $2, … . Queries never
// hold a literal '?', so a plain scan is enough.
func (d dialect) rebind(query string) string {
	if d.name != "postgres" || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// isUniqueViolation reports whether err is a unique-constraint failure.
func (d dialect) isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// invalidText turns PostgreSQL's refusal of text it cannot store or compare
// (22021 character_not_in_repertoire: a NUL character or bytes that are not
// UTF-8; 22P05 untranslatable_character) into an EInvalid error, keeping
// the database's error in the chain for the log: bad input is the caller's
// to mend, never a 500. The domain's Validate methods and the web layer
// refuse such text first; this is the last line behind them. SQLite stores
// such text and answers no such error.
func (d dialect) invalidText(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "22021" || pe.Code == "22P05") {
		return fmt.Errorf("%w (%w)", content.Errorf(content.EInvalid,
			"The text holds a NUL character or bytes that are not UTF-8, which cannot be stored or looked up: remove them."), err)
	}
	return err
}

// serialise returns what makes the transactions running it wait for one
// another until each commits, for writes that must see every earlier one
// (the inbox's deduplication across sources polled at once). SQLite needs
// nothing: its writing transactions already take the one write lock when
// they begin.
func (d dialect) serialise(key int64) string {
	if d.name == "postgres" {
		return `SELECT pg_advisory_xact_lock(` + strconv.FormatInt(key, 10) + `)`
	}
	return ""
}

// bulkSettings are run at the start of a transaction that writes many
// thousands of rows. PostgreSQL would otherwise settle, after a few runs of
// a prepared query, on a generic plan made while the tables were nearly
// empty (a sequential scan) and keep it as they grow, making a large
// import quadratic; custom plans see the tables' real size.
func (d dialect) bulkSettings() []string {
	if d.name == "postgres" {
		return []string{`SET LOCAL plan_cache_mode = force_custom_plan`}
	}
	return nil
}

// computeApart reports whether a bulk transaction has the values of
// computed rows (search entries' tsvectors) computed on other connections
// while it goes on: on PostgreSQL, where the server gives each connection
// a process of its own and so a core of its own; not on SQLite, which
// computes in this process anyway.
func (d dialect) computeApart() bool { return d.name == "postgres" }

// placeholders returns "?, ?, …" with n marks, for IN lists.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}
