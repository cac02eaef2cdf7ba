package admin

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/broadsheet/broadsheet/internal/auth"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
)

func (a *Admin) tokenRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/tokens", a.page(a.tokens))
	mux.Handle("POST /admin/tokens", a.page(a.createToken))
	mux.Handle("POST /admin/tokens/{id}/revoke", a.page(a.revokeToken))
}

// TokensPage lists API tokens.
type TokensPage struct {
	Layout
	Tokens []*store.Token
	Secret string // a token just created, shown once
}

func (a *Admin) tokens(w http.ResponseWriter, r *http.Request, u *content.User) error {
	return a.tokensPage(w, r, u, "")
}

func (a *Admin) tokensPage(w http.ResponseWriter, r *http.Request, u *content.User, secret string) error {
	of := u.ID
	if u.CanManageUsers() {
		of = 0
	}
	ts, err := a.cfg.DB.FindTokens(r.Context(), of)
	if err != nil {
		return err
	}
	return a.render(w, "tokens", TokensPage{Layout: Layout{Title: "API tokens", User: u, Section: "tokens",
		Flash: r.URL.Query().Get("flash")}, Tokens: ts, Secret: secret})
}

func (a *Admin) createToken(w http.ResponseWriter, r *http.Request, u *content.User) error {
	secret, _, err := auth.CreateToken(r.Context(), a.cfg.DB, u.ID, r.PostFormValue("name"))
	if err != nil {
		return err
	}
	// Rendered, not redirected: the secret must not travel in a URL.
	return a.tokensPage(w, r, u, secret)
}

func (a *Admin) revokeToken(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return web404(r.PathValue("id"))
	}
	t, err := a.cfg.DB.FindToken(r.Context(), id)
	if err != nil {
		return err
	}
	if t.User.ID != u.ID && !u.CanManageUsers() {
		return content.Errorf(content.EForbidden, "This token is not yours; only an admin may revoke other people's tokens.")
	}
	if err := a.cfg.DB.Update(r.Context(), func(tx *store.Tx) error { return tx.RevokeToken(r.Context(), id) }); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/tokens?flash="+url.QueryEscape(fmt.Sprintf("Revoked the token %q.", t.Name)), http.StatusSeeOther)
	return nil
}

func web404(what string) error {
	return content.Errorf(content.ENotFound, "There is no token %q.", what)
}
