package admin_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/newsletter"
	"github.com/broadsheet/broadsheet/internal/store"

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

// upload posts a CSV list to the import form as the browser c.
func upload(t *testing.T, e *env, c *http.Client, csv string) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("list", "members.csv")
	fw.Write([]byte(csv))
	mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+"/admin/newsletter/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res, readAll(t, res)
}

const ghostMembers = `id,email,name,note,subscribed_to_emails,complimentary_plan,stripe_customer_id,created_at,deleted_at,labels,tiers
1,ada@example.org,Ada Obi,,true,false,,2025-03-01T10:00:00.000Z,,,
2,bo@example.org,Bo Lind,,false,false,,2025-04-01T10:00:00.000Z,,,
3,not-an-address,Cy,,true,false,,,,,
4,ADA@example.org,Ada again,,true,false,,,,,
`

// TestNewsletterImportExport: an admin imports a Ghost members export —
// unsubscribed members stay unsubscribed, a bad and a repeated row are
// listed by line and not stored — imports it again with nothing stored
// twice, and exports for Mailchimp a list that reads back the same.
func TestNewsletterImportExport(t *testing.T) {
	e := newEnv(t, storetest.Open(t, "sqlite"))
	c := e.signIn("admin")
	res, body := upload(t, e, c, ghostMembers)
	if res.StatusCode != 200 || !strings.Contains(body, "Imported a Ghost list: 2 subscribers added, 0 known already") ||
		!strings.Contains(body, "line 4 (not-an-address)") || !strings.Contains(body, "line 5 (ADA@example.org): the address is in the file already") {
		t.Fatalf("import: %d %s", res.StatusCode, body)
	}
	counts, _ := e.db.CountSubscribers(ctx)
	if counts[content.SubscriberConfirmed] != 1 || counts[content.SubscriberUnsubscribed] != 1 {
		t.Errorf("after the import: %v", counts)
	}
	res, body = upload(t, e, c, ghostMembers)
	if !strings.Contains(body, "0 subscribers added, 2 known already") {
		t.Errorf("the same list again: %s", body)
	}
	if _, n, _ := e.db.FindSubscribers(ctx, store.SubscriberFilter{}); n != 2 {
		t.Errorf("%d subscribers after importing twice, want 2", n)
	}
	res, body = upload(t, e, c, "name,address\nAda,ada@example.org\n")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "no email column") {
		t.Errorf("a list without an email column: %d %s", res.StatusCode, body)
	}

	res, err := c.Get(e.srv.URL + "/admin/newsletter/export?format=mailchimp")
	if err != nil {
		t.Fatal(err)
	}
	exported := readAll(t, res)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(exported, "Email Address,First Name,Last Name") {
		t.Fatalf("export: %d %q %s", res.StatusCode, res.Header.Get("Content-Type"), exported)
	}
	format, subs, problems, err := newsletter.ReadList(strings.NewReader(exported))
	if err != nil || format != newsletter.FormatMailchimp || len(problems) != 0 || len(subs) != 2 {
		t.Fatalf("the export read back: %s %d %v %v", format, len(subs), problems, err)
	}
	for _, s := range subs {
		want := map[string]content.SubscriberStatus{"ada@example.org": content.SubscriberConfirmed, "bo@example.org": content.SubscriberUnsubscribed}[s.Email]
		if s.Status != want || (s.Email == "ada@example.org" && s.Name != "Ada Obi") {
			t.Errorf("%s read back as %s %q, want %s", s.Email, s.Status, s.Name, want)
		}
	}
	for _, f := range []string{"ghost", "substack"} {
		res, _ := c.Get(e.srv.URL + "/admin/newsletter/export?format=" + f)
		if format, subs, _, err := newsletter.ReadList(strings.NewReader(readAll(t, res))); err != nil || format != f || len(subs) != 2 {
			t.Errorf("the %s export read back: %s %d %v", f, format, len(subs), err)
		}
	}
	res, _ = c.Get(e.srv.URL + "/admin/newsletter/export?format=excel")
	if readAll(t, res); res.StatusCode != 400 {
		t.Errorf("an unknown export format: status %d", res.StatusCode)
	}

	// Search and status.
	res, _ = c.Get(e.srv.URL + "/admin/newsletter?q=lind")
	if body := readAll(t, res); !strings.Contains(body, "bo@example.org") || strings.Contains(body, "ada@example.org</td>") {
		t.Errorf("search for lind: %s", body)
	}
	res, _ = c.Get(e.srv.URL + "/admin/newsletter?status=confirmed")
	if body := readAll(t, res); !strings.Contains(body, "ada@example.org</td>") || strings.Contains(body, "bo@example.org") {
		t.Errorf("the confirmed: %s", body)
	}
	res, _ = c.Get(e.srv.URL + "/admin/newsletter?status=lost")
	if readAll(t, res); res.StatusCode != 400 {
		t.Errorf("an unknown status: %d", res.StatusCode)
	}
}

// TestNewsletterPreviewAndTestSend: an admin previews a story's message
// (in a sandbox) and mails themselves a test of it.
func TestNewsletterPreviewAndTestSend(t *testing.T) {
	srv := mailtest.Start(t)
	e := newEnv(t, storetest.Open(t, "sqlite"), withMail(t, srv))
	title := "Harbour reopens"
	st := content.StatusPublished
	p := e.post("editor", editorial.Input{Title: &title, Status: &st})
	c := e.signIn("admin")
	res, err := c.Get(e.srv.URL + "/admin/newsletter/preview?post=" + strconv.FormatInt(p.ID, 10))
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, res)
	if res.StatusCode != 200 || !strings.Contains(body, "Harbour reopens") || !strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("preview: %d %q %s", res.StatusCode, res.Header.Get("Content-Security-Policy"), body)
	}
	res, err = c.PostForm(e.srv.URL+"/admin/newsletter/test", url.Values{"post": {strconv.FormatInt(p.ID, 10)}, "to": {"desk@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, res)
	got := srv.To(t, "desk@example.org")
	if res.StatusCode != http.StatusSeeOther || len(got) != 1 || !strings.Contains(got[0].Header.Get("Subject"), "[Test] Harbour reopens") {
		t.Errorf("test send: %d, %d messages", res.StatusCode, len(got))
	}
	res, err = c.PostForm(e.srv.URL+"/admin/newsletter/test", url.Values{"post": {strconv.FormatInt(p.ID, 10)}, "to": {"nobody"}})
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "is not an email address") {
		t.Errorf("a test to a bad address: %d %s", res.StatusCode, body)
	}
}
