package newsletter_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/config"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/mailer"
	"github.com/broadsheet/broadsheet/internal/mailer/mailtest"
	"github.com/broadsheet/broadsheet/internal/newsletter"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
)

var ctx = context.Background()

// world is a publication with its newsletter mailing through a real SMTP
// server, on a SQLite file that a second "server" may open too.
type world struct {
	t     *testing.T
	path  string
	db    *store.DB
	mail  *mailtest.Server
	news  *newsletter.Service
	now   time.Time
	clock sync.Mutex
	ed    *content.User
	svc   *editorial.Service
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, mail: mailtest.Start(t), path: filepath.Join(t.TempDir(), "site.db"),
		now: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)} // a Wednesday
	w.db, w.news = w.open()
	w.svc = &editorial.Service{DB: w.db}
	w.ed = &content.User{Name: "Eda Editor", Email: "eda@example.org", Role: content.RoleEditor}
	w.update(func(tx *store.Tx) error {
		if err := tx.CreateAccount(ctx, w.ed, "eda", "x"); err != nil {
			return err
		}
		for _, name := range []string{"World", "Sport"} {
			if err := tx.CreateTerm(ctx, &content.Term{Taxonomy: content.TaxCategory, Name: name, Slug: strings.ToLower(name)}); err != nil {
				return err
			}
		}
		s, err := tx.LoadSettings(ctx)
		if err != nil {
			return err
		}
		s.Title, s.TimeZone = "The Gazette", "Africa/Lagos"
		return tx.SaveSettings(ctx, s)
	})
	// The newsletter starts now: what was published before is not mailed.
	if err := w.news.Run(ctx); err != nil {
		t.Fatal(err)
	}
	w.tick(time.Minute)
	return w
}

// open opens the site's database and newsletter, as a server does.
func (w *world) open() (*store.DB, *newsletter.Service) {
	w.t.Helper()
	db, err := store.Open(ctx, w.path)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { w.clock.Lock(); defer w.clock.Unlock(); return w.now }
	cfg, err := config.ParseSMTP(w.mail.URL())
	if err != nil {
		w.t.Fatal(err)
	}
	m, err := mailer.New(*cfg)
	if err != nil {
		w.t.Fatal(err)
	}
	news, err := newsletter.New(newsletter.Config{DB: db, Mail: m, Theme: site.DefaultTheme(), BaseURL: "https://gazette.example",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		w.t.Fatal(err)
	}
	return db, news
}

func (w *world) tick(d time.Duration) {
	w.clock.Lock()
	w.now = w.now.Add(d)
	w.clock.Unlock()
}

func (w *world) update(fn func(tx *store.Tx) error) {
	w.t.Helper()
	if err := w.db.Update(ctx, fn); err != nil {
		w.t.Fatal(err)
	}
}

// reader adds a subscriber in the given status.
func (w *world) reader(email string, status content.SubscriberStatus, f content.Frequency, sections ...string) *content.Subscriber {
	w.t.Helper()
	s := &content.Subscriber{Email: email, Status: status, Frequency: f, Sections: sections}
	w.update(func(tx *store.Tx) error { _, err := tx.ImportSubscriber(ctx, s); return err })
	return s
}

func (w *world) publish(title string, categories []string, src *content.Source) *editorial.Entry {
	w.t.Helper()
	body := "The first paragraph of " + title + ", from [our desk](/about/).\n\n<!--more-->\n\nThe rest."
	st := content.StatusPublished
	e, err := w.svc.Create(ctx, w.ed, editorial.Input{Title: &title, Body: &body, Status: &st, Categories: &categories, Source: src})
	if err != nil {
		w.t.Fatal(err)
	}
	return e
}

func (w *world) run() {
	w.t.Helper()
	if err := w.news.Run(ctx); err != nil {
		w.t.Fatal(err)
	}
}

// TestPostGoesOnceToEachSubscriber: a post published goes, once, to every
// confirmed subscriber of every story following one of its sections, in
// HTML and plain text with the republished article's attribution and the
// list's headers; not to those waiting, unsubscribed, on a digest or
// following other sections; editing it later sends nothing.
func TestPostGoesOnceToEachSubscriber(t *testing.T) {
	w := newWorld(t)
	w.reader("all@example.org", content.SubscriberConfirmed, content.EveryStory)
	w.reader("world@example.org", content.SubscriberConfirmed, content.EveryStory, "world")
	w.reader("sport@example.org", content.SubscriberConfirmed, content.EveryStory, "sport")
	w.reader("waiting@example.org", content.SubscriberPending, content.EveryStory)
	w.reader("gone@example.org", content.SubscriberUnsubscribed, content.EveryStory)
	w.reader("daily@example.org", content.SubscriberConfirmed, content.DailyDigest)
	e := w.publish("Harbour reopens", []string{"World"}, &content.Source{Name: "Coast Times", URL: "https://coast.example/harbour", Author: "Ama Mensah"})
	w.run()
	w.run()
	// An edit later is not a new story.
	title, ver := "Harbour reopens at last", e.Version
	if _, err := w.svc.Update(ctx, w.ed, e.ID, editorial.Input{Title: &title, Version: &ver}); err != nil {
		t.Fatal(err)
	}
	w.tick(time.Minute)
	w.run()
	for addr, want := range map[string]int{"all@example.org": 1, "world@example.org": 1, "sport@example.org": 0,
		"waiting@example.org": 0, "gone@example.org": 0, "daily@example.org": 0} {
		if got := len(w.mail.To(t, addr)); got != want {
			t.Errorf("%s received %d messages, want %d", addr, got, want)
		}
	}
	got := w.mail.To(t, "world@example.org")
	if len(got) != 1 {
		t.FailNow()
	}
	m := got[0]
	unsub := m.Header.Get("List-Unsubscribe")
	if !strings.HasPrefix(unsub, "<https://gazette.example/unsubscribe?token=") || !strings.Contains(unsub, "<mailto:news@broadsheet.example?subject=unsubscribe>") {
		t.Errorf("List-Unsubscribe: %q", unsub)
	}
	for name, want := range map[string]string{
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"List-Id":               "<newsletter.gazette.example>",
	} {
		if got := m.Header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if id := m.Header.Get("Message-Id"); !strings.HasSuffix(id, "@gazette.example>") || !strings.Contains(id, "post-") {
		t.Errorf("Message-ID %q", id)
	}
	for _, part := range []string{m.Text, m.HTML} {
		if !strings.Contains(part, "Harbour reopens") || !strings.Contains(part, "Coast Times") || !strings.Contains(part, "Ama Mensah") ||
			!strings.Contains(part, "https://gazette.example/2026/12/02/harbour-reopens/") || !strings.Contains(part, "/unsubscribe?token=") {
			t.Errorf("a part lacks the story, its attribution, its address or the unsubscribe link:\n%s", part)
		}
	}
	if strings.Contains(m.HTML, "<img") {
		t.Errorf("the message carries an image (a tracking pixel?): %s", m.HTML)
	}
	if !strings.Contains(m.HTML, `<a href="https://gazette.example/about/">our desk</a>`) {
		t.Errorf("the teaser's link is not made absolute for mail:\n%s", m.HTML)
	}
}

// TestSeveralServersSendOnce: two servers on one database running the
// newsletter at once mail each subscriber once.
func TestSeveralServersSendOnce(t *testing.T) {
	w := newWorld(t)
	for _, a := range []string{"a@example.org", "b@example.org", "c@example.org", "d@example.org", "e@example.org"} {
		w.reader(a, content.SubscriberConfirmed, content.EveryStory)
	}
	_, other := w.open()
	w.publish("Budget passes", nil, nil)
	var wg sync.WaitGroup
	for _, n := range []*newsletter.Service{w.news, other, w.news, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := n.Run(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := len(w.mail.Messages(t)); got != 5 {
		t.Errorf("%d messages for 5 subscribers", got)
	}
}

// TestRefusedAddresses: an address refused for good is marked bounced and
// mailed no more; one refused for now is tried again later, after a wait.
func TestRefusedAddresses(t *testing.T) {
	w := newWorld(t)
	bounce := w.reader("bounce@example.org", content.SubscriberConfirmed, content.EveryStory)
	w.reader("busy@example.org", content.SubscriberConfirmed, content.EveryStory)
	w.publish("First", nil, nil)
	w.run()
	if s, _ := w.db.FindSubscriber(ctx, bounce.ID); s.Status != content.SubscriberBounced || !strings.Contains(s.Failure, "550") {
		t.Errorf("the refused address: %+v", s)
	}
	counts, _ := w.db.SendCounts(ctx)
	if counts[store.SendQueued] != 1 || counts[store.SendFailed] != 1 {
		t.Errorf("after the first try: %v, want the busy one queued again and the bounce failed", counts)
	}
	w.run() // too early: nothing is tried
	w.tick(2 * time.Minute)
	w.run()
	sends, _ := w.db.ClaimSends(ctx, 10, time.Minute)
	if len(sends) != 0 {
		t.Errorf("due sends left: %+v", sends)
	}
	w.tick(10 * time.Minute)
	sends, _ = w.db.ClaimSends(ctx, 10, time.Minute)
	if len(sends) != 1 || sends[0].Attempts != 2 {
		t.Errorf("the busy address after two tries: %+v", sends)
	}
	w.publish("Second", nil, nil)
	w.run()
	if n, _ := w.db.SendsOfEdition(ctx, "post:"+strconv.FormatInt(sends[0].PostID+1, 10)); n[store.SendSent]+n[store.SendQueued]+n[store.SendFailed] != 1 {
		t.Errorf("the second post's sends: %v, want one (the bounced address is left out)", n)
	}
}

// TestDigests: after a day ends in the site's zone, each daily subscriber
// gets one message listing the day's stories in their sections.
func TestDigests(t *testing.T) {
	w := newWorld(t)
	w.reader("daily@example.org", content.SubscriberConfirmed, content.DailyDigest)
	w.reader("sportfan@example.org", content.SubscriberConfirmed, content.DailyDigest, "sport")
	w.publish("Morning story", []string{"World"}, nil)
	w.tick(time.Hour)
	w.publish("Noon story", []string{"World"}, nil)
	w.run()
	if n := len(w.mail.Messages(t)); n != 0 {
		t.Fatalf("%d messages before the day ended", n)
	}
	// 2 December ends at 23:00 UTC in Lagos (UTC+1).
	w.tick(13*time.Hour + 5*time.Minute)
	w.run()
	w.run()
	got := w.mail.To(t, "daily@example.org")
	if len(got) != 1 {
		t.Fatalf("daily@ received %d digests, want 1", len(got))
	}
	for _, want := range []string{"Morning story", "Noon story", "Wednesday 2 December 2026"} {
		if !strings.Contains(got[0].Text, want) || !strings.Contains(got[0].HTML, want) {
			t.Errorf("the digest lacks %q:\n%s", want, got[0].Text)
		}
	}
	if n := len(w.mail.To(t, "sportfan@example.org")); n != 0 {
		t.Errorf("a reader of sport got a digest with no sport: %d", n)
	}
}

// TestListsRoundTrip: each export format reads back as it was written,
// statuses and names included.
func TestListsRoundTrip(t *testing.T) {
	subs := []*content.Subscriber{
		{Email: "a@example.org", Name: "Ada Obi", Status: content.SubscriberConfirmed, CreatedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)},
		{Email: "b@example.org", Name: "=HYPERLINK(1)", Status: content.SubscriberUnsubscribed},
	}
	for _, f := range newsletter.ExportFormats {
		var b strings.Builder
		if err := newsletter.WriteList(&b, f, subs); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), ",=HYPERLINK") {
			t.Errorf("%s: a name is written as a spreadsheet formula", f)
		}
		format, got, problems, err := newsletter.ReadList(strings.NewReader(b.String()))
		if err != nil || format != f || len(problems) != 0 || len(got) != 2 {
			t.Fatalf("%s read back: %s %v %v %v", f, format, got, problems, err)
		}
		if got[0].Status != content.SubscriberConfirmed || got[1].Status != content.SubscriberUnsubscribed || !got[0].CreatedAt.Equal(subs[0].CreatedAt) {
			t.Errorf("%s read back: %+v %+v", f, got[0], got[1])
		}
		if f != newsletter.FormatSubstack && got[0].Name != "Ada Obi" {
			t.Errorf("%s: name %q", f, got[0].Name)
		}
	}
}
