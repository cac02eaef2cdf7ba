package content

import (
	"fmt"
	"path"
	"strings"
	"time"
)

// MediaURLPrefix is where the site serves the media library's files.
const MediaURLPrefix = "/media/"

// Media is an uploaded file in the media library: an image, with resized
// variants, or a PDF.
type Media struct {
	ID         int64
	Key        string // where the storage keeps it, also its path under /media/
	Filename   string // the name it was uploaded under
	MIME       string
	Size       int64
	Width      int // images only
	Height     int
	Alt        string    // the image described, for readers who cannot see it
	Variants   []Variant // narrower copies, narrowest first
	UploadedBy int64
	CreatedAt  time.Time
	// Caption is shown under the image where it is featured.
	Caption string
	// ImportKey identifies the file in the system it was imported from (for
	// a WordPress export, the attachment's guid), so a re-import updates it.
	ImportKey string
}

// Variant is a resized copy of an image.
type Variant struct {
	Width int
	Key   string
}

// URL is the media's address on the site.
func (m *Media) URL() string { return "/media/" + m.Key }

// IsImage reports whether the media is an image.
func (m *Media) IsImage() bool { return strings.HasPrefix(m.MIME, "image/") }

// Srcset lists the variants and the original for an <img srcset>.
func (m *Media) Srcset() string {
	var parts []string
	for _, v := range m.Variants {
		parts = append(parts, fmt.Sprintf("/media/%s %dw", v.Key, v.Width))
	}
	if m.Width > 0 {
		parts = append(parts, fmt.Sprintf("%s %dw", m.URL(), m.Width))
	}
	return strings.Join(parts, ", ")
}

// ValidateMediaPath checks that p is a clean relative path inside the
// library, as an imported file's key must be.
func ValidateMediaPath(p string) error {
	if p == "" || p != path.Clean(p) || strings.HasPrefix(p, "/") || p == "." || p == ".." ||
		strings.HasPrefix(p, "../") || strings.ContainsAny(p, "\\\x00") {
		return FieldError("path", "%q is not a clean relative path for a media file", p)
	}
	return nil
}

// Validate checks the text a media item is stored with.
func (m *Media) Validate() error {
	return storableTexts("filename", m.Filename, "alt", m.Alt, "caption", m.Caption, "mime", m.MIME, "import_key", m.ImportKey)
}
