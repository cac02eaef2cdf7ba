package sourcedesk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/media"
)

// DiskImages keeps republished articles' images as files under Dir (the data folder's media
// directory), in sourcedesk/<first two hex digits>/, named by the SHA-256 of
// their bytes so that bringing the same image twice stores it once. They are
// served under URLPrefix by Handler. It is the simplest ImageSaver; serve
// puts the media library in front of it.
type DiskImages struct {
	Dir       string // e.g. DATA/media
	URLPrefix string // e.g. "/media/"
}

// SaveImage writes the image and returns its URL.
func (s DiskImages) SaveImage(_ context.Context, img Image) (Saved, error) {
	name, data := img.Name, img.Data
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	ext := path.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	if stem == "" || len(stem) > 60 {
		stem = "image"
	}
	rel := path.Join("sourcedesk", h[:2], h[:16]+"-"+stem+ext)
	dst := filepath.Join(s.Dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return Saved{}, fmt.Errorf("sourcedesk: image folder: %w", err)
	}
	if _, err := os.Stat(dst); err != nil {
		tmp := dst + ".tmp"
		if err := os.WriteFile(tmp, data, 0o640); err != nil {
			return Saved{}, fmt.Errorf("sourcedesk: save image: %w", err)
		}
		if err := os.Rename(tmp, dst); err != nil {
			os.Remove(tmp)
			return Saved{}, fmt.Errorf("sourcedesk: save image: %w", err)
		}
	}
	return Saved{URL: strings.TrimSuffix(s.URLPrefix, "/") + "/" + rel}, nil
}

// Handler serves the saved images (mounted at URLPrefix + "sourcedesk/")
// as the media library serves its files (media.Serve): typed by their
// content, never followed out of the folder, without directory listings.
func (s DiskImages) Handler() http.Handler {
	dir := media.Dir{Root: filepath.Join(s.Dir, "sourcedesk")}
	prefix := strings.TrimSuffix(s.URLPrefix, "/") + "/sourcedesk/"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, ok := strings.CutPrefix(r.URL.Path, prefix)
		if !ok {
			http.NotFound(w, r)
			return
		}
		rc, err := dir.Open(r.Context(), key)
		if err != nil {
			if content.IsNotFound(err) {
				http.NotFound(w, r)
				return
			}
			http.Error(w, "The file cannot be read just now.", http.StatusInternalServerError)
			return
		}
		defer rc.Close()
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		media.Serve(w, r, key, rc)
	})
}
