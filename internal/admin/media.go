package admin

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/broadsheet/broadsheet/internal/admin/api"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/media"
)

func (a *Admin) mediaRoutes(mux *http.ServeMux) {
	mux.Handle("GET /media/{key...}", http.HandlerFunc(a.serveMedia))
	mux.Handle("GET /admin/media", a.page(a.mediaList))
	mux.Handle("POST /admin/media", a.page(a.mediaUpload))
	mux.Handle("POST /admin/media/{id}/alt", a.page(a.mediaAlt))
	mux.Handle("POST /admin/media/{id}/delete", a.page(a.mediaDelete))
}

// serveMedia serves the library's files to everyone: they are published
// as soon as a post shows them, and their keys are unguessable before.
func (a *Admin) serveMedia(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	rc, err := a.cfg.Media.Open(r.Context(), key)
	if err != nil {
		if content.IsNotFound(err) {
			http.NotFound(w, r)
			return
		}
		a.cfg.Log.Error("media: open", "key", key, "err", err)
		http.Error(w, "The file cannot be read just now.", http.StatusInternalServerError)
		return
	}
	defer rc.Close()
	// Keys never change content, so browsers may keep files for a year.
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	media.Serve(w, r, key, rc)
}

// MediaPage is the library.
type MediaPage struct {
	Layout
	Items  []*content.Media
	Total  int
	Query  string
	Newer  string
	Older  string
	CanAdd bool
	CanDel bool
}

func (a *Admin) library() *editorial.Library {
	return &editorial.Library{DB: a.cfg.DB, Storage: a.cfg.Media}
}

func (a *Admin) mediaList(w http.ResponseWriter, r *http.Request, u *content.User) error {
	return a.mediaPage(w, r, u, http.StatusOK, "", "")
}

func (a *Admin) mediaPage(w http.ResponseWriter, r *http.Request, u *content.User, status int, msg, field string) error {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	if page < 1 {
		page = 1
	}
	const per = 30
	items, total, err := a.cfg.DB.FindMediaList(r.Context(), q.Get("q"), (page-1)*per, per)
	if err != nil {
		return err
	}
	p := MediaPage{Layout: Layout{Title: "Media", User: u, Section: "media", Flash: q.Get("flash"), Error: msg, Field: field},
		Items: items, Total: total, Query: q.Get("q"), CanAdd: u.CanUpload(), CanDel: u.CanDeleteMedia()}
	link := func(n int) string { return fmt.Sprintf("/admin/media?q=%s&page=%d", url.QueryEscape(p.Query), n) }
	if page > 1 {
		p.Newer = link(page - 1)
	}
	if page*per < total {
		p.Older = link(page + 1)
	}
	return a.tmpl.Render(w, status, "media", p)
}

func (a *Admin) mediaUpload(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if !u.CanUpload() {
		return content.Errorf(content.EForbidden, "Your role (%s) may not upload files.", u.Role)
	}
	name, data, err := api.ReadUpload(w, r)
	if err == nil {
		_, err = a.library().Upload(r.Context(), u, name, data, r.FormValue("alt"))
	}
	if err != nil {
		msg, field, unexpected := errorFor(err)
		if unexpected != nil {
			if api.StatusOf(err) == http.StatusRequestEntityTooLarge {
				return a.mediaPage(w, r, u, http.StatusRequestEntityTooLarge, fmt.Sprintf("The file is larger than %d MB.", media.MaxUploadBytes>>20), "file")
			}
			return unexpected
		}
		return a.mediaPage(w, r, u, statusFor(err), msg, field)
	}
	http.Redirect(w, r, "/admin/media?flash="+url.QueryEscape("Uploaded "+name+"."), http.StatusSeeOther)
	return nil
}

func mediaID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, content.Errorf(content.ENotFound, "There is no media item %q.", r.PathValue("id"))
	}
	return id, nil
}

func (a *Admin) mediaAlt(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := mediaID(r)
	if err != nil {
		return err
	}
	if err := a.library().SetAlt(r.Context(), u, id, r.PostFormValue("alt")); err != nil {
		msg, field, unexpected := errorFor(err)
		if unexpected != nil || content.ErrorCode(err) != content.EInvalid {
			return err
		}
		return a.mediaPage(w, r, u, statusFor(err), msg, field)
	}
	http.Redirect(w, r, "/admin/media?flash="+url.QueryEscape("Alt text saved."), http.StatusSeeOther)
	return nil
}

func (a *Admin) mediaDelete(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := mediaID(r)
	if err != nil {
		return err
	}
	if err := a.library().Delete(r.Context(), u, id, r.PostFormValue("force") == "true"); err != nil {
		msg, field, unexpected := errorFor(err)
		if unexpected != nil {
			return unexpected
		}
		return a.mediaPage(w, r, u, statusFor(err), msg, field)
	}
	http.Redirect(w, r, "/admin/media?flash="+url.QueryEscape("Deleted."), http.StatusSeeOther)
	return nil
}
