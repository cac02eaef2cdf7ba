package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"
)

// Lease is the right, shared through the database, to do one named piece of
// background work (publishing scheduled posts, polling sources, pinging
// hubs) until Expires. When several serve processes run on one database,
// each tries to take the lease before doing the work, so the work is done
// by one of them at a time; a holder that crashes stops renewing, its lease
// expires, and another process takes over.
//
// Expiry is judged by the clock of the process asking (DB.Now), so the
// servers sharing a database need synchronised clocks (NTP), and a lease's
// time to live should be several times the clock skew.
type Lease struct {
	Name    string
	Holder  string
	Expires time.Time
	// Token grows by one each time the lease changes hands (it stays the
	// same while one holder renews), so a piece of work can record the
	// token it ran under and a stale holder can be told apart.
	Token int64
}

// HolderID returns a name for this process to hold leases under: host,
// process id and a random part, so two processes never share one.
func HolderID() string {
	host, _ := os.Hostname()
	if host == "" {
		host = "broadsheet"
	}
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b))
}

// AcquireLease takes the lease called name for holder for ttl, when nobody
// holds it, its holder's time has run out, or holder already has it (then
// it is renewed, keeping its token). ok is false when another holder has
// it; the returned Lease then says who and until when. It is one atomic
// statement, so of several processes asking at once exactly one gets it.
func (db *DB) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (l Lease, ok bool, err error) {
	if name == "" || holder == "" {
		return Lease{}, false, errors.New("store: a lease needs a name and a holder")
	}
	if ttl <= 0 {
		return Lease{}, false, fmt.Errorf("store: lease %q: time to live must be positive, not %v", name, ttl)
	}
	now := db.Now().UnixMilli()
	res, err := db.exec(ctx, `INSERT INTO leases (name, holder, expires_ms, fencing) VALUES (?, ?, ?, 1)
		ON CONFLICT (name) DO UPDATE SET
			fencing = CASE WHEN leases.holder = excluded.holder THEN leases.fencing ELSE leases.fencing + 1 END,
			holder = excluded.holder, expires_ms = excluded.expires_ms
		WHERE leases.holder = excluded.holder OR leases.expires_ms <= ?`,
		name, holder, now+ttl.Milliseconds(), now)
	if err != nil {
		return Lease{}, false, fmt.Errorf("store: acquire lease %q: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return Lease{}, false, fmt.Errorf("store: acquire lease %q: %w", name, err)
	}
	l, err = db.FindLease(ctx, name)
	if err != nil {
		return Lease{}, false, err
	}
	return l, n == 1 && l.Holder == holder, nil
}

// FindLease returns the lease called name as stored, expired or not; a
// lease never taken is returned with no holder.
func (db *DB) FindLease(ctx context.Context, name string) (Lease, error) {
	l := Lease{Name: name}
	var ms int64
	err := db.queryRow(ctx, `SELECT holder, expires_ms, fencing FROM leases WHERE name = ?`, name).Scan(&l.Holder, &ms, &l.Token)
	if errors.Is(err, sql.ErrNoRows) {
		return l, nil
	}
	if err != nil {
		return Lease{}, fmt.Errorf("store: find lease %q: %w", name, err)
	}
	l.Expires = time.UnixMilli(ms).UTC()
	return l, nil
}

// ReleaseLease gives the lease up at once if holder has it, so another
// process need not wait for it to expire. Releasing a lease held by
// someone else does nothing.
func (db *DB) ReleaseLease(ctx context.Context, name, holder string) error {
	_, err := db.exec(ctx, `UPDATE leases SET expires_ms = 0 WHERE name = ? AND holder = ?`, name, holder)
	if err != nil {
		return fmt.Errorf("store: release lease %q: %w", name, err)
	}
	return nil
}

// ErrLeaseLost is the cause of the context given to WithLease's function
// when the lease could not be renewed in time: another process may be
// doing the same work now, so the function should stop.
var ErrLeaseLost = errors.New("store: lease lost")

// WithLease runs fn while holding the lease called name, and reports
// whether it ran: when another holder has the lease, fn is not run and ran
// is false. While fn runs the lease is renewed every third of ttl; if a
// renewal fails, fn's context is cancelled with ErrLeaseLost. The lease is
// released when fn returns. This is what the scheduler, the source poller
// and the hub pinger call on every tick of their timers:
//
//	ran, err := db.WithLease(ctx, "scheduler", holder, 30*time.Second, publishDue)
func (db *DB) WithLease(ctx context.Context, name, holder string, ttl time.Duration, fn func(ctx context.Context) error) (ran bool, err error) {
	_, ok, err := db.AcquireLease(ctx, name, holder, ttl)
	if err != nil || !ok {
		return false, err
	}
	workCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	done := make(chan struct{})
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if _, ok, err := db.AcquireLease(workCtx, name, holder, ttl); err != nil || !ok {
					cancel(ErrLeaseLost)
					return
				}
			}
		}
	}()
	err = fn(workCtx)
	close(done)
	<-renewed
	// Release even when ctx is cancelled (the process is stopping), so the
	// next holder need not wait out the lease.
	relCtx, relCancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer relCancel()
	if rerr := db.ReleaseLease(relCtx, name, holder); rerr != nil && err == nil {
		err = rerr
	}
	return true, err
}
