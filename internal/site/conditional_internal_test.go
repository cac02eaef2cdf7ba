package site

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cespare/xxhash/v2"
)

// TestServedAsServeContent: a document served from its parts is answered
// as http.ServeContent answers the same bytes joined, whatever the request
// asks: the whole, its head, a range or several, or a validation.
func TestServedAsServeContent(t *testing.T) {
	parts := [][]byte{[]byte("<?xml version=\"1.0\"?>\n<rss>"), []byte("\n"), []byte("<item>one</item>"),
		{}, []byte("\n"), []byte("<item>two</item>"), []byte("\n</rss>\n")}
	whole := bytes.Join(parts, nil)
	modified := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	etag := `"` + strconv.FormatUint(xxhash.Sum64(whole), 16) + `"`
	later := modified.Add(time.Hour).Format(http.TimeFormat)
	earlier := modified.Add(-time.Hour).Format(http.TimeFormat)
	for _, tc := range []struct {
		name     string
		method   string
		header   []string
		modified time.Time
	}{
		{"GET", http.MethodGet, nil, modified},
		{"HEAD", http.MethodHead, nil, modified},
		{"GET, no modification time", http.MethodGet, nil, time.Time{}},
		{"GET, modified at the epoch", http.MethodGet, nil, time.Unix(0, 0)},
		{"current ETag", http.MethodGet, []string{"If-None-Match", etag}, modified},
		{"other ETag", http.MethodGet, []string{"If-None-Match", `"abc"`}, modified},
		{"not modified since", http.MethodGet, []string{"If-Modified-Since", later}, modified},
		{"modified since", http.MethodGet, []string{"If-Modified-Since", earlier}, modified},
		{"If-Match, other", http.MethodGet, []string{"If-Match", `"abc"`}, modified},
		{"If-Unmodified-Since, before", http.MethodGet, []string{"If-Unmodified-Since", earlier}, modified},
		{"a range across parts", http.MethodGet, []string{"Range", "bytes=20-40"}, modified},
		{"the last bytes", http.MethodGet, []string{"Range", "bytes=-10"}, modified},
		{"two ranges", http.MethodGet, []string{"Range", "bytes=0-4,30-35"}, modified},
		{"a range past the end", http.MethodGet, []string{"Range", "bytes=5000-"}, modified},
		{"a range if current", http.MethodGet, []string{"Range", "bytes=0-9", "If-Range", etag}, modified},
		{"a range if other", http.MethodGet, []string{"Range", "bytes=0-9", "If-Range", `"abc"`}, modified},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := func() *http.Request {
				r := httptest.NewRequest(tc.method, "/feed/", nil)
				for i := 0; i < len(tc.header); i += 2 {
					r.Header.Set(tc.header[i], tc.header[i+1])
				}
				return r
			}
			got := httptest.NewRecorder()
			serveConditional(got, req(), parts, "application/rss+xml", tc.modified)
			want := httptest.NewRecorder()
			want.Header().Set("Content-Type", "application/rss+xml")
			want.Header().Set("ETag", etag)
			want.Header().Set("Cache-Control", "public, max-age=300")
			m := tc.modified
			if m.Unix() <= 0 {
				m = time.Time{}
			}
			http.ServeContent(want, req(), "", m, bytes.NewReader(whole))
			if got.Code != want.Code {
				t.Errorf("status %d, want %d", got.Code, want.Code)
			}
			gh, wh := got.Header().Clone(), want.Header().Clone()
			gb, wb := got.Body.Bytes(), want.Body.Bytes()
			// Each multipart answer draws its own boundary.
			for _, x := range []struct {
				h http.Header
				b *[]byte
			}{{gh, &gb}, {wh, &wb}} {
				if b, ok := strings.CutPrefix(x.h.Get("Content-Type"), "multipart/byteranges; boundary="); ok {
					x.h.Set("Content-Type", "multipart/byteranges; boundary=B")
					*x.b = bytes.ReplaceAll(*x.b, []byte(b), []byte("B"))
				}
			}
			if !bytes.Equal(gb, wb) {
				t.Errorf("body %q, want %q", gb, wb)
			}
			if !reflect.DeepEqual(gh, wh) {
				t.Errorf("headers %v, want %v", gh, wh)
			}
		})
	}
}
