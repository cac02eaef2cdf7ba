package admin

import (
	"net/http"
	"strings"

	"github.com/broadsheet/broadsheet/internal/web"
)

// LoginPage is the sign-in form.
type LoginPage struct {
	Layout
	Email string
	Next  string
}

// loginNotes are what the sign-in page may say about what just happened,
// by ?done=: fixed sentences, so that a link cannot put words on it.
var loginNotes = map[string]string{
	"password": "Your password was set. Sign in with the new one.",
}

// safeNext keeps a post-sign-in redirect inside the admin.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/admin/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/admin/"
	}
	return next
}

func (a *Admin) loginForm(w http.ResponseWriter, r *http.Request) error {
	if u, _, _ := a.auth.Identify(r); u != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	return a.render(w, "login", LoginPage{Layout: Layout{Title: "Sign in", Flash: loginNotes[r.URL.Query().Get("done")]}, Next: r.URL.Query().Get("next")})
}

func (a *Admin) login(w http.ResponseWriter, r *http.Request) error {
	email, pw, next := r.PostFormValue("email"), r.PostFormValue("password"), r.PostFormValue("next")
	_, err := a.auth.SignIn(w, r, email, pw)
	if err != nil {
		msg, _, unexpected := errorFor(err)
		if unexpected != nil {
			return unexpected
		}
		// 401 for a wrong password; 429 (throttled) or 503 (too many
		// passwords being checked at once) with Retry-After otherwise.
		status := web.StatusOf(err)
		web.SetRetryAfter(w, err, status)
		page := LoginPage{Layout: Layout{Title: "Sign in", Error: msg}, Email: email, Next: next}
		return a.tmpl.Render(w, status, "login", page)
	}
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
	return nil
}

func (a *Admin) logout(w http.ResponseWriter, r *http.Request) error {
	if err := a.auth.SignOut(w, r); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
	return nil
}
