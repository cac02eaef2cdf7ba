package app

import (
	"encoding/json"
	"net/http"

	"github.com/broadsheet/broadsheet/internal/admin/api"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/search/searchapi"
	"github.com/broadsheet/broadsheet/internal/store"
)

// searchAPI mounts GET /api/v1/search on the Admin API: the API signs the
// caller in and renders errors; searchapi limits what the caller's role
// may find.
func searchAPI(db *store.DB) func(a *api.API, mux *http.ServeMux) {
	return func(a *api.API, mux *http.ServeMux) {
		mux.Handle("GET /api/v1/search", a.Handle(func(w http.ResponseWriter, r *http.Request, u *content.User) error {
			res, err := searchapi.SearchFor(r.Context(), db, r.URL.Query(), u)
			if err != nil {
				return err
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			return json.NewEncoder(w).Encode(res)
		}))
	}
}
