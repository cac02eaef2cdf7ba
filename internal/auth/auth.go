package auth

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
)

// CookieName names the session cookie.
const CookieName = "broadsheet_session"

// SessionTTL is how long a sign-in lasts.
const SessionTTL = 14 * 24 * time.Hour

// The throttle: after SlowAfter failures under one key, each further
// attempt must wait twice as long as the one before (1 s, 2 s, 4 s … up
// to a minute); after LockAfter failures the key is refused for LockFor.
// Addresses get more room than accounts, as a newsroom may share one.
const (
	SlowAfter       = 3
	LockAfter       = 10
	LockAfterAddr   = 50
	LockFor         = 15 * time.Minute
	forgetFailAfter = time.Hour
)

// Auth signs people in and finds who is signed in.
type Auth struct {
	DB *store.DB
	// Secure forces the Secure attribute on the session cookie; it is set
	// anyway on requests that arrived over https (see web.ClientOf).
	Secure bool
	// Hasher checks passwords; nil means DefaultHasher, the process's.
	Hasher *Hasher

	lastSweep atomic.Int64 // Unix time of the last sweep of old failures
}

// hasher is the Hasher a's sign-ins go through.
func (a *Auth) hasher() *Hasher {
	if a.Hasher != nil {
		return a.Hasher
	}
	return DefaultHasher
}

// SignIn checks email and password, throttling failures per account and per
// client address, and on success starts a session and sets its cookie.
//
// The attempt is counted as a failure before its password is checked, in
// one transaction with the look at the count, so that of many attempts sent
// at once no more are checked than the throttle allows; a success takes its
// count back.
func (a *Auth) SignIn(w http.ResponseWriter, r *http.Request, email, password string) (*content.User, error) {
	ctx := r.Context()
	u, keys, held, err := a.check(r, email, password)
	if err != nil {
		return nil, err
	}
	secret := NewSecret("")
	err = a.DB.Update(ctx, func(tx *store.Tx) error {
		// The account's failures are forgiven; the address's count only
		// loses this attempt, or one good account would let an address
		// guess at every other without end.
		if err := tx.ClearLoginFailures(ctx, keys[0]); err != nil {
			return err
		}
		if err := held[1].takeBack(ctx, tx); err != nil {
			return err
		}
		return tx.CreateSession(ctx, HashSecret(secret), u.ID, tx.Now.Add(SessionTTL))
	})
	if err != nil {
		return nil, err
	}
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: secret, Path: "/", Expires: a.DB.Now().Add(SessionTTL), MaxAge: int(SessionTTL.Seconds()),
		HttpOnly: true, Secure: a.Secure || web.ClientOf(r).HTTPS, SameSite: http.SameSiteLaxMode,
	})
	return u, nil
}

// check verifies email and password under the throttle, counting a
// failure; on success the attempt is still held under keys, for the
// caller to take back.
func (a *Auth) check(r *http.Request, email, password string) (*content.User, []string, []reservation, error) {
	ctx := r.Context()
	email = strings.TrimSpace(email)
	keys := []string{"email:" + strings.ToLower(email), "addr:" + clientAddr(r)}
	held, err := a.reserve(ctx, keys)
	if err != nil {
		return nil, nil, nil, err
	}
	u, hash, err := a.DB.FindUserByEmail(ctx, email)
	if err == nil || content.IsNotFound(err) {
		// An unknown email costs the same bounded work as a known one.
		if u == nil || hash == "" {
			hash = dummyHash
		}
		var ok bool
		ok, err = a.hasher().Verify(ctx, password, hash)
		if err == nil && !(ok && u != nil) {
			a.sweep(ctx)
			return nil, nil, nil, content.Errorf(content.EUnauthorized, "The email or the password is wrong.")
		}
	}
	if err != nil {
		// Not checked (no hashing slot came free in time, the client
		// left, the database failed): it does not count. Best effort, and
		// done even when the request's context has ended.
		bg := context.WithoutCancel(ctx)
		_ = a.DB.Update(bg, func(tx *store.Tx) error {
			for _, h := range held {
				if err := h.takeBack(bg, tx); err != nil {
					return err
				}
			}
			return nil
		})
		return nil, nil, nil, err
	}
	return u, keys, held, nil
}

// Confirm checks that password is the signed-in user u's, under the same
// throttle as signing in, before a change to their account: a session
// left open on a shared computer does not let its finder guess the
// password and take the account. A wrong password is an EInvalid error
// on the field current_password.
func (a *Auth) Confirm(r *http.Request, u *content.User, password string) error {
	ctx := r.Context()
	_, keys, held, err := a.check(r, u.Email, password)
	if content.ErrorCode(err) == content.EUnauthorized {
		return content.FieldError("current_password", "your current password is not the one typed")
	}
	if err != nil {
		return err
	}
	return a.DB.Update(ctx, func(tx *store.Tx) error {
		if err := tx.ClearLoginFailures(ctx, keys[0]); err != nil {
			return err
		}
		return held[1].takeBack(ctx, tx)
	})
}

// reservation is an attempt counted under key before it is checked: the
// record as it was and as the attempt left it.
type reservation struct {
	key           string
	before, after store.LoginFailures
}

// reserve counts an attempt under each key as a failure, or refuses it
// when one of them is throttled, in one transaction that holds the keys'
// records, so that concurrent attempts take turns.
func (a *Auth) reserve(ctx context.Context, keys []string) ([]reservation, error) {
	var held []reservation
	err := a.DB.Update(ctx, func(tx *store.Tx) error {
		held = held[:0]
		for _, k := range keys {
			f, err := tx.LockLoginFailures(ctx, k)
			if err != nil {
				return err
			}
			if err := refusal(k, f, tx.Now); err != nil {
				return err
			}
			res := reservation{key: k, before: f}
			if tx.Now.Sub(f.LastAt) > forgetFailAfter {
				f = store.LoginFailures{}
			}
			f.Failures++
			f.LastAt = tx.Now
			if f.Failures >= lockAfter(k) {
				f.LockedUntil = tx.Now.Add(LockFor)
			}
			res.after = f
			if err := tx.PutLoginFailures(ctx, k, f); err != nil {
				return err
			}
			held = append(held, res)
		}
		return nil
	})
	return held, err
}

// takeBack undoes the reservation: the record is put back as it was when
// no other attempt has counted since, and otherwise loses one failure
// (and the lock, when that leaves it under the limit).
func (r reservation) takeBack(ctx context.Context, tx *store.Tx) error {
	f, err := tx.LockLoginFailures(ctx, r.key)
	if err != nil {
		return err
	}
	if f.Failures == r.after.Failures && f.LastAt.Equal(r.after.LastAt) && f.LockedUntil.Equal(r.after.LockedUntil) {
		f = r.before
	} else if f.Failures > 0 {
		f.Failures--
		if f.Failures < lockAfter(r.key) {
			f.LockedUntil = time.Time{}
		}
	}
	if f.Failures == 0 && f.LockedUntil.IsZero() {
		return tx.ClearLoginFailures(ctx, r.key)
	}
	return tx.PutLoginFailures(ctx, r.key, f)
}

// lockAfter is the number of failures that lock key.
func lockAfter(key string) int {
	if strings.HasPrefix(key, "addr:") {
		return LockAfterAddr
	}
	return LockAfter
}

// sweep forgets, at most once a minute, the records of failures older than
// the throttle remembers, so guessing at many emails or from many
// addresses cannot grow the table without end. Best effort: a failed sweep
// is made up by the next.
func (a *Auth) sweep(ctx context.Context) {
	now := a.DB.Now().Unix()
	last := a.lastSweep.Load()
	if now-last < 60 || !a.lastSweep.CompareAndSwap(last, now) {
		return
	}
	_ = a.DB.Update(ctx, func(tx *store.Tx) error {
		return tx.SweepLoginFailures(ctx, tx.Now.Add(-forgetFailAfter))
	})
}

// refusal says why an attempt under key is refused now, or nil.
func refusal(key string, f store.LoginFailures, now time.Time) error {
	who := "this account"
	if strings.HasPrefix(key, "addr:") {
		who = "your address"
	}
	if now.Before(f.LockedUntil) {
		return &web.HTTPError{Status: http.StatusTooManyRequests, RetryAfter: f.LockedUntil.Sub(now), Message: fmt.Sprintf(
			"Too many failed sign-ins for %s: signing in is refused until %s UTC (%s from now).",
			who, f.LockedUntil.Format("15:04"), roundUp(f.LockedUntil.Sub(now)))}
	}
	if f.Failures >= SlowAfter && now.Sub(f.LastAt) <= forgetFailAfter {
		wait := time.Second << min(f.Failures-SlowAfter, 6)
		if wait > time.Minute {
			wait = time.Minute
		}
		if next := f.LastAt.Add(wait); now.Before(next) {
			return &web.HTTPError{Status: http.StatusTooManyRequests, RetryAfter: next.Sub(now), Message: fmt.Sprintf(
				"Too many failed sign-ins for %s: wait %s before trying again.", who, roundUp(next.Sub(now)))}
		}
	}
	return nil
}

func roundUp(d time.Duration) string {
	if d >= time.Minute {
		return fmt.Sprintf("%d minutes", int((d+time.Minute-1)/time.Minute))
	}
	return fmt.Sprintf("%d seconds", int((d+time.Second-1)/time.Second))
}

// clientAddr is the address the throttle counts a request's failures
// under: the client's, as web.Clients decided from the peer and, only when
// the peer is a trusted proxy, its forwarding headers. Believing any
// client's headers would let it dodge the throttle.
func clientAddr(r *http.Request) string {
	if a := web.ClientOf(r).Addr; a.IsValid() {
		return a.String()
	}
	return r.RemoteAddr
}

// SignOut ends the request's session and clears its cookie.
func (a *Auth) SignOut(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
		if err := a.DB.Update(r.Context(), func(tx *store.Tx) error {
			return tx.DeleteSession(r.Context(), HashSecret(c.Value))
		}); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: a.Secure || web.ClientOf(r).HTTPS, SameSite: http.SameSiteLaxMode})
	return nil
}

// Via tells how a request was authenticated.
type Via string

// Ways of authenticating.
const (
	ViaNone    Via = ""
	ViaSession Via = "session"
	ViaToken   Via = "token"
)

// Identify returns the user a request is signed in as: by a bearer token
// in the Authorization header, else by the session cookie. With neither it
// returns nil and ViaNone; with a bad one, an EUnauthorized error.
func (a *Auth) Identify(r *http.Request) (*content.User, Via, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			return nil, ViaNone, content.Errorf(content.EUnauthorized, "The Authorization header must be \"Bearer TOKEN\".")
		}
		hash := HashSecret(strings.TrimSpace(tok))
		u, used, err := a.DB.FindTokenUser(ctx, hash)
		if err != nil {
			return nil, ViaNone, err
		}
		// Note the use at most once a minute: a write per call would cost
		// a disk sync per call. Best effort: a failure must not refuse it.
		if a.DB.Now().Sub(used) > time.Minute {
			_ = a.DB.Update(ctx, func(tx *store.Tx) error { return tx.TouchToken(ctx, hash) })
		}
		return u, ViaToken, nil
	}
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return nil, ViaNone, nil
	}
	u, err := a.DB.FindSessionUser(ctx, HashSecret(c.Value), a.DB.Now())
	if err != nil {
		return nil, ViaNone, err
	}
	return u, ViaSession, nil
}

type userKey struct{}

// WithUser returns ctx carrying the signed-in user.
func WithUser(ctx context.Context, u *content.User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// UserFrom returns the signed-in user carried by ctx, or nil.
func UserFrom(ctx context.Context) *content.User {
	u, _ := ctx.Value(userKey{}).(*content.User)
	return u
}

// CreateToken makes a new API token for a user and returns its secret,
// which is shown once and never stored.
func CreateToken(ctx context.Context, db *store.DB, userID int64, name string) (string, *store.Token, error) {
	secret := NewSecret("bs_")
	var t *store.Token
	err := db.Update(ctx, func(tx *store.Tx) error {
		var err error
		t, err = tx.CreateToken(ctx, userID, name, HashSecret(secret))
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}
