package api

import (
	"net/http"

	"github.com/broadsheet/broadsheet/internal/auth"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
)

// Token is an API token as listed; its secret is shown only on creation.
type Token struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	User       User   `json:"user"`
	CreatedAt  string `json:"created_at"`
	LastUsedAt string `json:"last_used_at,omitempty"`
	RevokedAt  string `json:"revoked_at,omitempty"`
	Secret     string `json:"token,omitempty"`
}

func tokenJSON(t *store.Token) Token {
	return Token{ID: t.ID, Name: t.Name, User: User{ID: t.User.ID, Slug: t.User.Slug, Name: t.User.Name},
		CreatedAt: rfc3339(t.CreatedAt), LastUsedAt: rfc3339(t.LastUsedAt), RevokedAt: rfc3339(t.RevokedAt)}
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request, u *content.User) error {
	var of int64 = u.ID
	if u.CanManageUsers() {
		of = 0
	}
	ts, err := a.cfg.DB.FindTokens(r.Context(), of)
	if err != nil {
		return err
	}
	out := []Token{}
	for _, t := range ts {
		out = append(out, tokenJSON(t))
	}
	return WriteJSON(w, http.StatusOK, map[string]any{"tokens": out})
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request, u *content.User) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := Decode(w, r, &in); err != nil {
		return err
	}
	secret, t, err := auth.CreateToken(r.Context(), a.cfg.DB, u.ID, in.Name)
	if err != nil {
		return err
	}
	out := tokenJSON(t)
	out.Secret = secret
	return WriteJSON(w, http.StatusCreated, out)
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := PathID(r, "id")
	if err != nil {
		return err
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
	w.WriteHeader(http.StatusNoContent)
	return nil
}
