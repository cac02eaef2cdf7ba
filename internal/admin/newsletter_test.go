package admin_test

import (
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/mailer/mailtest"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestNewsletterSaysWhetherMailIsOn: without a mail server the admin's
// newsletter page says the newsletter is off and how to turn it on; with
// one it names the server, never its password.
func TestNewsletterSaysWhetherMailIsOn(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	off := newEnv(t, db)
	res, err := off.signIn("admin").Get(off.srv.URL + "/admin/newsletter")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, res); res.StatusCode != 200 || !strings.Contains(body, "The newsletter is off") || !strings.Contains(body, "--smtp") {
		t.Errorf("without a mail server: %d %s", res.StatusCode, body)
	}
	srv := mailtest.Start(t)
	on := newEnv(t, storetest.Open(t, "sqlite"), withMail(t, srv))
	res, err = on.signIn("admin").Get(on.srv.URL + "/admin/newsletter")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, res); strings.Contains(body, "is off") || !strings.Contains(body, srv.Addr) || !strings.Contains(body, "news@broadsheet.example") {
		t.Errorf("with a mail server: %s", body)
	}
	res, err = on.signIn("editor").Get(on.srv.URL + "/admin/newsletter")
	if err != nil {
		t.Fatal(err)
	}
	if readAll(t, res); res.StatusCode != 403 {
		t.Errorf("an editor: status %d, want 403", res.StatusCode)
	}
}
