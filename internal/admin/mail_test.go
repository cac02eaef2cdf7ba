package admin_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/mailer/mailtest"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

var resetLinkRE = regexp.MustCompile(`https?://\S+/admin/reset/\S+`)

// linkIn returns the one password link a message carries.
func linkIn(t *testing.T, m mailtest.Message) string {
	t.Helper()
	link := resetLinkRE.FindString(m.Text)
	if link == "" {
		t.Fatalf("no password link in %q", m.Text)
	}
	return link
}

// setPassword follows a mailed link and sets pw through its form.
func setPassword(t *testing.T, e *env, link, pw string) {
	t.Helper()
	u, _ := url.Parse(link)
	c := e.browser()
	res, err := c.Get(e.srv.URL + u.Path)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, res); res.StatusCode != 200 || !strings.Contains(body, "Set a new password") {
		t.Fatalf("the mailed link: %d %s", res.StatusCode, body)
	}
	res, err = c.PostForm(e.srv.URL+u.Path, url.Values{"new_password": {pw}, "confirm_password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, res)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set the password: status %d", res.StatusCode)
	}
}

func canSignIn(t *testing.T, e *env, email, pw string) bool {
	t.Helper()
	res, err := e.browser().PostForm(e.srv.URL+"/admin/login", url.Values{"email": {email}, "password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, res)
	return res.StatusCode == http.StatusSeeOther
}

// TestForgotPasswordMailsALink: "Forgot your password?" on the sign-in
// page mails a one-time link with which the user sets a new password and
// signs in; an address with no account gets the same answer and no mail;
// an imported author with no password yet sets their first one this way.
func TestForgotPasswordMailsALink(t *testing.T) {
	srv := mailtest.Start(t)
	e := newEnv(t, storetest.Open(t, "sqlite"), withMail(t, srv))
	res, err := e.browser().Get(e.srv.URL + "/admin/login")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, res); !strings.Contains(body, `href="/admin/forgot"`) {
		t.Fatalf("the sign-in page has no forgot-password link: %s", body)
	}
	ask := func(email string) (int, string) {
		res, err := e.browser().PostForm(e.srv.URL+"/admin/forgot", url.Values{"email": {email}})
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, readAll(t, res)
	}
	code, known := ask("author@example.org")
	ask("author@example.org") // again at once: no second message
	_, unknown := ask("nobody@example.org")
	if code != 200 || !strings.Contains(known, "on its way") ||
		strings.ReplaceAll(known, "author@example.org", "X") != strings.ReplaceAll(unknown, "nobody@example.org", "X") {
		t.Errorf("known and unknown addresses answer differently:\n%s\n---\n%s", known, unknown)
	}
	if n := len(srv.To(t, "nobody@example.org")); n != 0 {
		t.Errorf("an address without an account got %d messages", n)
	}
	got := srv.To(t, "author@example.org")
	if len(got) != 1 {
		t.Fatalf("author@ got %d messages, want 1", len(got))
	}
	setPassword(t, e, linkIn(t, got[0]), "a brand new password")
	if !canSignIn(t, e, "author@example.org", "a brand new password") || canSignIn(t, e, "author@example.org", testPassword) {
		t.Error("after the mailed link, the new password does not work or the old one still does")
	}
	// The link works once.
	u, _ := url.Parse(linkIn(t, got[0]))
	res, err = e.browser().Get(e.srv.URL + u.Path)
	if err != nil {
		t.Fatal(err)
	}
	if readAll(t, res); res.StatusCode != http.StatusNotFound {
		t.Errorf("a used link: status %d, want 404", res.StatusCode)
	}

	if code, body := ask("not an address"); code != http.StatusUnprocessableEntity || !strings.Contains(body, "is not an email address") {
		t.Errorf("a malformed address: %d %s", code, body)
	}

	// An author imported from WordPress has an address and no password.
	imported := &content.User{Name: "Ada Imported", Email: "ada@example.org", Role: content.RoleAuthor}
	if err := e.db.Update(ctx, func(tx *store.Tx) error { return tx.CreateAccount(ctx, imported, "ada-imported", "") }); err != nil {
		t.Fatal(err)
	}
	ask("ada@example.org")
	got = srv.To(t, "ada@example.org")
	if len(got) != 1 {
		t.Fatalf("the imported author got %d messages, want 1", len(got))
	}
	setPassword(t, e, linkIn(t, got[0]), "my first password")
	if !canSignIn(t, e, "ada@example.org", "my first password") {
		t.Error("the imported author cannot sign in with the password set through the link")
	}
}

// TestForgotPasswordWithoutMail says a link cannot be mailed and whom to ask.
func TestForgotPasswordWithoutMail(t *testing.T) {
	e := newEnv(t, storetest.Open(t, "sqlite"))
	res, err := e.browser().PostForm(e.srv.URL+"/admin/forgot", url.Values{"email": {"author@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, res); res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "Ask an admin") {
		t.Errorf("without mail: %d %s", res.StatusCode, body)
	}
}

// TestAddingAUserMailsAnInvitation: with mail on, an admin adds a user
// without typing a password; the user is mailed a link to set their own.
func TestAddingAUserMailsAnInvitation(t *testing.T) {
	srv := mailtest.Start(t)
	e := newEnv(t, storetest.Open(t, "sqlite"), withMail(t, srv))
	c := e.signIn("admin")
	res, err := c.PostForm(e.srv.URL+"/admin/users", url.Values{"name": {"Grace New"}, "email": {"grace@example.org"}, "role": {"author"}})
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, res)
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "invitation") {
		t.Fatalf("add a user: %d, to %s", res.StatusCode, res.Header.Get("Location"))
	}
	got := srv.To(t, "grace@example.org")
	if len(got) != 1 || !strings.Contains(got[0].Text, "Admin added you") {
		t.Fatalf("grace@ got %d messages: %+v", len(got), got)
	}
	if canSignIn(t, e, "grace@example.org", "") {
		t.Fatal("an invited user signs in with no password")
	}
	setPassword(t, e, linkIn(t, got[0]), "grace's own password")
	if !canSignIn(t, e, "grace@example.org", "grace's own password") {
		t.Error("the invited user cannot sign in with the password they set")
	}
}
