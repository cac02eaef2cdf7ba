package auth

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
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
	// anyway on requests that arrived over TLS.
	Secure bool
	// Hasher checks passwords; nil means DefaultHasher, the process's.
	Hasher *Hasher
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
func (a *Auth) SignIn(w http.ResponseWriter, r *http.Request, email, password string) (*content.User, error) {
	ctx := r.Context()
	email = strings.TrimSpace(email)
	keys := []string{"email:" + strings.ToLower(email), "addr:" + clientAddr(r)}
	now := a.DB.Now().UTC()
	for _, k := range keys {
		f, err := a.DB.FindLoginFailures(ctx, k)
		if err != nil {
			return nil, err
		}
		if err := refusal(k, f, now); err != nil {
			return nil, err
		}
	}
	u, hash, err := a.DB.FindUserByEmail(ctx, email)
	if err != nil && !content.IsNotFound(err) {
		return nil, err
	}
	// An unknown email costs the same bounded work as a known one.
	if u == nil || hash == "" {
		hash = dummyHash
	}
	ok, err := a.hasher().Verify(ctx, password, hash)
	if err != nil {
		return nil, err
	}
	ok = ok && u != nil
	if !ok {
		err := a.DB.Update(ctx, func(tx *store.Tx) error {
			if err := tx.SweepLoginFailures(ctx, tx.Now.Add(-forgetFailAfter)); err != nil {
				return err
			}
			for _, k := range keys {
				f, err := tx.FindLoginFailures(ctx, k)
				if err != nil {
					return err
				}
				if tx.Now.Sub(f.LastAt) > forgetFailAfter {
					f = store.LoginFailures{}
				}
				f.Failures++
				f.LastAt = tx.Now
				limit := LockAfter
				if strings.HasPrefix(k, "addr:") {
					limit = LockAfterAddr
				}
				if f.Failures >= limit {
					f.LockedUntil = tx.Now.Add(LockFor)
				}
				if err := tx.PutLoginFailures(ctx, k, f); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		return nil, content.Errorf(content.EUnauthorized, "The email or the password is wrong.")
	}
	secret := NewSecret("")
	err = a.DB.Update(ctx, func(tx *store.Tx) error {
		if err := tx.ClearLoginFailures(ctx, keys[0]); err != nil {
			return err
		}
		return tx.CreateSession(ctx, HashSecret(secret), u.ID, tx.Now.Add(SessionTTL))
	})
	if err != nil {
		return nil, err
	}
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: secret, Path: "/", Expires: now.Add(SessionTTL), MaxAge: int(SessionTTL.Seconds()),
		HttpOnly: true, Secure: a.Secure || r.TLS != nil, SameSite: http.SameSiteLaxMode,
	})
	return u, nil
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

// clientAddr is the request's remote IP. Forwarded headers are not trusted:
// a client could forge them to dodge the throttle.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
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
		HttpOnly: true, Secure: a.Secure || r.TLS != nil, SameSite: http.SameSiteLaxMode})
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
