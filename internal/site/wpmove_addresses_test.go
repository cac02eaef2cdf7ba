package site_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestOldWordPressAddressesAnswer checks the addresses of a WordPress
// site that links and readers' bookmarks keep after the move: written
// with a doubled slash, with the escapes of a non-Latin slug in either
// case, a child page under its parent's path, and a dated address whose
// day is the old site's though it was the day before in UTC.
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
			// Published at 01:30 in Paris, 23:30 UTC the day before: the
			// day of its old address is the one on the site's clock.
			{"/2024/05/10/cranes/", ""},
			{"/2024/05/09/cranes/", "/2024/05/10/cranes/"},
		} {
			resp, _ := get(t, srv.URL+c.path)
			switch {
			case c.want == "" && resp.StatusCode != http.StatusOK:
				t.Errorf("GET %s: %d, want 200", c.path, resp.StatusCode)
			case c.want != "" && (resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != c.want):
				t.Errorf("GET %s: %d to %q, want 301 to %q", c.path, resp.StatusCode, resp.Header.Get("Location"), c.want)
			}
		}
		// The date shown and the day archives agree with the address.
		if _, body := get(t, srv.URL+"/2024/05/10/cranes/"); !strings.Contains(body, `>10 May 2024</time>`) {
			t.Errorf("the post does not show the day of its address, 10 May 2024:\n%s", body)
		}
		if _, body := get(t, srv.URL+"/2024/05/10/"); !strings.Contains(body, `href="/2024/05/10/cranes/"`) {
			t.Errorf("the archive of 10 May 2024 does not list the post:\n%s", body)
		}
		if resp, _ := get(t, srv.URL+"/2024/05/09/"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET /2024/05/09/: %d, want 404: nothing was published that day on the site's clock", resp.StatusCode)
		}
	})
}
