package auth

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"time"

	"github.com/broadsheet/broadsheet/internal/web"
)

// HashWait is how long a sign-in waits for a hashing slot before it is
// answered 503 with Retry-After: long enough to ride out a burst of
// colleagues signing in, short enough that a flood gets an answer instead
// of a hung connection.
const HashWait = 5 * time.Second

// A Hasher hashes and verifies passwords, at most as many at once as it has
// slots. Each argon2id run holds 19 MiB and a core for a fiftieth of a
// second: unbounded, 150 sign-ins at once took 4 GB and starved the rest of
// the server. Beyond its slots a caller waits, up to the Hasher's wait, and
// is then refused with a 503 that says when to come back.
type Hasher struct {
	slots chan struct{}
	wait  time.Duration
}

// NewHasher returns a Hasher that runs at most n hashes at once, a caller
// waiting at most wait for its turn.
func NewHasher(n int, wait time.Duration) *Hasher {
	return &Hasher{slots: make(chan struct{}, max(n, 1)), wait: wait}
}

// DefaultHasher is the process's Hasher, one slot per CPU: every password
// the process hashes or verifies goes through it, so the bound holds for
// all of them together.
var DefaultHasher = NewHasher(runtime.GOMAXPROCS(0), HashWait)

// Acquire takes one of h's slots, waiting at most h's wait (or until ctx
// ends), and returns the function that gives it back. When none frees in
// time it returns a 503 web.HTTPError carrying Retry-After.
func (h *Hasher) Acquire(ctx context.Context) (release func(), err error) {
	select {
	case h.slots <- struct{}{}:
		return h.release, nil
	default:
	}
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return h.release, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		retry := max(h.wait.Round(time.Second), time.Second)
		return nil, &web.HTTPError{Status: http.StatusServiceUnavailable, RetryAfter: retry, Message: fmt.Sprintf(
			"Too many passwords are being checked at once: please try again in %d seconds.", int(retry/time.Second))}
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash returns the argon2id hash of pw, in the PHC string format, with a
// fresh random salt, once a slot is free.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	if err := CheckPassword(pw); err != nil {
		return "", err
	}
	release, err := h.Acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return hashPassword(pw)
}

// Verify reports whether pw matches hash, once a slot is free.
func (h *Hasher) Verify(ctx context.Context, pw, hash string) (bool, error) {
	release, err := h.Acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return verifyPassword(pw, hash)
}
