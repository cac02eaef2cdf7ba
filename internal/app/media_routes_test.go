package app_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// attachmentsWXR is a WordPress export whose attachments name the files.
func attachmentsWXR(files []string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version>`)
	for i, f := range files {
		fmt.Fprintf(&b, `<item><title>file %d</title><guid>https://old.example.org/?attachment_id=%d</guid>
<wp:post_id>%d</wp:post_id><wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type>
<wp:attachment_url>https://old.example.org/wp-content/uploads/%s</wp:attachment_url>
<wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key><wp:meta_value>%s</wp:meta_value></wp:postmeta></item>`, i+1, i+1, i+1, f, f)
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

// TestImportedFilesAreServedSafely imports an uploads folder as an attacker
// would prepare it: pages, scripts and drawings under media names, some
// where the source desk's images are served (sourcedesk/…), and links to
// /etc/passwd, to the live database and inside the folder, a FIFO. The
// links and the FIFO are refused and listed in the summary and the
// report; every file served under /media/ by either route (the library's
// and the desk's) is typed by its content; no bad path answers 500.
func TestImportedFilesAreServedSafely(t *testing.T) {
	data, uploads := t.TempDir(), t.TempDir()
	db := storetest.DSN(t, "sqlite")
	global := []string{"--data", data, "--db", db}
	var pngData bytes.Buffer
	png.Encode(&pngData, image.NewGray(image.Rect(0, 0, 4, 4)))
	page := "<!doctype html><html><body><script src=\"evil.js\"></script></body></html>"
	files := map[string]string{
		"sourcedesk/ab/evil.html": page,
		"sourcedesk/ab/evil.js":   "alert(document.cookie)",
		"sourcedesk/ab/evil.svg":  `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`,
		"2024/05/evil.html":       page,
		"2024/05/evil.svg":        `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`,
		"2024/05/photo.png":       pngData.String(),
		"sourcedesk/cd/photo.png": pngData.String(),
		"2024/05/report.pdf":      "%PDF-1.4\n%%EOF\n",
	}
	for name, body := range files {
		p := filepath.Join(uploads, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(t.TempDir(), "secret.txt")
	os.WriteFile(secret, []byte("root:x:0:0"), 0o600)
	links := map[string]string{
		"2024/05/passwd.jpg":   "/etc/passwd",
		"2024/05/secret.txt":   secret,
		"2024/05/database.pdf": db,
		"2024/05/inside.png":   "photo.png",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(uploads, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	// A folder link: the file behind it is a regular file, reached through
	// a link, and refused all the same.
	if err := os.Symlink(filepath.Dir(secret), filepath.Join(uploads, "2023")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(uploads, "2024", "05", "pipe.mp3"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(uploads, "2024", "05", "folder.png"), 0o755)

	refused := map[string]string{
		"2024/05/passwd.jpg": "is a symbolic link", "2024/05/secret.txt": "is a symbolic link", "2024/05/database.pdf": "is a symbolic link",
		"2024/05/inside.png": "is a symbolic link", "2023/secret.txt": "is reached through a symbolic link (2023)",
		"2024/05/pipe.mp3": "is a named pipe", "2024/05/folder.png": "is a folder",
	}
	var names []string
	for name := range files {
		names = append(names, name)
	}
	for name := range refused {
		names = append(names, name)
	}
	wxrFile := filepath.Join(t.TempDir(), "export.wxr")
	os.WriteFile(wxrFile, []byte(attachmentsWXR(names)), 0o644)
	report := filepath.Join(t.TempDir(), "report.txt")
	code, out, errs := runWith(t, nil, append(global, "import", wxrFile, "--uploads", uploads, "--report", report)...)
	if code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(out, "is a symbolic link") || !strings.Contains(out, "is a named pipe") {
		t.Errorf("the summary does not tell the refused files' reasons:\n%s", out)
	}
	rep, _ := os.ReadFile(report)
	for name, why := range refused {
		if !strings.Contains(string(rep), fmt.Sprintf("%q %s", name, why)) {
			t.Errorf("the report does not say %s %s:\n%s", name, why, rep)
		}
	}

	base := startServe(t, global)
	get := func(path string) *http.Response {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	for name := range refused {
		if resp := get("/media/" + name); resp.StatusCode != 404 {
			t.Errorf("refused file %s is served: %d", name, resp.StatusCode)
		}
	}
	for _, name := range []string{"sourcedesk/ab/evil.html", "sourcedesk/ab/evil.js", "2024/05/evil.html"} {
		resp := get("/media/" + name)
		h := resp.Header
		if resp.StatusCode != 200 || h.Get("Content-Type") != "application/octet-stream" ||
			!strings.HasPrefix(h.Get("Content-Disposition"), "attachment") || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d, type %q, disposition %q; want a download", name, resp.StatusCode, h.Get("Content-Type"), h.Get("Content-Disposition"))
		}
	}
	for _, name := range []string{"sourcedesk/ab/evil.svg", "2024/05/evil.svg"} {
		resp := get("/media/" + name)
		if csp := resp.Header.Get("Content-Security-Policy"); resp.StatusCode != 200 || !strings.HasPrefix(csp, "sandbox;") {
			t.Errorf("%s: %d, policy %q; want sandboxed", name, resp.StatusCode, csp)
		}
	}
	for name, typ := range map[string]string{"2024/05/photo.png": "image/png", "sourcedesk/cd/photo.png": "image/png", "2024/05/report.pdf": "application/pdf"} {
		resp := get("/media/" + name)
		if h := resp.Header; resp.StatusCode != 200 || h.Get("Content-Type") != typ || h.Get("Content-Disposition") != "" {
			t.Errorf("%s: %d, %q %q; want %s inline", name, resp.StatusCode, h.Get("Content-Type"), h.Get("Content-Disposition"), typ)
		}
	}
	for _, path := range []string{"/media/%00", "/media/2024/05/photo.png%00.html", "/media/%ff", "/media/2024%5C05%5Cphoto.png",
		"/media/sourcedesk/%00", "/media/sourcedesk/%ff", "/media/sourcedesk/ab", "/media/2024/05"} {
		if resp := get(path); resp.StatusCode >= 500 || resp.StatusCode == 200 {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
}
