package media_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/media"
)

func TestDirStoresAndServes(t *testing.T) {
	d := media.Dir{Root: t.TempDir()}
	n, err := d.Put("2024/05/port.jpg", strings.NewReader("jpeg bytes"))
	if err != nil || n != 10 || !d.Exists("2024/05/port.jpg") {
		t.Fatalf("put: %d, %v", n, err)
	}
	for _, bad := range []string{"../escape.jpg", "/etc/passwd", "a/../../b", ""} {
		if _, err := d.Put(bad, strings.NewReader("x")); err == nil {
			t.Errorf("put %q: no error", bad)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(d.Root), "escape.jpg")); err == nil {
		t.Errorf("a file was written outside the library")
	}
	srv := httptest.NewServer(d.Handler())
	defer srv.Close()
	for path, want := range map[string]int{
		"/media/2024/05/port.jpg": 200, "/media/2024/05/": 404, "/media/2024/05/none.jpg": 404,
		"/media/../../etc/passwd": 404, "/media/../media/2024/05/port.jpg": 404, // no climbing out
	} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, res.StatusCode, want)
		}
		if want == 200 && (string(body) != "jpeg bytes" || res.Header.Get("X-Content-Type-Options") != "nosniff") {
			t.Errorf("GET %s: %q, headers %v", path, body, res.Header)
		}
	}
	if err := d.Remove("2024/05/port.jpg"); err != nil || d.Exists("2024/05/port.jpg") {
		t.Errorf("remove: %v", err)
	}
}
