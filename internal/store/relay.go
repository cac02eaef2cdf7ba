package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// relayChannel is the PostgreSQL notification channel changes travel on.
const relayChannel = "broadsheet_changes"

// relayChunk bounds the post IDs in one notification, keeping its payload
// well under PostgreSQL's 8000-byte limit.
const relayChunk = 400

// relay is a DB's part in relaying changes between processes sharing one
// PostgreSQL database: every committed change is announced with NOTIFY in
// its own transaction (so it is sent exactly when the change commits, and
// never for a rolled-back one), and Relay listens for the other processes'
// announcements and publishes them to local subscribers.
type relay struct {
	dsn       string
	origin    string // this DB handle's name, to skip its own announcements
	listening atomic.Bool
}

func newRelay(dsn string) relay {
	b := make([]byte, 8)
	rand.Read(b)
	return relay{dsn: dsn, origin: hex.EncodeToString(b)}
}

// relayMessage is a Change as announced: short keys, for small payloads.
// Published is not sent: once-per-publication work is the publisher's.
type relayMessage struct {
	Origin string  `json:"o"`
	Posts  []int64 `json:"p,omitempty"`
	Site   bool    `json:"s,omitempty"`
}

// announce records, inside tx, what it changed for the other processes
// sharing the database: on PostgreSQL as notifications, delivered when tx
// commits; on SQLite as a row of the change log, which they poll.
func (db *DB) announce(ctx context.Context, tx *Tx) error {
	if tx.change.Empty() {
		return nil
	}
	if db.d.name == "sqlite" {
		return db.logChange(ctx, tx)
	}
	for _, m := range splitChange(db.relay.origin, tx.change) {
		payload, err := json.Marshal(m)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `SELECT pg_notify(?, ?)`, relayChannel, string(payload)); err != nil {
			return fmt.Errorf("store: announce change: %w", err)
		}
	}
	return nil
}

// splitChange cuts c into messages of at most relayChunk posts each.
func splitChange(origin string, c Change) []relayMessage {
	var ms []relayMessage
	posts := c.Posts
	for first := true; first || len(posts) > 0; first = false {
		n := min(len(posts), relayChunk)
		ms = append(ms, relayMessage{Origin: origin, Posts: posts[:n], Site: c.Site && first})
		posts = posts[n:]
	}
	return ms
}

// Relay listens, until ctx ends, for the changes other processes commit to
// the same database and publishes each to this DB's subscribers with
// Remote set, so that their caches follow. On PostgreSQL it listens for
// notifications; it reconnects after losing the server, and then
// publishes a Site change, since notifications sent while it was away are
// lost and subscribers should assume anything changed. On SQLite it polls
// the change log four times a second.
func (db *DB) Relay(ctx context.Context, log *slog.Logger) error {
	if log == nil {
		log = slog.Default()
	}
	if db.d.name == "sqlite" {
		return db.pollChangeLog(ctx, log)
	}
	backoff := 100 * time.Millisecond
	missed := false // notifications may have been lost: say so on reconnecting
	for ctx.Err() == nil {
		connected, err := db.listen(ctx, missed)
		db.relay.listening.Store(false)
		if ctx.Err() != nil {
			break
		}
		if connected {
			log.Warn("change relay lost the database; reconnecting", "err", err)
			backoff = 100 * time.Millisecond
		}
		missed = true
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
	return nil
}

// Relaying reports whether Relay is listening now.
func (db *DB) Relaying() bool { return db.relay.listening.Load() }

// listen holds one connection listening for announcements until it fails,
// and reports whether it got as far as listening.
func (db *DB) listen(ctx context.Context, missed bool) (connected bool, err error) {
	cfg, err := pgx.ParseConfig(db.relay.dsn)
	if err != nil {
		return false, err
	}
	cfg.ConnectTimeout = 5 * time.Second
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, err
	}
	defer func() {
		// A server that vanished should not hold the goodbye up for long.
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		c.Close(closeCtx)
	}()
	if _, err := c.Exec(ctx, "LISTEN "+relayChannel); err != nil {
		return false, err
	}
	db.relay.listening.Store(true)
	if missed {
		db.Publish(ctx, Change{Site: true, Remote: true})
	}
	for {
		n, err := c.WaitForNotification(ctx)
		if err != nil {
			return true, err
		}
		var m relayMessage
		if err := json.Unmarshal([]byte(n.Payload), &m); err != nil || m.Origin == db.relay.origin {
			continue
		}
		db.Publish(ctx, Change{Posts: m.Posts, Site: m.Site, Remote: true})
	}
}
