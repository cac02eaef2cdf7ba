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

// The newsletter's send queue. An edition (a post, a day's or a week's
// digest) is queued once, as one row per subscriber, in one transaction:
// its name is the primary key of newsletter_editions, and (edition,
// subscriber) is unique, so no server, restart or second call queues it
// twice. A process claims due rows (queued → sending) in one statement,
// which two processes cannot both win, sends them, and records each
// outcome (sent, queued again for later, failed). A row left "sending"
// after its claim ran out belongs to a process stopped mid-send (kill -9):
// the message may have gone, so it is failed, never sent a second time.

// Send statuses.
const (
	SendQueued  = "queued"
	SendSending = "sending"
	SendSent    = "sent"
	SendFailed  = "failed"
)

// QueueEdition records the edition and queues it for each subscriber given.
// queued is false, and nothing is written, when the edition was queued before.
func (tx *Tx) QueueEdition(ctx context.Context, edition string, postID int64, subject string, subscribers []int64) (queued bool, err error) {
	res, err := tx.exec(ctx, `INSERT INTO newsletter_editions (edition, post_id, subject, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (edition) DO NOTHING`,
		edition, postID, subject, unix(tx.Now))
	if err != nil {
		return false, fmt.Errorf("store: queue edition %s: %w", edition, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	const batch = 400
	for len(subscribers) > 0 {
		part := subscribers[:min(batch, len(subscribers))]
		subscribers = subscribers[len(part):]
		var (
			sb   strings.Builder
			args []any
		)
		sb.WriteString(`INSERT INTO newsletter_sends (edition, subscriber_id, status, next_at) VALUES `)
		for i, id := range part {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, 'queued', ?)")
			args = append(args, edition, id, unix(tx.Now))
		}
		sb.WriteString(` ON CONFLICT (edition, subscriber_id) DO NOTHING`)
		if _, err := tx.exec(ctx, sb.String(), args...); err != nil {
			return false, fmt.Errorf("store: queue edition %s: %w", edition, err)
		}
	}
	return true, nil
}

// EditionQueued reports whether the edition was queued.
func (c conn) EditionQueued(ctx context.Context, edition string) (bool, error) {
	var n int
	if err := c.queryRow(ctx, `SELECT COUNT(*) FROM newsletter_editions WHERE edition = ?`, edition).Scan(&n); err != nil {
		return false, fmt.Errorf("store: edition %s: %w", edition, err)
	}
	return n > 0, nil
}

// Send is one message of an edition to one subscriber, claimed for sending.
type Send struct {
	ID         int64
	Edition    string
	PostID     int64
	Attempts   int // before this one
	Subscriber *content.Subscriber
}

// ClaimSends claims up to n sends due by now for hold, marking them as
// being sent, and returns them with their subscribers.
func (db *DB) ClaimSends(ctx context.Context, n int, hold time.Duration) ([]Send, error) {
	var out []Send
	err := db.Update(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `UPDATE newsletter_sends SET status = 'sending', claimed_until = ?
			WHERE id IN (SELECT id FROM newsletter_sends WHERE status = 'queued' AND next_at <= ? ORDER BY id LIMIT ?) AND status = 'queued'
			RETURNING id`, unix(tx.Now.Add(hold)), unix(tx.Now), n)
		if err != nil {
			return err
		}
		var ids []any
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return err
		}
		// The batch is named by its first send: the newsletter sends a
		// batch in id order and records each outcome before beginning the
		// next, so after a crash only a batch's first unfinished send may
		// have been begun (see RecoverSends).
		first := ids[0].(int64)
		for _, id := range ids {
			first = min(first, id.(int64))
		}
		if _, err := tx.exec(ctx, `UPDATE newsletter_sends SET claim_id = ? WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`,
			append([]any{first}, ids...)...); err != nil {
			return err
		}
		rows, err = tx.query(ctx, `SELECT q.id, q.edition, e.post_id, q.attempts, `+subscriberColumns+`
			FROM newsletter_sends q JOIN newsletter_editions e ON e.edition = q.edition JOIN subscribers s ON s.id = q.subscriber_id
			WHERE q.id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY q.id`, ids...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s Send
			sub, err := scanSubscriber(scanFunc(func(dest ...any) error {
				return rows.Scan(append([]any{&s.ID, &s.Edition, &s.PostID, &s.Attempts}, dest...)...)
			}))
			if err != nil {
				return err
			}
			s.Subscriber = sub
			out = append(out, s)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim sends: %w", err)
	}
	return out, nil
}

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// SendOutcome is what became of a claimed send.
type SendOutcome struct {
	ID           int64
	SubscriberID int64
	// Err is empty when the message was sent.
	Err string
	// RetryAt, when set, queues the send again for then; otherwise a
	// failure is final.
	RetryAt time.Time
	// Bounced marks the subscriber's address refused for good.
	Bounced bool
}

// FinishSends records the outcomes of claimed sends, in one transaction.
func (db *DB) FinishSends(ctx context.Context, outcomes []SendOutcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	return db.Update(ctx, func(tx *Tx) error {
		for _, o := range outcomes {
			var err error
			switch {
			case o.Err == "":
				_, err = tx.exec(ctx, `UPDATE newsletter_sends SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = '' WHERE id = ? AND status = 'sending'`,
					unix(tx.Now), o.ID)
			case !o.RetryAt.IsZero():
				_, err = tx.exec(ctx, `UPDATE newsletter_sends SET status = 'queued', next_at = ?, attempts = attempts + 1, last_error = ?, claimed_until = 0 WHERE id = ? AND status = 'sending'`,
					unix(o.RetryAt), o.Err, o.ID)
			default:
				_, err = tx.exec(ctx, `UPDATE newsletter_sends SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ? AND status = 'sending'`,
					o.Err, o.ID)
				if err == nil && o.Bounced {
					err = tx.MarkBounced(ctx, o.SubscriberID, o.Err)
				}
			}
			if err != nil {
				return fmt.Errorf("store: finish send %d: %w", o.ID, err)
			}
		}
		return nil
	})
}

// RecoverSends settles the sends whose claim ran out while being sent (their
// process stopped mid-send, kill -9). A batch is sent in id order, each
// outcome recorded before the next send begins: of a batch's unfinished
// sends only the first may have been begun, and may have arrived, so it is
// failed rather than sent twice; the others were never begun and are
// queued again. It returns how many were failed and how many queued again.
func (db *DB) RecoverSends(ctx context.Context) (failed, requeued int, err error) {
	// Looked for first outside a write transaction: the newsletter asks
	// every few seconds, and there is almost never anything to settle.
	var one int
	switch err := db.queryRow(ctx, `SELECT 1 FROM newsletter_sends WHERE status = 'sending' AND claimed_until < ? LIMIT 1`,
		unix(db.Now())).Scan(&one); {
	case errors.Is(err, sql.ErrNoRows):
		return 0, 0, nil
	case err != nil:
		return 0, 0, fmt.Errorf("store: recover sends: %w", err)
	}
	err = db.Update(ctx, func(tx *Tx) error {
		now := unix(tx.Now)
		res, err := tx.exec(ctx, `UPDATE newsletter_sends SET status = 'failed',
			last_error = 'interrupted while being sent (the server stopped): it may have arrived, so it is not sent again'
			WHERE id IN (SELECT MIN(id) FROM newsletter_sends WHERE status = 'sending' AND claimed_until < ? GROUP BY claim_id)`, now)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		failed = int(n)
		res, err = tx.exec(ctx, `UPDATE newsletter_sends SET status = 'queued', claimed_until = 0, claim_id = 0
			WHERE status = 'sending' AND claimed_until < ?`, now)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		requeued = int(n)
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("store: recover sends: %w", err)
	}
	return failed, requeued, nil
}

// dropQueued fails the sends still queued for a subscriber, saying why.
func (tx *Tx) dropQueued(ctx context.Context, subscriberID int64, why string) error {
	if _, err := tx.exec(ctx, `UPDATE newsletter_sends SET status = 'failed', last_error = ? WHERE subscriber_id = ? AND status = 'queued'`,
		"not sent: "+why, subscriberID); err != nil {
		return fmt.Errorf("store: drop sends of subscriber %d: %w", subscriberID, err)
	}
	return nil
}

// SendCounts counts the newsletter's sends by status.
func (c conn) SendCounts(ctx context.Context) (map[string]int, error) {
	return countByStatus[string](ctx, c, "sends", `SELECT status, COUNT(*) FROM newsletter_sends GROUP BY status`)
}

// SendsOfEdition counts an edition's sends by status.
func (c conn) SendsOfEdition(ctx context.Context, edition string) (map[string]int, error) {
	return countByStatus[string](ctx, c, "sends of "+edition, `SELECT status, COUNT(*) FROM newsletter_sends WHERE edition = ? GROUP BY status`, edition)
}
