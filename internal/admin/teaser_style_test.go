package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestSettingsTeaserStyle: an admin chooses cards for the listings in the
// settings form, which then shows that choice; a style of no kind is
// refused, naming the field.
func TestSettingsTeaserStyle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		adm := e.signIn("admin")
		form := url.Values{"title": {"The Lagos Ledger"}, "language": {"en"}, "time_zone": {"UTC"}, "posts_per_page": {"10"},
			"teaser_style": {"cards"}}
		res, _ := adm.PostForm(e.srv.URL+"/admin/settings", form)
		res.Body.Close()
		if s, _ := db.LoadSettings(ctx); res.StatusCode != http.StatusSeeOther || s.TeaserStyle != content.TeaserCards {
			t.Fatalf("save cards: %d, style %q", res.StatusCode, s.TeaserStyle)
		}
		res, _ = adm.Get(e.srv.URL + "/admin/settings")
		if body := readAll(t, res); !strings.Contains(body, `<option value="cards" selected>`) {
			t.Error("the settings form does not show the cards chosen")
		}
		form.Set("teaser_style", "tiles")
		res, _ = adm.PostForm(e.srv.URL+"/admin/settings", form)
		if body := readAll(t, res); res.StatusCode != 422 || !strings.Contains(body, "teaser style") {
			t.Errorf("an unknown teaser style: %d", res.StatusCode)
		}
	})
}
