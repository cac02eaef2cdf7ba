package admin_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// photoWithGPS returns a w×h JPEG carrying an EXIF block with a GPS
// position, as a phone would write it.
func photoWithGPS(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	exif := []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08GPSLatitude 12.6392N GPSLongitude 8.0029W")
	seg := append([]byte{0xFF, 0xE1, byte((len(exif) + 2) >> 8), byte(len(exif) + 2)}, exif...)
	b := buf.Bytes()
	return append(append(append([]byte{}, b[:2]...), seg...), b[2:]...)
}

func (e *env) upload(key, filename string, data []byte, alt string) (int, map[string]any) {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", filename)
	fw.Write(data)
	mw.WriteField("alt", alt)
	mw.Close()
	return e.call(key, "POST", "/api/v1/media", rawBody{mw.FormDataContentType(), body.Bytes()})
}

func TestMediaLibrary(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		photo := photoWithGPS(t, 1000, 600)
		if !bytes.Contains(photo, []byte("GPSLatitude")) {
			t.Fatal("the test photo has no GPS data to strip")
		}
		status, m := e.upload("author", "Market in Bamako.jpg", photo, "Stalls of grain at the market")
		if status != 201 {
			t.Fatalf("upload: %d %v", status, m)
		}
		url := m["url"].(string)
		if m["width"].(float64) != 1000 || len(m["variants"].([]any)) != 2 || !strings.Contains(m["srcset"].(string), "480w") {
			t.Errorf("upload answer %v: want 1000 px wide with 480 and 960 variants", m)
		}
		res, err := http.Get(e.srv.URL + url)
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("GET %s: %d %s", url, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if bytes.Contains(stored, []byte("Exif")) || bytes.Contains(stored, []byte("GPS")) {
			t.Errorf("the stored image still carries EXIF/GPS data")
		}
		if cfg, err := jpeg.DecodeConfig(bytes.NewReader(stored)); err != nil || cfg.Width != 1000 {
			t.Errorf("the stored image is not the 1000 px JPEG: %v %v", cfg, err)
		}
		for _, v := range m["variants"].([]any) {
			vu := v.(map[string]any)["url"].(string)
			res, _ := http.Get(e.srv.URL + vu)
			data, _ := io.ReadAll(res.Body)
			res.Body.Close()
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
			if err != nil || float64(cfg.Width) != v.(map[string]any)["width"].(float64) {
				t.Errorf("variant %s: %v %v", vu, cfg, err)
			}
		}

		// Refusals: wrong type by content, too large, no alt, contributors.
		cases := []struct {
			name, key, file string
			data            []byte
			alt             string
			status          int
			says            string
		}{
			{"a script named .jpg", "author", "evil.jpg", []byte("<script>alert(1)</script>"), "x", 422, "by its content"},
			{"an image without alt text", "author", "photo.jpg", photo, "", 422, "alt text"},
			{"an 11 MB file", "author", "big.pdf", append([]byte("%PDF-1.4\n"), make([]byte, 11<<20)...), "", 413, "larger"},
			{"a contributor's upload", "contributor", "photo.jpg", photo, "x", 403, "may not upload"},
		}
		for _, c := range cases {
			before, _, _ := db.FindMediaList(ctx, "", 0, 100)
			status, out := e.upload(c.key, c.file, c.data, c.alt)
			if status != c.status || !strings.Contains(errorOf(out)["message"].(string), c.says) {
				t.Errorf("%s: %d %v, want %d saying %q", c.name, status, out, c.status, c.says)
			}
			after, _, _ := db.FindMediaList(ctx, "", 0, 100)
			if len(after) != len(before) {
				t.Errorf("%s: the library changed", c.name)
			}
		}
		status, pdf := e.upload("editor", "Annual report.pdf", []byte("%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF"), "")
		if status != 201 || pdf["mime"] != "application/pdf" || !strings.HasPrefix(pdf["html"].(string), "[Annual report.pdf](/media/") {
			t.Errorf("PDF upload: %d %v", status, pdf)
		}

		// Placed in a post, the image is served with its srcset and cannot
		// be deleted without force.
		snippet := m["html"].(string)
		body := "Intro.\n\n" + snippet + "\n\nText."
		pub := content.StatusPublished
		p := e.post("author", editorial.Input{Body: &body, Status: &pub})
		if !strings.Contains(p.BodyHTML, `srcset="/media/`) || !strings.Contains(p.BodyHTML, `alt="Stalls of grain at the market"`) {
			t.Errorf("the rendered post lost the srcset or alt: %s", p.BodyHTML)
		}
		id := int64(m["id"].(float64))
		status, out := e.call("editor", "DELETE", fmt.Sprintf("/api/v1/media/%d", id), nil)
		if status != 409 || !strings.Contains(errorOf(out)["message"].(string), p.Title) {
			t.Errorf("deleting a used image: %d %v, want 409 naming the post", status, out)
		}
		if status, _ := e.call("author", "DELETE", fmt.Sprintf("/api/v1/media/%d?force=true", id), nil); status != 403 {
			t.Errorf("an author deleting: %d, want 403", status)
		}
		if status, _ := e.call("editor", "DELETE", fmt.Sprintf("/api/v1/media/%d?force=true", id), nil); status != 204 {
			t.Errorf("forced delete: %d", status)
		}
		res, _ = http.Get(e.srv.URL + url)
		res.Body.Close()
		if res.StatusCode != 404 {
			t.Errorf("after delete, GET %s: %d", url, res.StatusCode)
		}
		status, list := e.call("author", "GET", "/api/v1/media?q=annual", nil)
		if status != 200 || list["total"].(float64) != 1 {
			t.Errorf("search: %d %v", status, list)
		}
	})
}

// TestFeaturedImage sets a post's featured image through the API and the
// editor, sees it on the post's page, and finds its deletion refused.
func TestFeaturedImage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		status, m := e.upload("editor", "dhow.jpg", photoWithGPS(t, 800, 500), "A dhow at Lamu")
		if status != 201 {
			t.Fatalf("upload: %d %v", status, m)
		}
		id := int64(m["id"].(float64))
		status, out := e.call("editor", "POST", "/api/v1/posts", map[string]any{"title": "Sailing on", "body": "x",
			"status": "published", "featured_image": id})
		if status != 201 || out["featured_image"] == nil || out["featured_image"].(map[string]any)["alt"] != "A dhow at Lamu" {
			t.Fatalf("create with a featured image: %d %v", status, out)
		}
		res, _ := http.Get(e.srv.URL + strings.TrimPrefix(out["url"].(string), e.srv.URL))
		page := readAll(t, res)
		if !strings.Contains(page, `<figure class="featured-image"><img src="`+m["url"].(string)+`" srcset="`) || !strings.Contains(page, `alt="A dhow at Lamu"`) {
			t.Errorf("the post page does not show the featured image")
		}
		status, del := e.call("editor", "DELETE", fmt.Sprintf("/api/v1/media/%d", id), nil)
		if status != 409 || !strings.Contains(errorOf(del)["message"].(string), "featured image") {
			t.Errorf("deleting a featured image: %d %v", status, del)
		}
		pid := int64(out["id"].(float64))
		status, bad := e.call("editor", "PATCH", fmt.Sprintf("/api/v1/posts/%d", pid), map[string]any{"featured_image": 9999})
		if status != 422 || errorOf(bad)["field"] != "featured_image" {
			t.Errorf("a missing media id: %d %v", status, bad)
		}
		if f, _ := db.FindFeatured(ctx, pid); f == nil || f.ID != id {
			t.Errorf("the refused change removed the featured image")
		}
		status, cleared := e.call("editor", "PATCH", fmt.Sprintf("/api/v1/posts/%d", pid), map[string]any{"featured_image": 0})
		if status != 200 || cleared["featured_image"] != nil {
			t.Errorf("clearing: %d %v", status, cleared)
		}
	})
}

// TestAuthorCannotChangeOthersAltText has an author change the alt text of
// an editor's image through the admin's form and the API: both answer 403
// and the alt text stays; the author's own image and an editor changing
// anyone's go through.
func TestAuthorCannotChangeOthersAltText(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		theirs, mine := e.imageBy("editor"), e.imageBy("author")
		alt := func(id int64) string {
			m, err := db.FindMedia(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return m.Alt
		}
		author := e.signIn("author")
		form := func(c *http.Client, id int64, text string) (int, string) {
			res, err := c.PostForm(fmt.Sprintf("%s/admin/media/%d/alt", e.srv.URL, id), url.Values{"alt": {text}})
			if err != nil {
				t.Fatal(err)
			}
			return res.StatusCode, readAll(t, res)
		}
		if status, page := form(author, theirs, "Defaced"); status != 403 || !strings.Contains(page, "uploaded by someone else") {
			t.Errorf("an author's form on an editor's image: %d, want 403 saying why:\n%.300s", status, page)
		}
		status, out := e.call("author", "PATCH", fmt.Sprintf("/api/v1/media/%d", theirs), map[string]any{"alt": "Defaced"})
		if status != 403 || errorOf(out)["code"] != "forbidden" {
			t.Errorf("an author's PATCH on an editor's image: %d %v, want 403", status, out)
		}
		if got := alt(theirs); got != "A photo" {
			t.Errorf("after the refusals the editor's image has the alt text %q, want %q", got, "A photo")
		}
		res, err := author.Get(e.srv.URL + "/admin/media")
		if err != nil {
			t.Fatal(err)
		}
		page := readAll(t, res)
		if strings.Contains(page, fmt.Sprintf(`action="/admin/media/%d/alt"`, theirs)) || !strings.Contains(page, fmt.Sprintf(`action="/admin/media/%d/alt"`, mine)) {
			t.Errorf("the author's library offers the alt form for the editor's image, or not for their own")
		}
		if status, _ := form(author, mine, "My own words"); status != http.StatusSeeOther || alt(mine) != "My own words" {
			t.Errorf("an author's form on their own image: %d, alt %q", status, alt(mine))
		}
		if status, _ := e.call("editor", "PATCH", fmt.Sprintf("/api/v1/media/%d", mine), map[string]any{"alt": "An editor's words"}); status != 200 || alt(mine) != "An editor's words" {
			t.Errorf("an editor's PATCH on an author's image: %d, alt %q", status, alt(mine))
		}
	})
}

// TestLargeImagesAreRefusedByTheirHeader: an image whose header says it is
// larger than the library decodes (a few hundred kilobytes of PNG can say
// 40 megapixels) gets a 422 naming the file and its size, and nothing is
// stored.
func TestLargeImagesAreRefusedByTheirHeader(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var big bytes.Buffer
		if err := png.Encode(&big, image.NewGray(image.Rect(0, 0, 6400, 6300))); err != nil {
			t.Fatal(err)
		}
		status, out := e.upload("author", "poster.png", big.Bytes(), "A poster")
		msg := fmt.Sprint(out)
		if status != 422 || !strings.Contains(msg, `"poster.png" is 6400×6300 pixels`) || !strings.Contains(msg, "the limit is 40 megapixels") {
			t.Errorf("a 40.3-megapixel PNG: %d %s, want 422 naming the file, its size and the limit", status, msg)
		}
		// A 16-bit RGBA PNG's header: half the pixels take as much memory.
		deep := pngHeader(5000, 4100, 16, 6)
		status, out = e.upload("author", "scan.png", deep, "A scan")
		if msg := fmt.Sprint(out); status != 422 || !strings.Contains(msg, `"scan.png" is 5000×4100 pixels with 16 bits a channel`) {
			t.Errorf("a 16-bit 20.5-megapixel PNG: %d %s, want 422 naming the file, its size and depth", status, msg)
		}
		if _, total, err := db.FindMediaList(t.Context(), "", 0, 10); err != nil || total != 0 {
			t.Errorf("media stored: %d %v", total, err)
		}
	})
}

// pngHeader is the start of a PNG whose header chunk says w×h pixels of
// the bit depth and colour type given; enough for its configuration.
func pngHeader(w, h uint32, depth, colorType byte) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, depth, colorType, 0, 0, 0)
	chunk := append([]byte("IHDR"), ihdr...)
	out := append([]byte("\x89PNG\r\n\x1a\n"), binary.BigEndian.AppendUint32(nil, uint32(len(ihdr)))...)
	out = append(out, chunk...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(chunk))
}

// TestMediaLibraryTakesWebP: a WebP, as browsers save pictures today, is
// taken, kept as a JPEG every reader's browser shows, with its variants
// and the name it was uploaded under.
func TestMediaLibraryTakesWebP(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		data, err := os.ReadFile(filepath.Join("..", "media", "testdata", "lossy.webp"))
		if err != nil {
			t.Fatal(err)
		}
		status, m := e.upload("author", "Harbour at dawn.webp", data, "Boats in the harbour at dawn")
		if status != 201 {
			t.Fatalf("upload: %d %v", status, m)
		}
		url := m["url"].(string)
		if m["mime"] != "image/jpeg" || !strings.HasSuffix(url, "-harbour-at-dawn.jpg") || m["filename"] != "Harbour at dawn.webp" ||
			m["width"].(float64) != 600 || !strings.Contains(m["srcset"].(string), "480w") {
			t.Errorf("upload answer %v: want the 600 px picture as a JPEG with a 480 px variant, under its name", m)
		}
		res, err := http.Get(e.srv.URL + url)
		if err != nil {
			t.Fatal(err)
		}
		stored := readAll(t, res)
		if cfg, err := jpeg.DecodeConfig(strings.NewReader(stored)); res.StatusCode != 200 || err != nil || cfg.Width != 600 {
			t.Errorf("GET %s: %d %s, %v %v; want the 600 px JPEG", url, res.StatusCode, res.Header.Get("Content-Type"), cfg, err)
		}
		// The library counts its one file as one.
		lib, err := e.signIn("author").Get(e.srv.URL + "/admin/media")
		if err != nil {
			t.Fatal(err)
		}
		if page := readAll(t, lib); !strings.Contains(page, `<span class="muted">1 file</span>`) {
			t.Errorf("the library page does not say it holds 1 file:\n%.2000s", page)
		}
	})
}
