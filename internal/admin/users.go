package admin

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
)

func (a *Admin) userRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/users", a.page(a.users))
	mux.Handle("POST /admin/users", a.page(a.addUser))
	mux.Handle("POST /admin/users/{id}/role", a.page(a.setRole))
}

// UsersPage lists the people who write for the site.
type UsersPage struct {
	Layout
	Users []*content.User
	Roles []content.Role
	New   content.User // the add form, as typed
	// MailOn makes the password optional: the new user is invited by mail.
	MailOn bool
}

var allRoles = []content.Role{content.RoleContributor, content.RoleAuthor, content.RoleEditor, content.RoleAdmin}

func (a *Admin) users(w http.ResponseWriter, r *http.Request, u *content.User) error {
	return a.usersPage(w, r, u, http.StatusOK, content.User{Role: content.RoleAuthor}, "", "")
}

func (a *Admin) usersPage(w http.ResponseWriter, r *http.Request, u *content.User, status int, nu content.User, msg, field string) error {
	if !u.CanManageUsers() {
		return content.Errorf(content.EForbidden, "Only an admin may manage users.")
	}
	users, err := a.cfg.DB.FindUsers(r.Context())
	if err != nil {
		return err
	}
	return a.tmpl.Render(w, status, "users", UsersPage{Layout: Layout{Title: "Users", User: u, Section: "users",
		Flash: r.URL.Query().Get("flash"), Error: msg, Field: field}, Users: users, Roles: allRoles, New: nu, MailOn: a.cfg.Mail != nil})
}

func (a *Admin) addUser(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if !u.CanManageUsers() {
		return content.Errorf(content.EForbidden, "Only an admin may manage users.")
	}
	nu := content.User{Name: strings.TrimSpace(r.PostFormValue("name")), Email: strings.TrimSpace(r.PostFormValue("email")),
		Role: content.Role(r.PostFormValue("role"))}
	pw := r.PostFormValue("password")
	// With mail on, a user added without a password is invited to set one.
	invite := a.cfg.Mail != nil
	err := func() error {
		hash := ""
		if pw != "" || !invite {
			var err error
			if hash, err = a.auth.Hasher.Hash(r.Context(), pw); err != nil {
				return err
			}
		}
		return a.cfg.DB.Update(r.Context(), func(tx *store.Tx) error {
			return tx.CreateAccount(r.Context(), &nu, markup.Slugify(nu.Name), hash)
		})
	}()
	if err != nil {
		msg, field, unexpected := errorFor(err)
		if unexpected != nil {
			return unexpected
		}
		web.SetRetryAfter(w, err, statusFor(err))
		return a.usersPage(w, r, u, statusFor(err), nu, msg, field)
	}
	flash := fmt.Sprintf("Added %s as %s.", nu.Name, nu.Role)
	if invite {
		if err := a.invite(r, u, &nu); err != nil {
			a.cfg.Log.Warn("invitation not mailed", "user", nu.ID, "err", err)
			flash += fmt.Sprintf(" The invitation could not be mailed to %s (%v): make them a password link below.", nu.Email, err)
		} else {
			flash += fmt.Sprintf(" An invitation to set their password was mailed to %s.", nu.Email)
		}
	}
	http.Redirect(w, r, "/admin/users?flash="+url.QueryEscape(flash), http.StatusSeeOther)
	return nil
}

func (a *Admin) setRole(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if !u.CanManageUsers() {
		return content.Errorf(content.EForbidden, "Only an admin may manage users.")
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return content.Errorf(content.ENotFound, "There is no user %q.", r.PathValue("id"))
	}
	role := content.Role(r.PostFormValue("role"))
	if id == u.ID && role != content.RoleAdmin {
		return content.FieldError("role", "you cannot take away your own admin role; ask another admin")
	}
	if err := a.cfg.DB.Update(r.Context(), func(tx *store.Tx) error { return tx.SetRole(r.Context(), id, role) }); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/users?flash="+url.QueryEscape("Role changed to "+string(role)+"."), http.StatusSeeOther)
	return nil
}
