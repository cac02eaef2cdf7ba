package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

const subscriberColumns = `s.id, s.email, s.name, s.status, s.frequency, s.sections, s.source, s.created_at, s.confirmed_at, s.unsubscribed_at, s.failure, s.confirm_sent_at`

func scanSubscriber(row interface{ Scan(...any) error }) (*content.Subscriber, error) {
	var (
		s                          content.Subscriber
		sections                   string
		created, confirmed, unsubs int64
		confirmSent                int64
	)
	if err := row.Scan(&s.ID, &s.Email, &s.Name, &s.Status, &s.Frequency, &sections, &s.Source, &created, &confirmed, &unsubs, &s.Failure, &confirmSent); err != nil {
		return nil, err
	}
	s.ConfirmSentAt = fromUnix(confirmSent)
	s.Sections = splitSections(sections)
	s.CreatedAt, s.ConfirmedAt, s.UnsubscribedAt = fromUnix(created), fromUnix(confirmed), fromUnix(unsubs)
	return &s, nil
}

func splitSections(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func noSubscriber(what string) error {
	return content.Errorf(content.ENotFound, "There is no subscriber %s.", what)
}

// FindSubscriber returns the subscriber with the given id.
func (c conn) FindSubscriber(ctx context.Context, id int64) (*content.Subscriber, error) {
	s, err := scanSubscriber(c.queryRow(ctx, `SELECT `+subscriberColumns+` FROM subscribers s WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, noSubscriber(fmt.Sprint(id))
	}
	if err != nil {
		return nil, fmt.Errorf("store: find subscriber %d: %w", id, err)
	}
	return s, nil
}

// FindSubscriberByEmail returns the subscriber with the address, whatever its case.
func (c conn) FindSubscriberByEmail(ctx context.Context, email string) (*content.Subscriber, error) {
	key := strings.ToLower(strings.TrimSpace(email))
	s, err := scanSubscriber(c.queryRow(ctx, `SELECT `+subscriberColumns+` FROM subscribers s WHERE s.email_key = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, noSubscriber(fmt.Sprintf("with the address %q", email))
	}
	if err != nil {
		return nil, fmt.Errorf("store: find subscriber: %w", err)
	}
	return s, nil
}

// SubscribeOutcome says what a subscription did.
type SubscribeOutcome int

// What Subscribe did.
const (
	// Subscribed recorded a new address, waiting for its confirmation.
	Subscribed SubscribeOutcome = iota + 1
	// SubscribedAgain: the address was known and not receiving (waiting,
	// unsubscribed or bounced); it waits for confirmation again, with the
	// choices given.
	SubscribedAgain
	// AlreadySubscribed: the address receives the newsletter; nothing changed.
	AlreadySubscribed
)

// Subscribe records s (its address, frequency and sections) as waiting for
// confirmation, unless the address already receives the newsletter. One
// row per address, whatever its case; s is filled from what is stored.
func (tx *Tx) Subscribe(ctx context.Context, s *content.Subscriber) (SubscribeOutcome, error) {
	s.Status = content.SubscriberPending
	if err := s.Validate(); err != nil {
		return 0, err
	}
	if s.Source == "" {
		s.Source = "form"
	}
	existing, err := tx.FindSubscriberByEmail(ctx, s.Email)
	switch {
	case err == nil && existing.Status == content.SubscriberConfirmed:
		*s = *existing
		return AlreadySubscribed, nil
	case err == nil:
		if _, err := tx.exec(ctx, `UPDATE subscribers SET status = ?, frequency = ?, sections = ?, name = CASE WHEN ? = '' THEN name ELSE ? END,
			unsubscribed_at = 0, failure = '' WHERE id = ?`,
			content.SubscriberPending, s.Frequency, strings.Join(s.Sections, ","), s.Name, s.Name, existing.ID); err != nil {
			return 0, fmt.Errorf("store: subscribe again %d: %w", existing.ID, err)
		}
		got, err := tx.FindSubscriber(ctx, existing.ID)
		if err != nil {
			return 0, err
		}
		*s = *got
		return SubscribedAgain, nil
	case !content.IsNotFound(err):
		return 0, err
	}
	if err := tx.insertSubscriber(ctx, s); err != nil {
		return 0, err
	}
	return Subscribed, nil
}

func (tx *Tx) insertSubscriber(ctx context.Context, s *content.Subscriber) error {
	if s.CreatedAt.IsZero() {
		s.CreatedAt = tx.Now
	}
	err := tx.queryRow(ctx, `INSERT INTO subscribers (email, email_key, name, status, frequency, sections, source, created_at, confirmed_at, unsubscribed_at, failure)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		s.Email, strings.ToLower(s.Email), s.Name, s.Status, s.Frequency, strings.Join(s.Sections, ","), s.Source,
		unix(s.CreatedAt), unix(s.ConfirmedAt), unix(s.UnsubscribedAt), s.Failure).Scan(&s.ID)
	if tx.d.isUniqueViolation(err) {
		return &content.Error{Code: content.EConflict, Field: "email", Message: fmt.Sprintf("%s is subscribed already", s.Email)}
	}
	if err != nil {
		return fmt.Errorf("store: add subscriber: %w", err)
	}
	return nil
}

// ImportSubscriber adds s as it is (its status, dates and choices), from a
// list brought from elsewhere; an address already known is left as it is
// and reported by added false.
func (tx *Tx) ImportSubscriber(ctx context.Context, s *content.Subscriber) (added bool, err error) {
	if err := s.Validate(); err != nil {
		return false, err
	}
	if s.Source == "" {
		s.Source = "import"
	}
	if _, err := tx.FindSubscriberByEmail(ctx, s.Email); err == nil {
		return false, nil
	} else if !content.IsNotFound(err) {
		return false, err
	}
	if s.Status == content.SubscriberConfirmed && s.ConfirmedAt.IsZero() {
		s.ConfirmedAt = tx.Now
	}
	return true, tx.insertSubscriber(ctx, s)
}

// ConfirmSubscriber makes a waiting subscriber a receiving one; confirming
// twice changes nothing. One who unsubscribed or bounced since the link
// was sent is refused: they subscribe again.
func (tx *Tx) ConfirmSubscriber(ctx context.Context, id int64) (*content.Subscriber, error) {
	s, err := tx.FindSubscriber(ctx, id)
	if err != nil {
		return nil, err
	}
	switch s.Status {
	case content.SubscriberConfirmed:
		return s, nil
	case content.SubscriberPending:
	default:
		return nil, content.Errorf(content.EConflict, "%s is %s since this link was sent: subscribe again to receive the newsletter.", s.Email, s.Status)
	}
	if _, err := tx.exec(ctx, `UPDATE subscribers SET status = ?, confirmed_at = ? WHERE id = ?`, content.SubscriberConfirmed, unix(tx.Now), id); err != nil {
		return nil, fmt.Errorf("store: confirm subscriber %d: %w", id, err)
	}
	s.Status, s.ConfirmedAt = content.SubscriberConfirmed, tx.Now
	return s, nil
}

// Unsubscribe stops the newsletter to a subscriber, and their sends still
// queued; unsubscribing twice changes nothing.
func (tx *Tx) Unsubscribe(ctx context.Context, id int64) (*content.Subscriber, error) {
	s, err := tx.FindSubscriber(ctx, id)
	if err != nil {
		return nil, err
	}
	if s.Status == content.SubscriberUnsubscribed {
		return s, nil
	}
	if _, err := tx.exec(ctx, `UPDATE subscribers SET status = ?, unsubscribed_at = ? WHERE id = ?`, content.SubscriberUnsubscribed, unix(tx.Now), id); err != nil {
		return nil, fmt.Errorf("store: unsubscribe %d: %w", id, err)
	}
	if err := tx.dropQueued(ctx, id, "unsubscribed"); err != nil {
		return nil, err
	}
	s.Status, s.UnsubscribedAt = content.SubscriberUnsubscribed, tx.Now
	return s, nil
}

// ConfirmationSent records that a confirmation link was mailed to the subscriber now.
func (tx *Tx) ConfirmationSent(ctx context.Context, id int64) error {
	if _, err := tx.exec(ctx, `UPDATE subscribers SET confirm_sent_at = ? WHERE id = ?`, unix(tx.Now), id); err != nil {
		return fmt.Errorf("store: confirmation of subscriber %d: %w", id, err)
	}
	return nil
}

// SetSubscriberChoices changes how often a subscriber is mailed and about which sections.
func (tx *Tx) SetSubscriberChoices(ctx context.Context, id int64, f content.Frequency, sections []string) (*content.Subscriber, error) {
	s, err := tx.FindSubscriber(ctx, id)
	if err != nil {
		return nil, err
	}
	s.Frequency, s.Sections = f, sections
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, `UPDATE subscribers SET frequency = ?, sections = ? WHERE id = ?`, s.Frequency, strings.Join(sections, ","), id); err != nil {
		return nil, fmt.Errorf("store: set choices of subscriber %d: %w", id, err)
	}
	return s, nil
}

// MarkBounced records that the mail server refused a subscriber's address
// for good: nothing more is sent to it.
func (tx *Tx) MarkBounced(ctx context.Context, id int64, failure string) error {
	if _, err := tx.exec(ctx, `UPDATE subscribers SET status = ?, failure = ? WHERE id = ? AND status <> ?`,
		content.SubscriberBounced, failure, id, content.SubscriberUnsubscribed); err != nil {
		return fmt.Errorf("store: mark subscriber %d bounced: %w", id, err)
	}
	return tx.dropQueued(ctx, id, "the address was refused: "+failure)
}

// SubscriberFilter narrows FindSubscribers.
type SubscriberFilter struct {
	Query  string                   // part of the address or name
	Status content.SubscriberStatus // "" for all
	// Frequency, when set, keeps only those mailed that often.
	Frequency     content.Frequency
	Limit, Offset int // Limit 0: all
}

// FindSubscribers returns the subscribers matching f, newest first, and
// how many match in all.
func (c conn) FindSubscribers(ctx context.Context, f SubscriberFilter) ([]*content.Subscriber, int, error) {
	where, args := []string{"1 = 1"}, []any{}
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q) + "%"
		where = append(where, `(s.email_key LIKE ? ESCAPE '\' OR lower(s.name) LIKE ? ESCAPE '\')`)
		args = append(args, like, like)
	}
	if f.Status != "" {
		where = append(where, "s.status = ?")
		args = append(args, f.Status)
	}
	if f.Frequency != "" {
		where = append(where, "s.frequency = ?")
		args = append(args, f.Frequency)
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := c.queryRow(ctx, `SELECT COUNT(*) FROM subscribers s WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count subscribers: %w", err)
	}
	q := `SELECT ` + subscriberColumns + ` FROM subscribers s WHERE ` + cond + ` ORDER BY s.created_at DESC, s.id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, max(f.Offset, 0))
	}
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: find subscribers: %w", err)
	}
	defer rows.Close()
	var out []*content.Subscriber
	for rows.Next() {
		s, err := scanSubscriber(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("store: find subscribers: %w", err)
		}
		out = append(out, s)
	}
	return out, total, rows.Err()
}

// CountSubscribers counts the subscribers of each status.
func (c conn) CountSubscribers(ctx context.Context) (map[content.SubscriberStatus]int, error) {
	return countByStatus[content.SubscriberStatus](ctx, c, "subscribers", `SELECT status, COUNT(*) FROM subscribers GROUP BY status`)
}

// NewsletterKey returns the secret that signs the newsletter's links, made
// on first use, and when it was made: the newsletter's start, before
// which published posts are not mailed.
func (db *DB) NewsletterKey(ctx context.Context) (secret []byte, since time.Time, err error) {
	b := make([]byte, 32)
	rand.Read(b)
	var (
		hexed string
		at    int64
	)
	err = db.Update(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO newsletter_keys (id, secret, created_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING`,
			hex.EncodeToString(b), unix(tx.Now)); err != nil {
			return err
		}
		return tx.queryRow(ctx, `SELECT secret, created_at FROM newsletter_keys WHERE id = 1`).Scan(&hexed, &at)
	})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("store: newsletter key: %w", err)
	}
	secret, err = hex.DecodeString(hexed)
	return secret, fromUnix(at), err
}
