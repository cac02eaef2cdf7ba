package admin_test

import (
	"bytes"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestSettingsEveryField: the settings page edits the feeds, robots.txt,
// the WebSub hub, the language and time zone from selects and uploads a
// logo; the site serves what was set; a language that is not a BCP 47 tag
// is refused on the page and by the API, each naming the field.
func TestSettingsEveryField(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		adm := e.signIn("admin")
		res, _ := adm.Get(e.srv.URL + "/admin/settings")
		page := readAll(t, res)
		for _, want := range []string{`<select name="time_zone"`, `<option value="Pacific/Auckland">`, `<select name="language"`,
			`<option value="pt-BR">`, `name="feed_items"`, `name="feed_full_text"`, `name="robots_txt"`, `name="websub_hub"`,
			`type="file" name="logo_file"`, `enctype="multipart/form-data"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the settings page lacks %s", want)
			}
		}

		// Every zone offered is one the site can use.
		sel := page[strings.Index(page, `<select name="time_zone"`):]
		sel = sel[:strings.Index(sel, "</select>")]
		zones := 0
		for _, opt := range strings.Split(sel, `<option value="`)[1:] {
			name := opt[:strings.Index(opt, `"`)]
			if _, err := time.LoadLocation(name); err != nil {
				t.Errorf("the time zone %q offered does not load: %v", name, err)
			}
			zones++
		}
		if zones < 300 {
			t.Errorf("%d time zones offered, want every IANA zone", zones)
		}

		form := map[string]string{"title": "The Ledger", "description": "News", "language": "english", "time_zone": "Europe/Paris",
			"posts_per_page": "10", "feed_items": "3", "robots_txt": "User-agent: *\r\nDisallow: /drafts/\r\n",
			"websub_hub": "https://hub.example.org/", "menu": ""}
		res = postMultipart(t, adm, e.srv.URL+"/admin/settings", form, "logo.png", tinyPNG(t))
		body := readAll(t, res)
		if res.StatusCode != 422 || !strings.Contains(body, `&#34;english&#34; is not a BCP 47 language tag`) ||
			!strings.Contains(body, `Disallow: /drafts/`) {
			t.Fatalf("a bad language: %d, want 422 naming it with the form kept", res.StatusCode)
		}
		if _, n, _ := db.FindMediaList(ctx, "", 0, 10); n != 0 {
			t.Errorf("a refused form left %d files in the library", n)
		}
		form["language"] = "fr-CA"
		res = postMultipart(t, adm, e.srv.URL+"/admin/settings", form, "logo.png", tinyPNG(t))
		res.Body.Close()
		s, _ := db.LoadSettings(ctx)
		if res.StatusCode != http.StatusSeeOther || s.Language != "fr-CA" || s.FeedItems != 3 || s.FeedFullText ||
			s.RobotsTxt != "User-agent: *\nDisallow: /drafts/\n" || s.WebSubHub != "https://hub.example.org/" ||
			!strings.HasPrefix(s.Logo, "/media/") || s.TimeZone != "Europe/Paris" {
			t.Fatalf("saved: %d %+v", res.StatusCode, s)
		}
		res, _ = http.Get(e.srv.URL + "/robots.txt")
		if body := readAll(t, res); !strings.Contains(body, "Disallow: /drafts/") {
			t.Errorf("robots.txt does not carry the setting: %q", body)
		}
		res, _ = http.Get(e.srv.URL + s.Logo)
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("the uploaded logo answers %d", res.StatusCode)
		}

		// The API: the same fields, and the same refusal.
		status, out := e.call("admin", "PATCH", "/api/v1/settings", map[string]any{"feed_items": 7, "feed_full_text": true,
			"robots_txt": "User-agent: *\nDisallow:\n", "websub_hub": ""})
		if status != 200 || out["feed_items"] != float64(7) || out["feed_full_text"] != true || out["websub_hub"] != "" {
			t.Fatalf("PATCH feeds: %d %v", status, out)
		}
		status, out = e.call("admin", "PATCH", "/api/v1/settings", map[string]any{"language": "en_GB"})
		if er := errorOf(out); status != 422 || er["field"] != "language" || !strings.Contains(er["message"].(string), "BCP 47") {
			t.Errorf("PATCH a bad language: %d %v", status, out)
		}
		status, out = e.call("admin", "PATCH", "/api/v1/settings", map[string]any{"feed_items": 0})
		if er := errorOf(out); status != 422 || er["field"] != "feed_items" {
			t.Errorf("PATCH no feed items: %d %v", status, out)
		}
		if s, _ := db.LoadSettings(ctx); s.Language != "fr-CA" || s.FeedItems != 7 {
			t.Errorf("refused patches changed the settings: %+v", s)
		}
	})
}

// postMultipart sends form with a file in the field logo_file.
func postMultipart(t *testing.T, c *http.Client, u string, form map[string]string, name string, file []byte) *http.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range form {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("logo_file", name)
	fw.Write(file)
	mw.Close()
	res, err := c.Post(u, mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// tinyPNG is an 8×8 PNG.
func tinyPNG(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
