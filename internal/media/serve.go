package media

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// Delivery is how a media file is handed to browsers, decided by Sniff
// from the file's content alone: a file's name (an import brings names
// chosen by someone else) never makes it a page of this site.
type Delivery struct {
	// Type is the Content-Type: a type that cannot run script (an image,
	// a PDF, audio, video), image/svg+xml, or application/octet-stream.
	Type string
	// Attachment asks browsers to download the file rather than show it.
	Attachment bool
	// Sandbox asks for svgCSP: an SVG may carry script, which the policy
	// stops and which would run in an opaque origin, away from the site's
	// cookies and storage.
	Sandbox bool
}

// svgCSP is the policy an SVG is served with: no script, no plugins, no
// loads from anywhere, inline styles allowed (SVG drawings use them).
const svgCSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"

// inline are the types shown or played inline, as http.DetectContentType
// names them: none of them can run script in a browser.
var inline = map[string]bool{
	"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true, "image/avif": true,
	"application/pdf": true,
	"audio/mpeg":      true, "audio/wave": true, "audio/aiff": true, "audio/midi": true, "application/ogg": true,
	"video/mp4": true, "video/webm": true, "video/avi": true,
}

// sniffLen is how much of a file Sniff looks at.
const sniffLen = 512

// Sniff decides how a file whose first bytes are head (512 are enough) is
// served. Images (JPEG, PNG, GIF, WebP, AVIF), PDFs, audio and video are
// shown inline with their type; an SVG drawing is shown inline as
// image/svg+xml, so that <img> keeps showing it, but sandboxed (see
// Delivery.Sandbox); anything else (HTML, script, text, archives) is a
// download of type application/octet-stream.
func Sniff(head []byte) Delivery {
	if len(head) > sniffLen {
		head = head[:sniffLen]
	}
	t := http.DetectContentType(head)
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = t[:i]
	}
	switch {
	case isAVIF(head):
		t = "image/avif"
	case t == "application/octet-stream" && isMP3(head):
		t = "audio/mpeg"
	}
	if inline[t] {
		return Delivery{Type: t}
	}
	if strings.HasPrefix(t, "text/") && bytes.Contains(bytes.ToLower(head), []byte("<svg")) {
		return Delivery{Type: "image/svg+xml", Sandbox: true}
	}
	return Delivery{Type: "application/octet-stream", Attachment: true}
}

// isAVIF reports an ISO media file whose major brand is AVIF (which
// http.DetectContentType does not know).
func isAVIF(head []byte) bool {
	return len(head) >= 12 && string(head[4:8]) == "ftyp" && (string(head[8:12]) == "avif" || string(head[8:12]) == "avis")
}

// isMP3 reports an MPEG audio frame header at the start: an MP3 without an
// ID3 tag, which http.DetectContentType does not know.
func isMP3(head []byte) bool {
	return len(head) >= 3 && head[0] == 0xFF && head[1]&0xE0 == 0xE0 && // frame sync
		head[1]&0x06 != 0 && // layer I, II or III
		head[2]&0xF0 != 0xF0 // a valid bitrate
}

// Header sets the headers d asks for on h; name is the file name a
// download is offered under.
func (d Delivery) Header(h http.Header, name string) {
	h.Set("Content-Type", d.Type)
	h.Set("X-Content-Type-Options", "nosniff")
	if d.Attachment {
		disp := mime.FormatMediaType("attachment", map[string]string{"filename": name})
		if disp == "" {
			disp = "attachment"
		}
		h.Set("Content-Disposition", disp)
	}
	if d.Sandbox {
		h.Set("Content-Security-Policy", svgCSP)
	}
}

// Serve answers r with the media file body stored under key, typed by
// Sniff. A body that can seek (a file, an S3 object) is served by
// http.ServeContent, with ranges, so video and audio can be scrubbed.
func Serve(w http.ResponseWriter, r *http.Request, key string, body io.Reader) {
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(body, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		http.Error(w, "The file cannot be read just now.", http.StatusInternalServerError)
		return
	}
	head = head[:n]
	Sniff(head).Header(w.Header(), path.Base(key))
	if rs, ok := body.(io.ReadSeeker); ok {
		if _, err := rs.Seek(0, io.SeekStart); err == nil {
			http.ServeContent(w, r, "", time.Time{}, rs)
			return
		}
	}
	if r.Method == http.MethodHead {
		return
	}
	w.Write(head)
	io.Copy(w, body)
}
