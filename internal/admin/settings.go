package admin

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
)

func (a *Admin) settingsRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/settings", a.page(a.settings))
	mux.Handle("POST /admin/settings", a.page(a.saveSettings))
}

// SettingsForm holds the settings as typed.
type SettingsForm struct {
	Title, Description, Language, TimeZone, Logo, PostsPerPage, Menu string
}

// SettingsPage edits the site's settings and navigation menu.
type SettingsPage struct {
	Layout
	Form   SettingsForm
	Zones  []string
	Images []*content.Media
}

// commonZones are offered in the time zone field; any IANA name is accepted.
var commonZones = []string{"UTC", "Africa/Lagos", "Africa/Nairobi", "Africa/Johannesburg", "Africa/Cairo", "Europe/London",
	"Europe/Paris", "America/New_York", "America/Sao_Paulo", "Asia/Shanghai", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney"}

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
		PostsPerPage: strconv.Itoa(s.PostsPerPage), Menu: menuText(s.Menu)}
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
		Flash: r.URL.Query().Get("flash"), Error: msg, Field: field}, Form: f, Zones: commonZones, Images: imgs})
}

func (a *Admin) saveSettings(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if !u.CanManageSettings() {
		return content.Errorf(content.EForbidden, "Only an admin may change the site's settings.")
	}
	v := r.PostFormValue
	f := SettingsForm{Title: strings.TrimSpace(v("title")), Description: strings.TrimSpace(v("description")),
		Language: strings.TrimSpace(v("language")), TimeZone: strings.TrimSpace(v("time_zone")), Logo: strings.TrimSpace(v("logo")),
		PostsPerPage: strings.TrimSpace(v("posts_per_page")), Menu: v("menu")}
	err := func() error {
		n, err := strconv.Atoi(f.PostsPerPage)
		if err != nil {
			return content.FieldError("posts_per_page", "posts per page must be a whole number, not %q", f.PostsPerPage)
		}
		menu, err := parseMenu(f.Menu)
		if err != nil {
			return err
		}
		s := content.Settings{Title: f.Title, Description: f.Description, Language: f.Language, PostsPerPage: n,
			TimeZone: f.TimeZone, Logo: f.Logo, Menu: menu}
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
