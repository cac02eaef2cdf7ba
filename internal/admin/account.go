package admin

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/auth"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
)

// ResetLinkTTL is how long a one-time password link works.
const ResetLinkTTL = 24 * time.Hour

func (a *Admin) accountRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/account", a.page(a.account))
	mux.Handle("POST /admin/account/email", a.page(a.changeEmail))
	mux.Handle("POST /admin/account/password", a.page(a.changePassword))
	mux.Handle("POST /admin/users/{id}/reset", a.page(a.resetLink))
	mux.Handle("GET /admin/reset/{token}", a.public(a.resetForm))
	mux.Handle("POST /admin/reset/{token}", a.public(a.reset))
}

// AccountPage is where one changes one's own email and password.
type AccountPage struct {
	Layout
	Email string // as typed
}

func (a *Admin) account(w http.ResponseWriter, r *http.Request, u *content.User) error {
	return a.accountPage(w, r, u, http.StatusOK, u.Email, "", "")
}

func (a *Admin) accountPage(w http.ResponseWriter, r *http.Request, u *content.User, status int, email, msg, field string) error {
	return a.tmpl.Render(w, status, "account", AccountPage{Layout: Layout{Title: "Your account", User: u, Section: "account",
		Flash: r.URL.Query().Get("flash"), Error: msg, Field: field}, Email: email})
}

// checkCurrent verifies the password the signed-in user typed as theirs,
// under the sign-in throttle.
func (a *Admin) checkCurrent(r *http.Request, u *content.User) error {
	return a.auth.Confirm(r, u, r.PostFormValue("current_password"))
}

// formError shows a refused account form again with what went wrong.
func (a *Admin) formError(w http.ResponseWriter, r *http.Request, u *content.User, email string, err error) error {
	msg, field, unexpected := errorFor(err)
	if unexpected != nil {
		return unexpected
	}
	status := web.StatusOf(err)
	if content.ErrorCode(err) == content.EInvalid {
		status = http.StatusUnprocessableEntity
	}
	web.SetRetryAfter(w, err, status)
	return a.accountPage(w, r, u, status, email, msg, field)
}

func (a *Admin) changeEmail(w http.ResponseWriter, r *http.Request, u *content.User) error {
	email := strings.TrimSpace(r.PostFormValue("email"))
	err := a.checkCurrent(r, u)
	if err == nil {
		err = a.cfg.DB.Update(r.Context(), func(tx *store.Tx) error { return tx.SetEmail(r.Context(), u.ID, email) })
	}
	if err != nil {
		return a.formError(w, r, u, email, err)
	}
	http.Redirect(w, r, "/admin/account?flash="+url.QueryEscape("Your email is now "+email+"; sign in with it from now on."), http.StatusSeeOther)
	return nil
}

// changePassword sets the user's new password, ends their sessions
// everywhere (a session stolen with the old password dies with it) and
// starts a new one here. API tokens stay valid: they are revoked on their
// own page.
func (a *Admin) changePassword(w http.ResponseWriter, r *http.Request, u *content.User) error {
	pw := r.PostFormValue("new_password")
	err := a.checkCurrent(r, u)
	if err == nil && pw != r.PostFormValue("confirm_password") {
		err = content.FieldError("confirm_password", "the new password and its confirmation differ")
	}
	var hash string
	if err == nil {
		hash, err = a.auth.Hasher.Hash(r.Context(), pw)
		err = newPasswordField(err)
	}
	if err == nil {
		err = a.cfg.DB.Update(r.Context(), func(tx *store.Tx) error {
			_, err := tx.SetPassword(r.Context(), u.ID, hash, store.KeepTokens(true))
			return err
		})
	}
	if err != nil {
		return a.formError(w, r, u, u.Email, err)
	}
	if _, err := a.auth.SignIn(w, r, u.Email, pw); err != nil {
		// Changed, but not signed in again here (too busy, say): the
		// sign-in page says what to do.
		http.Redirect(w, r, "/admin/login?done=password", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/admin/account?flash="+url.QueryEscape("Your password was changed. Other devices signed in as you were signed out."), http.StatusSeeOther)
	return nil
}

// newPasswordField moves a refusal of a password to the new_password field.
func newPasswordField(err error) error {
	var ce *content.Error
	if errors.As(err, &ce) && ce.Field == "password" {
		moved := *ce
		moved.Field = "new_password"
		return &moved
	}
	return err
}

// ResetLinkPage shows an admin the one-time link to hand to a user.
type ResetLinkPage struct {
	Layout
	For     *content.User
	Link    string
	Expires time.Time
}

// resetLink makes a one-time link with which a user sets a new password.
func (a *Admin) resetLink(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if !u.CanManageUsers() {
		return content.Errorf(content.EForbidden, "Only an admin may reset another user's password.")
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return content.Errorf(content.ENotFound, "There is no user %q.", r.PathValue("id"))
	}
	target, err := a.cfg.DB.FindUserByID(r.Context(), id)
	if err != nil {
		return err
	}
	if target.Email == "" {
		return content.Errorf(content.EInvalid, "%s has no email address to sign in with, so a password would not let them in.", target.Name)
	}
	secret := auth.NewSecret("")
	expires := a.cfg.DB.Now().Add(ResetLinkTTL)
	if err := a.cfg.DB.Update(r.Context(), func(tx *store.Tx) error {
		return tx.CreateResetLink(r.Context(), auth.HashSecret(secret), id, u.ID, expires)
	}); err != nil {
		return err
	}
	return a.render(w, "resetlink", ResetLinkPage{Layout: Layout{Title: "Password link for " + target.Name, User: u, Section: "users"},
		For: target, Link: a.siteURL(r) + "/admin/reset/" + secret, Expires: expires})
}

// siteURL is the site's address: its base URL, else the one asked for.
func (a *Admin) siteURL(r *http.Request) string {
	if a.cfg.BaseURL != "" {
		return strings.TrimSuffix(a.cfg.BaseURL, "/")
	}
	scheme := "http"
	if web.ClientOf(r).HTTPS {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// ResetPage is where a user with a one-time link sets a new password.
type ResetPage struct {
	Layout
	For   *content.User
	Token string
}

func (a *Admin) resetForm(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	u, err := a.cfg.DB.FindResetLinkUser(r.Context(), auth.HashSecret(token), a.cfg.DB.Now())
	if err != nil {
		return err
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	return a.render(w, "reset", ResetPage{Layout: Layout{Title: "Set a new password"}, For: u, Token: token})
}

// reset uses up the link and sets the password; every session and API
// token of the user ends, as whoever held the old password may hold them.
func (a *Admin) reset(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	w.Header().Set("Referrer-Policy", "no-referrer")
	u, err := a.cfg.DB.FindResetLinkUser(r.Context(), auth.HashSecret(token), a.cfg.DB.Now())
	if err != nil {
		return err
	}
	pw := r.PostFormValue("new_password")
	err = func() error {
		if pw != r.PostFormValue("confirm_password") {
			return content.FieldError("confirm_password", "the new password and its confirmation differ")
		}
		hash, err := a.auth.Hasher.Hash(r.Context(), pw)
		if err != nil {
			return newPasswordField(err)
		}
		return a.cfg.DB.Update(r.Context(), func(tx *store.Tx) error {
			id, err := tx.UseResetLink(r.Context(), auth.HashSecret(token))
			if err != nil {
				return err
			}
			_, err = tx.SetPassword(r.Context(), id, hash, store.KeepTokens(false))
			return err
		})
	}()
	if err != nil {
		if content.IsNotFound(err) {
			return err
		}
		msg, field, unexpected := errorFor(err)
		if unexpected != nil {
			return unexpected
		}
		status := statusFor(err)
		web.SetRetryAfter(w, err, status)
		return a.tmpl.Render(w, status, "reset", ResetPage{Layout: Layout{Title: "Set a new password", Error: msg, Field: field},
			For: u, Token: token})
	}
	http.Redirect(w, r, "/admin/login?done=password", http.StatusSeeOther)
	return nil
}
