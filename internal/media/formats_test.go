package media

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/webp"

	"github.com/broadsheet/broadsheet/internal/content"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withEXIF rewraps a simple (lossy) WebP in the extended format with an
// EXIF chunk naming a place, as a phone's camera writes one.
func withEXIF(t *testing.T, simple []byte) []byte {
	t.Helper()
	if string(simple[0:4]) != "RIFF" || string(simple[8:16]) != "WEBPVP8 " {
		t.Fatal("not a simple lossy WebP")
	}
	cfg, err := webp.DecodeConfig(bytes.NewReader(simple))
	if err != nil {
		t.Fatal(err)
	}
	chunk := func(fourCC string, data []byte) []byte {
		b := append([]byte(fourCC), 0, 0, 0, 0)
		binary.LittleEndian.PutUint32(b[4:], uint32(len(data)))
		b = append(b, data...)
		if len(data)%2 == 1 {
			b = append(b, 0)
		}
		return b
	}
	vp8x := make([]byte, 10)
	vp8x[0] = 0x08 // EXIF present
	w, h := uint32(cfg.Width-1), uint32(cfg.Height-1)
	vp8x[4], vp8x[5], vp8x[6] = byte(w), byte(w>>8), byte(w>>16)
	vp8x[7], vp8x[8], vp8x[9] = byte(h), byte(h>>8), byte(h>>16)
	body := []byte("WEBP")
	body = append(body, chunk("VP8X", vp8x)...)
	body = append(body, simple[12:]...) // the VP8 chunk as it was
	body = append(body, chunk("EXIF", []byte("MM\x00\x2a\x00\x00\x00\x08GPSLatitude 12.6392N GPSLongitude 8.0029W"))...)
	out := append([]byte("RIFF"), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(out[4:], uint32(len(body)))
	return append(out, body...)
}

// gifOf returns a GIF of frames w×h frames, each a colour of its own
// shown for a fifth of a second, with a comment (a metadata block) after
// its header.
func gifOf(t *testing.T, w, h, frames int) []byte {
	t.Helper()
	pal := color.Palette{color.Black, color.White, color.RGBA{200, 30, 30, 255}, color.RGBA{30, 30, 200, 255}}
	g := &gif.GIF{}
	for i := range frames {
		img := image.NewPaletted(image.Rect(0, 0, w, h), pal)
		for p := range img.Pix {
			img.Pix[p] = uint8((i + p/w) % len(pal))
		}
		g.Image = append(g.Image, img)
		g.Delay = append(g.Delay, 20)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	// After the header, the logical screen and its colour table if any.
	at := 13
	if b[10]&0x80 != 0 {
		at += 3 << (b[10]&7 + 1)
	}
	comment := append([]byte{0x21, 0xFE, 22}, "made at 12.6392N 8.00W"...)
	comment = append(comment, 0)
	return append(append(append([]byte{}, b[:at]...), comment...), b[at:]...)
}

// TestPrepareTakesWebPAndGIF: the images browsers save and outlets serve
// today go into the library, written anew as a type Go writes (no
// metadata survives) with their variants; an animated GIF keeps its
// frames.
func TestPrepareTakesWebPAndGIF(t *testing.T) {
	now := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name, file string
		data       []byte
		mime, ext  string
		width      int
		variants   int
	}{
		{"a photo saved as WebP", "market.webp", readTestdata(t, "lossy.webp"), "image/jpeg", ".jpg", 600, 1},
		{"a phone's WebP with EXIF", "street.webp", withEXIF(t, readTestdata(t, "lossy.webp")), "image/jpeg", ".jpg", 600, 1},
		{"a WebP with transparency", "rose.webp", readTestdata(t, "lossy-alpha.webp"), "image/png", ".png", 400, 0},
		{"a lossless WebP", "gopher.webp", readTestdata(t, "lossless.webp"), "image/png", ".png", 75, 0},
		{"a still GIF", "chart.gif", gifOf(t, 1000, 500, 1), "image/png", ".png", 1000, 2},
		{"an animated GIF", "loop.gif", gifOf(t, 120, 80, 3), "image/gif", ".gif", 120, 0},
	} {
		f, err := Prepare(t.Context(), c.file, c.data, now)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		m := f.Media
		if m.MIME != c.mime || !strings.HasSuffix(m.Key, c.ext) || m.Width != c.width || len(m.Variants) != c.variants || m.Filename != c.file {
			t.Errorf("%s: stored as %s at %s, %d px wide, %d variants, named %q; want %s, %s, %d px, %d variants",
				c.name, m.MIME, m.Key, m.Width, len(m.Variants), m.Filename, c.mime, c.ext, c.width, c.variants)
		}
		stored := f.Data[m.Key]
		if bytes.Contains(stored, []byte("GPS")) || bytes.Contains(stored, []byte("12.6392N")) {
			t.Errorf("%s: the stored file still says where it was made", c.name)
		}
		var decodeErr error
		switch c.mime {
		case "image/jpeg":
			_, decodeErr = jpeg.Decode(bytes.NewReader(stored))
		case "image/png":
			var img image.Image
			img, decodeErr = png.Decode(bytes.NewReader(stored))
			if decodeErr == nil && c.file == "rose.webp" {
				if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
					t.Errorf("%s: the transparent corner is opaque now", c.name)
				}
			}
		case "image/gif":
			var g *gif.GIF
			g, decodeErr = gif.DecodeAll(bytes.NewReader(stored))
			if decodeErr == nil && (len(g.Image) != 3 || g.Delay[2] != 20) {
				t.Errorf("%s: %d frames, delays %v; want its 3 frames of 0.2 s", c.name, len(g.Image), g.Delay)
			}
		}
		if decodeErr != nil {
			t.Errorf("%s: the stored file is not a %s: %v", c.name, c.mime, decodeErr)
		}
		for _, v := range m.Variants {
			if !strings.HasSuffix(v.Key, c.ext) || len(f.Data[v.Key]) == 0 {
				t.Errorf("%s: variant %+v not stored as %s", c.name, v, c.ext)
			}
		}
	}
}

// bombGIF is a small file naming frames w×h pixels each, with no pixels
// in them: decoded, its frames would take frames×w×h bytes.
func bombGIF(w, h, frames int) []byte {
	b := []byte("GIF89a")
	b = binary.LittleEndian.AppendUint16(b, uint16(w))
	b = binary.LittleEndian.AppendUint16(b, uint16(h))
	b = append(b, 0x80, 0, 0) // a global colour table of two colours
	b = append(b, 0, 0, 0, 255, 255, 255)
	for range frames {
		b = append(b, 0x2C, 0, 0, 0, 0)
		b = binary.LittleEndian.AppendUint16(b, uint16(w))
		b = binary.LittleEndian.AppendUint16(b, uint16(h))
		b = append(b, 0, 2, 1, 0x44, 0)
	}
	return append(b, 0x3B)
}

func TestPrepareRefusesGIFsItCannotHold(t *testing.T) {
	now := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	loop := gifOf(t, 120, 80, 3)
	for _, c := range []struct {
		name string
		data []byte
		says string
	}{
		{"endless.gif", bombGIF(4000, 4000, 11), "an animation of 11 frames"},
		{"cut.gif", loop[:len(loop)/2], "cannot be read as an image"},
		{"huge.gif", bombGIF(8000, 8000, 1), "megapixels"},
	} {
		_, err := Prepare(t.Context(), c.name, c.data, now)
		if content.ErrorCode(err) != content.EInvalid || !strings.Contains(err.Error(), c.says) || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s: %v, want an invalid-file error naming it and saying %q", c.name, err, c.says)
		}
	}
}
