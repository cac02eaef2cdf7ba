package media

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

func pngOf(w, h int) []byte {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, w, h)))
	return buf.Bytes()
}

func TestPrepareRefusesByContent(t *testing.T) {
	now := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		data []byte
		says string
	}{
		{"empty.png", nil, "is empty"},
		{"page.png", []byte("<html><body>hi</body></html>"), "text/html by its content"},
		{"bomb.png", bombPNG(), "megapixels"},
		{"cut.png", pngOf(50, 50)[:60], "cannot be read as an image"},
	}
	for _, c := range cases {
		_, err := Prepare(t.Context(), c.name, c.data, now)
		if content.ErrorCode(err) != content.EInvalid || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want an invalid-file error saying %q", c.name, err, c.says)
		}
	}
	f, err := Prepare(t.Context(), `C:\Users\me\Small Logo.PNG`, pngOf(300, 100), now)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(f.Media.Key, "2026/02/") || !strings.HasSuffix(f.Media.Key, "-small-logo.png") || len(f.Media.Variants) != 0 || len(f.Data) != 1 {
		t.Errorf("a small PNG: key %q, %d variants", f.Media.Key, len(f.Media.Variants))
	}
}

// bombPNG is a tiny file that claims to be 30000×30000 pixels.
func bombPNG() []byte {
	b := pngOf(1, 1)
	// IHDR width and height are bytes 16..24.
	copy(b[16:24], []byte{0, 0, 0x75, 0x30, 0, 0, 0x75, 0x30})
	binary.BigEndian.PutUint32(b[29:33], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func TestDirRefusesEscapingKeys(t *testing.T) {
	d := Dir{Root: t.TempDir()}
	for _, key := range []string{"../x.png", "/etc/passwd", `a\..\b.png`, ""} {
		if err := d.Put(t.Context(), key, []byte("x")); err == nil {
			t.Errorf("Put(%q) was accepted", key)
		}
	}
}

// FuzzPrepare feeds arbitrary uploads: never a panic, and either a clean
// file or an invalid-file error.
func FuzzPrepare(f *testing.F) {
	f.Add(pngOf(2, 2))
	f.Add([]byte("%PDF-1.4\n"))
	f.Add([]byte("\xff\xd8\xff\xe0"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Prepare(t.Context(), "upload", data, time.Unix(0, 0))
		if err != nil {
			if content.ErrorCode(err) != content.EInvalid {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if len(file.Data) == 0 || file.Media.Key == "" {
			t.Fatalf("accepted without data: %+v", file.Media)
		}
	})
}
