package admin

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
)

func (a *Admin) settingsRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/settings", a.page(a.settings))
	mux.Handle("POST /admin/settings", a.page(a.saveSettings))
}

// SettingsForm holds the settings as typed.
type SettingsForm struct {
	Title, Description, Language, TimeZone, Logo, PostsPerPage, Menu string
	FeedItems, RobotsTxt, WebSubHub                                  string
	FeedFullText                                                     bool
	TeaserStyle                                                      string
	CommentsEnabled                                                  bool
}

// SettingsPage edits the site's settings and navigation menu.
type SettingsPage struct {
	Layout
	Form      SettingsForm
	Zones     []string
	Languages []Choice
	Images    []*content.Media
}

// Choice is one option of a select: the value sent and the words shown.
type Choice struct{ Value, Label string }

// commonLanguages are offered in the language select; the site's own tag
// is added when it is not among them.
var commonLanguages = []string{"af", "am", "ar", "bg", "bn", "ca", "cs", "cy", "da", "de", "de-AT", "de-CH", "el", "en",
	"en-AU", "en-CA", "en-GB", "en-IE", "en-IN", "en-NG", "en-NZ", "en-US", "en-ZA", "es", "es-419", "es-ES", "es-MX",
	"et", "fa", "fi", "fil", "fr", "fr-BE", "fr-CA", "fr-CH", "ga", "gl", "gu", "ha", "he", "hi", "hr", "hu", "hy", "id",
	"ig", "is", "it", "ja", "ka", "kk", "km", "kn", "ko", "lt", "lv", "mk", "ml", "mr", "ms", "mt", "my", "nb", "ne",
	"nl", "nl-BE", "nn", "pa", "pl", "pt", "pt-BR", "pt-PT", "ro", "ru", "rw", "si", "sk", "sl", "so", "sq", "sr",
	"sr-Latn", "sv", "sw", "ta", "te", "th", "tr", "uk", "ur", "uz", "vi", "xh", "yo", "zh-Hans", "zh-Hant", "zu"}

// languageChoices lists the offered tags, each named in its own language,
// with current first among them when it is not a common one.
func languageChoices(current string) []Choice {
	tags := commonLanguages
	if current != "" && !slices.Contains(tags, current) {
		tags = append([]string{current}, tags...)
	}
	out := make([]Choice, 0, len(tags))
	for _, t := range tags {
		label := t
		if tag, err := language.Parse(t); err == nil {
			if name := display.Self.Name(tag); name != "" {
				label = name + " (" + t + ")"
			}
		}
		out = append(out, Choice{Value: t, Label: label})
	}
	return out
}

// zoneChoices lists the IANA zones, with current first when it is a name
// the list lacks (an alias such as US/Eastern saved before).
func zoneChoices(current string) []string {
	if current != "" && !slices.Contains(ianaZones, current) {
		return append([]string{current}, ianaZones...)
	}
	return ianaZones
}

// menuText lays the menu out one item per line: "Label | /path/".
func menuText(items []content.MenuItem) string {
	var lines []string
	for _, m := range items {
		lines = append(lines, m.Label+" | "+m.URL)
	}
	return strings.Join(lines, "\n")
}

func parseMenu(text string) ([]content.MenuItem, error) {
	var items []content.MenuItem
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		label, u, ok := strings.Cut(line, "|")
		if !ok {
			return nil, content.FieldError("menu", "line %d (%q) needs a label, a bar and an address: About | /about/", i+1, line)
		}
		items = append(items, content.MenuItem{Label: strings.TrimSpace(label), URL: strings.TrimSpace(u)})
	}
	return items, nil
}

func (a *Admin) settings(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if !u.CanManageSettings() {
		return content.Errorf(content.EForbidden, "Only an admin may change the site's settings.")
	}
	s, err := a.cfg.DB.LoadSettings(r.Context())
	if err != nil {
		return err
	}
	f := SettingsForm{Title: s.Title, Description: s.Description, Language: s.Language, TimeZone: s.TimeZone, Logo: s.Logo,
		PostsPerPage: strconv.Itoa(s.PostsPerPage), Menu: menuText(s.Menu), FeedItems: strconv.Itoa(s.FeedItems),
		FeedFullText: s.FeedFullText, RobotsTxt: s.RobotsTxt, WebSubHub: s.WebSubHub, TeaserStyle: s.TeaserStyle,
		CommentsEnabled: s.CommentsEnabled}
	return a.settingsPage(w, r, u, http.StatusOK, f, "", "")
}

func (a *Admin) settingsPage(w http.ResponseWriter, r *http.Request, u *content.User, status int, f SettingsForm, msg, field string) error {
	images, _, err := a.cfg.DB.FindMediaList(r.Context(), "", 0, 50)
	if err != nil {
		return err
	}
	var imgs []*content.Media
	for _, m := range images {
		if m.IsImage() {
			imgs = append(imgs, m)
		}
	}
	return a.tmpl.Render(w, status, "settings", SettingsPage{Layout: Layout{Title: "Settings", User: u, Section: "settings",
		Flash: r.URL.Query().Get("flash"), Error: msg, Field: field}, Form: f, Zones: zoneChoices(f.TimeZone), Languages: languageChoices(f.Language), Images: imgs})
}

func (a *Admin) saveSettings(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if !u.CanManageSettings() {
		return content.Errorf(content.EForbidden, "Only an admin may change the site's settings.")
	}
	// The form is multipart when it carries a logo to upload.
	r.Body = http.MaxBytesReader(w, r.Body, media.MaxUploadBytes+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return content.FieldError("logo_file", "the logo is larger than %d MB", media.MaxUploadBytes>>20)
		}
		return content.Errorf(content.EInvalid, "The form could not be read: %v.", err)
	}
	v := r.FormValue
	f := SettingsForm{Title: strings.TrimSpace(v("title")), Description: strings.TrimSpace(v("description")),
		Language: strings.TrimSpace(v("language")), TimeZone: strings.TrimSpace(v("time_zone")), Logo: strings.TrimSpace(v("logo")),
		PostsPerPage: strings.TrimSpace(v("posts_per_page")), Menu: v("menu"), FeedItems: strings.TrimSpace(v("feed_items")),
		FeedFullText: v("feed_full_text") == "1", RobotsTxt: strings.ReplaceAll(v("robots_txt"), "\r\n", "\n"),
		WebSubHub: strings.TrimSpace(v("websub_hub")), TeaserStyle: v("teaser_style"), CommentsEnabled: v("comments_enabled") == "1"}
	err := func() error {
		n, err := strconv.Atoi(f.PostsPerPage)
		if err != nil {
			return content.FieldError("posts_per_page", "posts per page must be a whole number, not %q", f.PostsPerPage)
		}
		items := 0 // the default
		if f.FeedItems != "" {
			if items, err = strconv.Atoi(f.FeedItems); err != nil {
				return content.FieldError("feed_items", "posts in each feed must be a whole number, not %q", f.FeedItems)
			}
		}
		menu, err := parseMenu(f.Menu)
		if err != nil {
			return err
		}
		s := content.Settings{Title: f.Title, Description: f.Description, Language: f.Language, PostsPerPage: n,
			TimeZone: f.TimeZone, Logo: f.Logo, Menu: menu, FeedItems: items, FeedFullText: f.FeedFullText,
			RobotsTxt: f.RobotsTxt, WebSubHub: f.WebSubHub, TeaserStyle: f.TeaserStyle, CommentsEnabled: f.CommentsEnabled}
		if s.FeedItems == 0 {
			s.FeedItems = content.DefaultSettings().FeedItems
		}
		if err := s.Validate(); err != nil {
			return err
		}
		// The logo is uploaded once the rest is known to be good, so a
		// refused form leaves nothing behind in the library.
		if file, h, err := r.FormFile("logo_file"); err == nil {
			defer file.Close()
			data, err := io.ReadAll(io.LimitReader(file, media.MaxUploadBytes+1))
			if err != nil {
				return err
			}
			if len(data) > media.MaxUploadBytes {
				return content.FieldError("logo_file", "the logo is larger than %d MB", media.MaxUploadBytes>>20)
			}
			if ct := http.DetectContentType(data); !strings.HasPrefix(ct, "image/") {
				return content.FieldError("logo_file", "the logo must be an image (JPEG, PNG, GIF or WebP), not %s", ct)
			}
			m, err := a.library().Upload(r.Context(), u, h.Filename, data, f.Title+" logo")
			if err != nil {
				return err
			}
			s.Logo, f.Logo = m.URL(), m.URL()
		} else if !errors.Is(err, http.ErrMissingFile) && !errors.Is(err, http.ErrNotMultipart) {
			return content.FieldError("logo_file", "the logo could not be read: %v", err)
		}
		return a.cfg.DB.Update(r.Context(), func(tx *store.Tx) error { return tx.SaveSettings(r.Context(), s) })
	}()
	if err != nil {
		msg, field, unexpected := errorFor(err)
		if unexpected != nil {
			return unexpected
		}
		return a.settingsPage(w, r, u, statusFor(err), f, msg, field)
	}
	http.Redirect(w, r, "/admin/settings?flash="+url.QueryEscape(fmt.Sprintf("Settings saved. Times are now given in %s.", f.TimeZone)), http.StatusSeeOther)
	return nil
}
