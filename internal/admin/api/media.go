package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/media"
)

// Media is a media library item as the API shows it.
type Media struct {
	ID        int64          `json:"id"`
	URL       string         `json:"url"`
	Filename  string         `json:"filename"`
	MIME      string         `json:"mime"`
	Size      int64          `json:"size"`
	Width     int            `json:"width,omitempty"`
	Height    int            `json:"height,omitempty"`
	Alt       string         `json:"alt"`
	Srcset    string         `json:"srcset,omitempty"`
	Variants  []MediaVariant `json:"variants,omitempty"`
	HTML      string         `json:"html"` // what to insert into a body
	CreatedAt string         `json:"created_at"`
}

// MediaVariant is a resized copy.
type MediaVariant struct {
	Width int    `json:"width"`
	URL   string `json:"url"`
}

func mediaJSON(m *content.Media) Media {
	out := Media{ID: m.ID, URL: m.URL(), Filename: m.Filename, MIME: m.MIME, Size: m.Size, Width: m.Width, Height: m.Height,
		Alt: m.Alt, HTML: editorial.Snippet(m), CreatedAt: rfc3339(m.CreatedAt)}
	if m.IsImage() {
		out.Srcset = m.Srcset()
	}
	for _, v := range m.Variants {
		out.Variants = append(out.Variants, MediaVariant{Width: v.Width, URL: "/media/" + v.Key})
	}
	return out
}

func (a *API) library() *editorial.Library {
	return &editorial.Library{DB: a.cfg.DB, Storage: a.cfg.Storage}
}

// ReadUpload reads the multipart form's "file" within the size limit.
func ReadUpload(w http.ResponseWriter, r *http.Request) (name string, data []byte, err error) {
	r.Body = http.MaxBytesReader(w, r.Body, media.MaxUploadBytes+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return "", nil, err
		}
		return "", nil, malformed("file", "send the file as multipart/form-data in a field named \"file\" (%v)", err)
	}
	f, h, err := r.FormFile("file")
	if err != nil {
		return "", nil, malformed("file", "send the file in a multipart field named \"file\"")
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, media.MaxUploadBytes+1))
	if err != nil {
		return "", nil, err
	}
	if len(data) > media.MaxUploadBytes {
		return "", nil, &http.MaxBytesError{Limit: media.MaxUploadBytes}
	}
	return h.Filename, data, nil
}

func (a *API) uploadMedia(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if !u.CanUpload() {
		return content.Errorf(content.EForbidden, "Your role (%s) may not upload files.", u.Role)
	}
	name, data, err := ReadUpload(w, r)
	if err != nil {
		return err
	}
	m, err := a.library().Upload(r.Context(), u, name, data, r.FormValue("alt"))
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusCreated, mediaJSON(m))
}

func (a *API) listMedia(w http.ResponseWriter, r *http.Request, u *content.User) error {
	page := 1
	if s := r.URL.Query().Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return malformed("page", "page must be a whole number from 1, not %q", s)
		}
		page = n
	}
	items, total, err := a.cfg.DB.FindMediaList(r.Context(), r.URL.Query().Get("q"), (page-1)*PerPage, PerPage)
	if err != nil {
		return err
	}
	out := []Media{}
	for _, m := range items {
		out = append(out, mediaJSON(m))
	}
	return WriteJSON(w, http.StatusOK, map[string]any{"media": out, "page": page, "total": total, "pages": (total + PerPage - 1) / PerPage})
}

func (a *API) patchMedia(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Alt string `json:"alt"`
	}
	if err := Decode(w, r, &in); err != nil {
		return err
	}
	if err := a.library().SetAlt(r.Context(), u, id, in.Alt); err != nil {
		return err
	}
	m, err := a.cfg.DB.FindMedia(r.Context(), id)
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, mediaJSON(m))
}

func (a *API) deleteMedia(w http.ResponseWriter, r *http.Request, u *content.User) error {
	id, err := PathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.library().Delete(r.Context(), u, id, r.URL.Query().Get("force") == "true"); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
