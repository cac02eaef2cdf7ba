package app

import (
	"net/http"

	"github.com/broadsheet/broadsheet/internal/admin/api"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/search/searchapi"
	"github.com/broadsheet/broadsheet/internal/store"
)

// searchAPI is GET /api/v1/search, an area of the Admin API: the API signs
// the caller in and renders errors; searchapi limits what the caller's
// role may find.
func searchAPI(db *store.DB) api.Area {
	return func(r *api.Router) {
		r.Handle("GET /api/v1/search", func(w http.ResponseWriter, r *http.Request, u *content.User) error {
			res, err := searchapi.SearchFor(r.Context(), db, r.URL.Query(), u)
			if err != nil {
				return err
			}
			return api.WriteJSON(w, http.StatusOK, res)
		})
	}
}
