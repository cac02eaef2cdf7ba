package admin

import (
	"context"
	"fmt"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/auth"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/mailer"
	"github.com/broadsheet/broadsheet/internal/store"
)

// ForgotLinkTTL is how long a password link asked for on the sign-in
// page works; InviteLinkTTL, one sent with an invitation.
const (
	ForgotLinkTTL = 2 * time.Hour
	InviteLinkTTL = 7 * 24 * time.Hour
	// ForgotEvery is how often the sign-in page mails a user a link at
	// most, so the form cannot flood their inbox.
	ForgotEvery = 10 * time.Minute
)

func (a *Admin) mailRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/forgot", a.public(a.forgotForm))
	mux.Handle("POST /admin/forgot", a.public(a.forgot))
}

// ForgotPage asks for the address to send a password link to.
type ForgotPage struct {
	Layout
	MailOn bool
	Email  string
	Sent   bool
}

func (a *Admin) forgotForm(w http.ResponseWriter, r *http.Request) error {
	return a.render(w, "forgot", ForgotPage{Layout: Layout{Title: "Forgot your password?"}, MailOn: a.cfg.Mail != nil})
}

// forgot mails a one-time password link to the account with the address
// typed, if there is one: the answer is the same either way, so the page
// does not tell who has an account. Authors imported from WordPress, who
// have an address but no password yet, set their first one this way.
func (a *Admin) forgot(w http.ResponseWriter, r *http.Request) error {
	email := strings.TrimSpace(r.PostFormValue("email"))
	page := ForgotPage{Layout: Layout{Title: "Forgot your password?"}, MailOn: a.cfg.Mail != nil, Email: email}
	if a.cfg.Mail == nil {
		return a.tmpl.Render(w, http.StatusServiceUnavailable, "forgot", page)
	}
	if _, err := mail.ParseAddress(email); err != nil || !strings.Contains(email, "@") {
		page.Error, page.Field = fmt.Sprintf("%q is not an email address: type the address you sign in with.", email), "email"
		return a.tmpl.Render(w, http.StatusUnprocessableEntity, "forgot", page)
	}
	u, _, err := a.cfg.DB.FindUserByEmail(r.Context(), email)
	switch {
	case content.IsNotFound(err):
	case err != nil:
		return err
	default:
		at, by, err := a.cfg.DB.LastResetLink(r.Context(), u.ID)
		if err != nil {
			return err
		}
		if by == u.ID && a.cfg.DB.Now().Sub(at) < ForgotEvery {
			break // one was mailed a moment ago
		}
		link, err := a.passwordLink(r, u, u.ID, ForgotLinkTTL)
		if err != nil {
			return err
		}
		if err := a.sendAccountMail(r.Context(), u.Email, "Set a new password for "+a.siteTitle(r.Context()),
			fmt.Sprintf("Hello %s,\n\nSomeone (we hope you) asked for a new password for %s.\nSet it here; the link works once, for %s:\n\n%s\n\nIf it was not you, ignore this message: your password stays as it is.\n",
				u.Name, a.siteTitle(r.Context()), ForgotLinkTTL, link)); err != nil {
			a.cfg.Log.Warn("password link not mailed", "user", u.ID, "err", err)
		}
	}
	page.Sent = true
	return a.render(w, "forgot", page)
}

// passwordLink makes a one-time password link for u, made by the user
// createdBy, working for ttl.
func (a *Admin) passwordLink(r *http.Request, u *content.User, createdBy int64, ttl time.Duration) (string, error) {
	secret := auth.NewSecret("")
	if err := a.cfg.DB.Update(r.Context(), func(tx *store.Tx) error {
		return tx.CreateResetLink(r.Context(), auth.HashSecret(secret), u.ID, createdBy, a.cfg.DB.Now().Add(ttl))
	}); err != nil {
		return "", err
	}
	return a.siteURL(r) + "/admin/reset/" + secret, nil
}

// invite mails a new user a link to set their password and sign in.
func (a *Admin) invite(r *http.Request, by, u *content.User) error {
	link, err := a.passwordLink(r, u, by.ID, InviteLinkTTL)
	if err != nil {
		return err
	}
	title := a.siteTitle(r.Context())
	return a.sendAccountMail(r.Context(), u.Email, "You are invited to "+title,
		fmt.Sprintf("Hello %s,\n\n%s added you to %s as %s.\nSet your password here, then sign in; the link works once, for 7 days:\n\n%s\n\nSign in afterwards at %s/admin/login\n",
			u.Name, by.Name, title, u.Role, link, a.siteURL(r)))
}

func (a *Admin) sendAccountMail(ctx context.Context, to, subject, text string) error {
	return a.cfg.Mail.Send(ctx, &mailer.Message{To: to, Subject: subject, Text: text})
}

// siteTitle is the publication's title, for mail.
func (a *Admin) siteTitle(ctx context.Context) string {
	s, err := a.cfg.DB.LoadSettings(ctx)
	if err != nil || s.Title == "" {
		return "Broadsheet"
	}
	return s.Title
}
