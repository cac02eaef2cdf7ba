package app_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// Images of a republished article go into the media library and are shown
// as its other images are: with their variants (srcset and sizes) and
// their size, so a reader's phone loads the small one.
func TestRepublishedImagesGetLibraryVariants(t *testing.T) {
	var pic bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 1200, 800))
	for y := 0; y < 800; y++ {
		for x := 0; x < 1200; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	if err := jpeg.Encode(&pic, img, nil); err != nil {
		t.Fatal(err)
	}
	var outlet *httptest.Server
	outlet = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/2026/quay.html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!DOCTYPE html><html><head><title>The new quay opens</title>
<meta property="og:site_name" content="Harbour Gazette"></head><body><article><h1>The new quay opens</h1>
<p>The new quay opened on Monday after two years of building, and the first ships tied up before noon.</p>
<figure><img src="%[1]s/images/quay.jpg" alt="The quay at dawn"></figure>
<p>Dock workers said the longer berth would let the larger ferries call in winter, when the old one froze.</p>
<p>The harbour master thanked the crews who worked through the storms of the last two winters to finish it.</p>
<p>A second berth is planned for the spring, with a crane able to lift the heaviest containers in the region.</p>
<figure><img data-src="%[1]s/images/crane.jpg" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="The new crane"></figure>
<p>Residents gathered on the sea wall to watch the first ferry come in, and the town band played on the quay.</p>
</article></body></html>`, outlet.URL)
		case "/images/quay.jpg", "/images/crane.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(pic.Bytes())
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(outlet.Close)

	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			dir := t.TempDir()
			dsn := storetest.DSN(t, engine)
			g := []string{"--data", dir, "--db", dsn, "--fetch-allow-private"}
			if code, _, errs := runWith(t, []string{"BROADSHEET_PASSWORD=a long enough password"}, append(append([]string{}, g...),
				"user", "add", "--email", "amara@example.org", "--name", "Amara Okafor", "--role", "editor")...); code != 0 {
				t.Fatalf("user add: %s", errs)
			}
			code, stdout, stderr := run(t, append(append([]string{}, g...), "republish", outlet.URL+"/2026/quay.html")...)
			if code != 0 || strings.Contains(stderr, "warning") {
				t.Fatalf("republish: exit %d\n%s\n%s", code, stdout, stderr)
			}
			m := regexp.MustCompile(`Draft post (\d+)`).FindStringSubmatch(stdout)
			if m == nil {
				t.Fatalf("republish: %s", stdout)
			}
			id, _ := strconv.ParseInt(m[1], 10, 64)
			p := deskPublishDraft(t, dsn, id, "Why the quay matters.", time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC))
			base := startServe(t, g)
			page := deskGet(t, base+p.Path())
			article := page[strings.Index(page, "<main"):]
			imgs := regexp.MustCompile(`<img [^>]*>`).FindAllString(article, -1)
			var found []string
			for _, tag := range imgs {
				alt := regexp.MustCompile(`alt="([^"]*)"`).FindStringSubmatch(tag)
				if alt == nil || (alt[1] != "The quay at dawn" && alt[1] != "The new crane") {
					continue
				}
				found = append(found, alt[1])
				src := regexp.MustCompile(`src="(/media/\d{4}/\d{2}/[^"]+\.jpg)"`).FindStringSubmatch(tag)
				if src == nil {
					t.Errorf("%s: not served from the media library: %s", alt[1], tag)
					continue
				}
				stem := strings.TrimSuffix(src[1], ".jpg")
				if !strings.Contains(tag, `srcset="`+stem+`-w480.jpg 480w, `+stem+`-w960.jpg 960w, `+src[1]+` 1200w"`) ||
					!strings.Contains(tag, ` sizes="`) || !strings.Contains(tag, `width="1200" height="800"`) {
					t.Errorf("%s: no library variants: %s", alt[1], tag)
				}
				resp, err := http.Get(base + stem + "-w480.jpg")
				if err != nil {
					t.Fatal(err)
				}
				small, err := jpeg.DecodeConfig(resp.Body)
				resp.Body.Close()
				if err != nil || small.Width != 480 {
					t.Errorf("%s: the small variant is not served: %v, %+v", alt[1], err, small)
				}
			}
			if len(found) != 2 {
				t.Errorf("article images found: %q, want the quay and the crane\n%s", found, imgs)
			}
		})
	}
}
