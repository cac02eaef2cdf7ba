// Package media keeps the media library's files: a folder under the data
// directory, addressed by clean relative paths (e.g. "2024/05/port.jpg"),
// served under content.MediaURLPrefix. Records describing the files live
// in the store; this package only holds the bytes.
package media

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
)

// Dir is a media library on the local disk.
type Dir struct {
	Root string
}

func (d Dir) file(rel string) (string, error) {
	if err := content.ValidateMediaPath(rel); err != nil {
		return "", err
	}
	return filepath.Join(d.Root, filepath.FromSlash(rel)), nil
}

// Exists reports whether a file is stored at rel.
func (d Dir) Exists(rel string) bool {
	name, err := d.file(rel)
	if err != nil {
		return false
	}
	st, err := os.Stat(name)
	return err == nil && st.Mode().IsRegular()
}

// Put stores r's bytes at rel, writing to a temporary file first so that a
// reader never sees half a file, and returns the size written.
func (d Dir) Put(rel string, r io.Reader) (int64, error) {
	name, err := d.file(rel)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Dir(name), 0o750); err != nil {
		return 0, fmt.Errorf("media: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".upload-*")
	if err != nil {
		return 0, fmt.Errorf("media: %w", err)
	}
	n, err := io.Copy(tmp, r)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return 0, fmt.Errorf("media: store %s: %w", rel, err)
	}
	return n, nil
}

// Remove deletes the file at rel; a missing file is not an error.
func (d Dir) Remove(rel string) error {
	name, err := d.file(rel)
	if err != nil {
		return err
	}
	if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("media: %w", err)
	}
	return nil
}

// Handler serves the library's files under content.MediaURLPrefix, without
// directory listings.
func (d Dir) Handler() http.Handler {
	files := http.StripPrefix(strings.TrimSuffix(content.MediaURLPrefix, "/"), http.FileServer(http.Dir(d.Root)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}
