package site

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"html"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
	"github.com/broadsheet/broadsheet/internal/web/cache"
)

// A post with a password (content.Post.Password) is protected as
// WordPress protects it: its page shows its title and a form asking for
// the password; the right one sets a cookie naming that post and
// password, and the page then shows the post. Listings, feeds and
// search show its title and ProtectedNotice, never its text.

// ProtectedNotice is what stands for a protected post's text wherever it
// would be shown without its password.
const ProtectedNotice = markup.ProtectedTeaser

// postPassPath is where the password form is sent.
const postPassPath = "/post-password"

// postPassAge is how long a reader who gave a post's password may read
// it without giving it again (WordPress's ten days).
const postPassAge = 10 * 24 * time.Hour

// Throttle of wrong passwords, per client address: after postPassTries
// wrong ones in postPassWindow, the form is refused for postPassLock.
const (
	postPassTries  = 10
	postPassWindow = 15 * time.Minute
	postPassLock   = 15 * time.Minute
)

// postPassCookie is the name of the cookie that opens post id.
func postPassCookie(id int64) string {
	return cache.PostPassCookiePrefix + strconv.FormatInt(id, 10)
}

// postPassValue is the cookie's value for p's password: a digest, so the
// password is never sent back, and a changed password closes the post to
// every reader who had the old one.
func postPassValue(p *content.Post) string {
	sum := sha256.Sum256([]byte("broadsheet post password\x00" + strconv.FormatInt(p.ID, 10) + "\x00" + p.Password))
	return hex.EncodeToString(sum[:])
}

// unlocked reports whether r carries the cookie that opens p.
func unlocked(r *http.Request, p *content.Post) bool {
	c, err := r.Cookie(postPassCookie(p.ID))
	return err == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(postPassValue(p))) == 1
}

// protectedInCopy stands for a protected post's text on a site rendered
// once as files (a static export), which cannot check a password.
const protectedInCopy = `<p class="post-password">` + ProtectedNotice + ` It cannot be read in this copy of the site.</p>`

// passwordForm is the HTML that stands for a protected post's body until
// its password is given; wrong says the last one given was not it.
func passwordForm(p *content.Post, wrong bool) string {
	id := strconv.FormatInt(p.ID, 10)
	var b strings.Builder
	b.WriteString(`<form class="post-password" method="post" action="` + postPassPath + `">`)
	b.WriteString(`<p>` + html.EscapeString(ProtectedNotice) + ` Enter it to read the post.</p>`)
	if wrong {
		b.WriteString(`<p class="post-password-error" role="alert">That is not the post’s password.</p>`)
	}
	b.WriteString(`<input type="hidden" name="post" value="` + id + `">`)
	b.WriteString(`<p><label for="post-password-` + id + `">Password</label> `)
	b.WriteString(`<input type="password" id="post-password-` + id + `" name="password" required maxlength="` +
		strconv.Itoa(content.MaxPasswordLen) + `" autocomplete="off"> `)
	b.WriteString(`<button type="submit">Enter</button></p></form>`)
	return b.String()
}

// postPassword takes a protected post's password from its form: the right
// one sets the post's cookie, and either answer returns the reader to the
// post. The form is a same-origin POST (cross-origin ones are refused, as
// all the site's forms are), and wrong answers are throttled per address.
func (s *Site) postPassword(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		return &web.HTTPError{Status: http.StatusBadRequest, Message: "The password form could not be read: it is larger than a password."}
	}
	id, err := strconv.ParseInt(r.PostForm.Get("post"), 10, 64)
	if err != nil || id <= 0 {
		return &web.HTTPError{Status: http.StatusBadRequest, Message: "The password form names no post."}
	}
	p, err := s.cfg.DB.FindPostByID(r.Context(), id)
	if content.IsNotFound(err) || (err == nil && !p.IsPublic(s.cfg.Now())) {
		return web.NotFound
	}
	if err != nil {
		return err
	}
	if !p.Protected() {
		http.Redirect(w, r, p.Path(), http.StatusSeeOther)
		return nil
	}
	key := "postpass:" + clientAddress(r)
	given := r.PostForm.Get("password")
	var refused error
	right := subtle.ConstantTimeCompare([]byte(given), []byte(p.Password)) == 1
	err = s.cfg.DB.Update(r.Context(), func(tx *store.Tx) error {
		f, err := tx.LockLoginFailures(r.Context(), key)
		if err != nil {
			return err
		}
		if tx.Now.Before(f.LockedUntil) {
			wait := f.LockedUntil.Sub(tx.Now)
			refused = &web.HTTPError{Status: http.StatusTooManyRequests, RetryAfter: wait, Message: fmt.Sprintf(
				"Too many wrong passwords from your address: try again in %d minutes.", int((wait+time.Minute-1)/time.Minute))}
			return nil
		}
		if right {
			return nil
		}
		if tx.Now.Sub(f.LastAt) > postPassWindow {
			f = store.LoginFailures{}
		}
		f.Failures++
		f.LastAt = tx.Now
		if f.Failures >= postPassTries {
			f.LockedUntil = tx.Now.Add(postPassLock)
		}
		return tx.PutLoginFailures(r.Context(), key, f)
	})
	if err != nil {
		return err
	}
	if refused != nil {
		return refused
	}
	if !right {
		http.Redirect(w, r, p.Path()+"?password=wrong", http.StatusSeeOther)
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: postPassCookie(p.ID), Value: postPassValue(p), Path: "/",
		MaxAge: int(postPassAge / time.Second), HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || web.ClientOf(r).HTTPS || strings.HasPrefix(s.cfg.BaseURL, "https://")})
	http.Redirect(w, r, p.Path(), http.StatusSeeOther)
	return nil
}

// clientAddress is the address wrong passwords are counted under: the
// client's as web.Clients decided it, else the peer's.
func clientAddress(r *http.Request) string {
	if a := web.ClientOf(r).Addr; a.IsValid() {
		return a.String()
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}
