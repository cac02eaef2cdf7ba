package content

import (
	"fmt"
	"strings"
	"time"
)

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
