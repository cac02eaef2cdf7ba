package site_test

import (
	"net/http"
	"testing"

	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestOldWordPressAddressesAnswer checks the addresses of a WordPress
// site that links and readers' bookmarks keep after the move: written
// with a doubled slash, with the escapes of a non-Latin slug in either
// case, and a child page under its parent's path.
func TestOldWordPressAddressesAnswer(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		importFile(t, db, "../importer/wxr/testdata/wpcom.wxr")
		srv := serve(t, db, site.DefaultTheme())
		const greek = "/2024/03/02/%CE%BB%CE%B9%CE%BC%CE%AC%CE%BD%CE%B9/"
		for _, c := range []struct{ path, want string }{
			{greek, ""},
			{"/2024/03/02/%ce%bb%ce%b9%ce%bc%ce%ac%ce%bd%ce%b9/", greek},
			// A doubled slash is dropped in one permanent redirect.
			{"//2024/03/02/%ce%bb%ce%b9%ce%bc%ce%ac%ce%bd%ce%b9/", greek},
			{"//2024/03/02/%CE%BB%CE%B9%CE%BC%CE%AC%CE%BD%CE%B9/", greek},
			{"//about//", "/about/"},
			{"//about/team/?x=1", "/about/team/?x=1"},
			// A child page under its parent's path.
			{"/about/team/", "/team/"},
			{"/2024/05/10/cranes/", "/2024/05/09/cranes/"},
		} {
			resp, _ := get(t, srv.URL+c.path)
			switch {
			case c.want == "" && resp.StatusCode != http.StatusOK:
				t.Errorf("GET %s: %d, want 200", c.path, resp.StatusCode)
			case c.want != "" && (resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != c.want):
				t.Errorf("GET %s: %d to %q, want 301 to %q", c.path, resp.StatusCode, resp.Header.Get("Location"), c.want)
			}
		}
	})
}
