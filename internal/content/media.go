package content

import (
	"net/url"
	"path"
	"strings"
	"time"
)

// MediaURLPrefix is where the site serves the media library's files.
const MediaURLPrefix = "/media/"

// Media is a file in the media library: an image, a recording, a document.
type Media struct {
	ID        int64
	Path      string // where the file lives in the library, e.g. "2024/05/port.jpg"
	MIME      string
	Size      int64
	Title     string
	Alt       string // alternative text for images
	Caption   string
	CreatedAt time.Time
	// ImportKey identifies the file in the system it was imported from (for
	// a WordPress export, the attachment's guid).
	ImportKey string
}

// URL is the file's address on the site.
func (m *Media) URL() string {
	segs := strings.Split(m.Path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return MediaURLPrefix + strings.Join(segs, "/")
}

// Validate checks the media's fields.
func (m *Media) Validate() error {
	if err := ValidateMediaPath(m.Path); err != nil {
		return err
	}
	return nil
}

// ValidateMediaPath checks that p is a clean relative path inside the library.
func ValidateMediaPath(p string) error {
	if p == "" || p != path.Clean(p) || strings.HasPrefix(p, "/") || p == "." || strings.HasPrefix(p, "../") || p == ".." ||
		strings.ContainsAny(p, "\\\x00") {
		return FieldError("path", "%q is not a clean relative path for a media file", p)
	}
	return nil
}
