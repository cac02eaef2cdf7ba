package site_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/config"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/mailer"
	"github.com/broadsheet/broadsheet/internal/mailer/mailtest"
	"github.com/broadsheet/broadsheet/internal/newsletter"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// newsletterSite serves the demo site with its newsletter mailing through
// a real SMTP server.
func newsletterSite(t *testing.T) (*store.DB, string, *mailtest.Server) {
	t.Helper()
	srv := mailtest.Start(t)
	db := demoDB(t, "sqlite")
	cfg, err := config.ParseSMTP(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	m, err := mailer.New(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	news, err := newsletter.New(newsletter.Config{DB: db, Mail: m, Theme: site.DefaultTheme(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return db, serveConfig(t, site.Config{DB: db, Theme: site.DefaultTheme(), Newsletter: news}).URL, srv
}

func sendForm(t *testing.T, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	res, err := noRedirects.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

var confirmLinkRE = regexp.MustCompile(`https?://\S+/subscribe/confirm\?token=\S+`)

func countSubscribers(t *testing.T, db *store.DB) int {
	t.Helper()
	_, n, err := db.FindSubscribers(context.Background(), store.SubscriberFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSubscribeDoubleOptIn: a reader subscribes with the form, is mailed a
// signed link, confirms through it and is subscribed, choices included;
// a bad address, the same address again, a changed link and an expired
// one each get a page that says so, and nothing is stored twice.
func TestSubscribeDoubleOptIn(t *testing.T) {
	db, base, mail := newsletterSite(t)
	res, body := get(t, base+"/subscribe/")
	if res.StatusCode != 200 || !strings.Contains(body, `name="frequency"`) || !strings.Contains(body, `name="sections"`) {
		t.Fatalf("/subscribe/: %d %s", res.StatusCode, body)
	}

	res, body = sendForm(t, base+"/subscribe", url.Values{"email": {"not an address"}})
	if res.StatusCode != 400 || !strings.Contains(body, "is not an email address") || countSubscribers(t, db) != 0 {
		t.Errorf("a bad address: %d, %d stored: %s", res.StatusCode, countSubscribers(t, db), body)
	}
	res, body = sendForm(t, base+"/subscribe", url.Values{"email": {"reader@example.org"}, "sections": {"no-such-section"}})
	if res.StatusCode != 400 || !strings.Contains(body, "no section") || countSubscribers(t, db) != 0 {
		t.Errorf("an unknown section: %d %s", res.StatusCode, body)
	}

	sections, err := db.FindTerms(context.Background(), content.TaxCategory)
	if err != nil || len(sections) == 0 {
		t.Fatalf("the demo's categories: %v", err)
	}
	form := url.Values{"email": {"reader@example.org"}, "frequency": {"weekly"}, "sections": {sections[0].Slug}}
	for range 2 {
		res, body = sendForm(t, base+"/subscribe", form)
		if res.StatusCode != 200 || !strings.Contains(body, "Check your inbox") {
			t.Fatalf("subscribe: %d %s", res.StatusCode, body)
		}
	}
	if n := countSubscribers(t, db); n != 1 {
		t.Errorf("the same address twice: %d subscribers, want 1", n)
	}
	// The form sent twice at once mails one link; later, another.
	if got := mail.To(t, "reader@example.org"); len(got) != 1 {
		t.Fatalf("the form sent twice in a minute: %d confirmation messages, want 1", len(got))
	}
	later := db.Now().Add(newsletter.ConfirmEvery + time.Minute)
	db.Now = func() time.Time { return later }
	if res, body = sendForm(t, base+"/subscribe", form); res.StatusCode != 200 || !strings.Contains(body, "Check your inbox") {
		t.Fatalf("subscribe later: %d %s", res.StatusCode, body)
	}
	got := mail.To(t, "reader@example.org")
	if len(got) != 2 {
		t.Fatalf("received %d confirmation messages, want 2", len(got))
	}
	link := confirmLinkRE.FindString(got[1].Text)
	if link == "" {
		t.Fatalf("no confirmation link in %q", got[1].Text)
	}
	u, _ := url.Parse(link)
	token := u.Query().Get("token")

	// A changed link is refused with a page that says so.
	res, body = get(t, base+"/subscribe/confirm?token="+url.QueryEscape(token[:len(token)-2]+"xx"))
	if res.StatusCode != 400 || !strings.Contains(body, "damaged or was changed") {
		t.Errorf("a changed link: %d %s", res.StatusCode, body)
	}
	res, body = get(t, base+"/subscribe/confirm?token="+url.QueryEscape(token))
	if res.StatusCode != 200 || !strings.Contains(body, "Confirm my subscription") || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("the confirmation page: %d %q %s", res.StatusCode, res.Header.Get("Cache-Control"), body)
	}
	if s, _ := db.FindSubscriberByEmail(context.Background(), "reader@example.org"); s.Status != content.SubscriberPending {
		t.Errorf("opening the link confirmed it already (mail scanners open links): %s", s.Status)
	}
	res, body = sendForm(t, base+"/subscribe/confirm", url.Values{"token": {token}})
	if res.StatusCode != 200 || !strings.Contains(body, "You are subscribed") {
		t.Fatalf("confirm: %d %s", res.StatusCode, body)
	}
	s, _ := db.FindSubscriberByEmail(context.Background(), "reader@example.org")
	if s.Status != content.SubscriberConfirmed || s.Frequency != content.WeeklyDigest || len(s.Sections) != 1 || s.Sections[0] != sections[0].Slug {
		t.Errorf("after confirming: %+v", s)
	}

	res, body = sendForm(t, base+"/subscribe", url.Values{"email": {"READER@example.org"}})
	if res.StatusCode != 200 || !strings.Contains(body, "already") || countSubscribers(t, db) != 1 || len(mail.To(t, "reader@example.org")) != 2 {
		t.Errorf("a subscribed address again: %d %s", res.StatusCode, body)
	}

	// A link older than three days has expired.
	sendForm(t, base+"/subscribe", url.Values{"email": {"late@example.org"}})
	late := confirmLinkRE.FindString(mail.To(t, "late@example.org")[0].Text)
	then := db.Now().Add(newsletter.ConfirmTTL + time.Hour)
	db.Now = func() time.Time { return then }
	lu, _ := url.Parse(late)
	res, body = sendForm(t, base+"/subscribe/confirm", url.Values{"token": {lu.Query().Get("token")}})
	if res.StatusCode != 400 || !strings.Contains(body, "expired") {
		t.Errorf("an expired link: %d %s", res.StatusCode, body)
	}
}

// TestOneClickUnsubscribe: a POST of "List-Unsubscribe=One-Click" to the
// link a message carries unsubscribes, without signing in or a form token.
func TestOneClickUnsubscribe(t *testing.T) {
	db, base, _ := newsletterSite(t)
	ctx := context.Background()
	s := &content.Subscriber{Email: "leaving@example.org"}
	update(t, db, func(tx *store.Tx) error {
		if _, err := tx.Subscribe(ctx, s); err != nil {
			return err
		}
		_, err := tx.ConfirmSubscriber(ctx, s.ID)
		return err
	})
	news, _ := newsletter.New(newsletter.Config{DB: db, Theme: site.DefaultTheme()})
	token, err := news.UnsubscribeToken(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", base+"/unsubscribe?token="+url.QueryEscape(token), strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://mail.example.com")
	res, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("one-click unsubscribe: status %d", res.StatusCode)
	}
	if got, _ := db.FindSubscriber(ctx, s.ID); got.Status != content.SubscriberUnsubscribed {
		t.Errorf("after one click: %s", got.Status)
	}
	res, body := sendForm(t, base+"/unsubscribe?token=u.zz.0.forged", nil)
	if res.StatusCode != 400 || !strings.Contains(body, "damaged") {
		t.Errorf("a forged link: %d %s", res.StatusCode, body)
	}
}

// TestSubscribeFormsFollowTheNewsletter: with the newsletter on, a post and
// the footer carry a subscribe form; off, none shows and /subscribe says
// the newsletter is off.
func TestSubscribeFormsFollowTheNewsletter(t *testing.T) {
	db, base, _ := newsletterSite(t)
	posts, _, err := db.FindPosts(context.Background(), store.Published(db.Now()))
	if err != nil {
		t.Fatal(err)
	}
	_, body := get(t, base+posts[0].Path())
	if !strings.Contains(body, `id="subscribe-post"`) || !strings.Contains(body, `id="subscribe-footer"`) {
		t.Errorf("a post's page lacks the forms after the post and in the footer")
	}
	off := serve(t, storetest.Open(t, "sqlite"), site.DefaultTheme()).URL
	if _, body := get(t, off+"/"); strings.Contains(body, "subscribe-form") {
		t.Error("a subscribe form shows with the newsletter off")
	}
	res, body := sendForm(t, off+"/subscribe", url.Values{"email": {"reader@example.org"}})
	if res.StatusCode != 503 || !strings.Contains(body, "newsletter is off") {
		t.Errorf("subscribing with the newsletter off: %d %s", res.StatusCode, body)
	}
}
