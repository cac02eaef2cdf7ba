package store

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// The change log is how processes sharing one SQLite file hear each
// other's changes: each write transaction adds a row naming its origin and
// what it changed, and Relay polls for rows from other origins.

const (
	// changeLogEvery is how often Relay polls the change log.
	changeLogEvery = 250 * time.Millisecond
	// changeLogKeep is how long entries are kept: far longer than any
	// poll takes, short enough that the table stays small.
	changeLogKeep = 10 * time.Minute
	// changeLogMaxPosts bounds the IDs one entry lists; a larger change
	// (a big import) is logged as a site-wide one.
	changeLogMaxPosts = 10_000
)

// logChange adds tx's change to the change log, inside tx.
func (db *DB) logChange(ctx context.Context, tx *Tx) error {
	c := tx.change
	ids := make([]string, 0, len(c.Posts))
	for _, id := range c.Posts {
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	if len(ids) > changeLogMaxPosts {
		ids, c.Site = nil, true
	}
	_, err := tx.exec(ctx, `INSERT INTO change_log (origin, posts, site, at) VALUES (?, ?, ?, ?)`,
		db.relay.origin, strings.Join(ids, ","), boolInt(c.Site), time.Now().Unix())
	return err
}

// pollChangeLog publishes, until ctx ends, the changes other processes
// log, from those committed after it starts.
func (db *DB) pollChangeLog(ctx context.Context, log *slog.Logger) error {
	defer db.relay.listening.Store(false)
	// The polls are counted apart from QueryCount's statements, which
	// tell what readers' pages cost: a poll landing while a page renders
	// is no part of that page.
	poll := db.conn
	poll.n = new(atomic.Int64)
	t := time.NewTicker(changeLogEvery)
	defer t.Stop()
	pruned := time.Now()
	last := int64(-1) // not yet known
	for {
		if last < 0 {
			err := poll.queryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM change_log`).Scan(&last)
			if err != nil {
				last = -1
				if ctx.Err() == nil {
					log.Warn("change relay could not read the change log", "err", err)
				}
			} else {
				db.relay.listening.Store(true)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if last < 0 {
			continue
		}
		var err error
		if last, err = db.relayLogged(ctx, poll, last); err != nil && ctx.Err() == nil {
			log.Warn("change relay could not read the change log", "err", err)
		}
		if time.Since(pruned) > time.Minute {
			pruned = time.Now()
			if _, err := poll.exec(ctx, `DELETE FROM change_log WHERE at < ?`, time.Now().Add(-changeLogKeep).Unix()); err != nil && ctx.Err() == nil {
				log.Warn("change relay could not prune the change log", "err", err)
			}
		}
	}
}

// relayLogged publishes the entries after seq last from other origins,
// read through poll, and returns the newest seq seen.
func (db *DB) relayLogged(ctx context.Context, poll conn, last int64) (int64, error) {
	rows, err := poll.query(ctx, `SELECT seq, origin, posts, site FROM change_log WHERE seq > ? ORDER BY seq`, last)
	if err != nil {
		return last, err
	}
	var changes []Change
	for rows.Next() {
		var (
			seq           int64
			origin, posts string
			site          int
		)
		if err = rows.Scan(&seq, &origin, &posts, &site); err != nil {
			break // publish what was read; the next poll starts after it
		}
		last = seq
		if origin == db.relay.origin {
			continue
		}
		c := Change{Site: site != 0, Remote: true}
		for _, s := range strings.Split(posts, ",") {
			if id, err := strconv.ParseInt(s, 10, 64); err == nil {
				c.Posts = append(c.Posts, id)
			}
		}
		changes = append(changes, c)
	}
	if err == nil {
		err = rows.Err()
	}
	rows.Close()
	// Publish after the rows are closed: subscribers may query the database.
	for _, c := range changes {
		db.Publish(ctx, c)
	}
	return last, err
}
