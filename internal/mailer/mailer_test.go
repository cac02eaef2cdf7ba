package mailer_test

import (
	"context"
	"mime"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/config"
	"github.com/broadsheet/broadsheet/internal/mailer"
	"github.com/broadsheet/broadsheet/internal/mailer/mailtest"
)

func newMailer(t *testing.T, srv *mailtest.Server) *mailer.Mailer {
	t.Helper()
	cfg, err := config.ParseSMTP(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	m, err := mailer.New(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSendArrives sends a message with both bodies and the list headers
// through a real SMTP server and reads it back from its mailbox.
func TestSendArrives(t *testing.T) {
	srv := mailtest.Start(t)
	m := newMailer(t, srv)
	err := m.Send(context.Background(), &mailer.Message{
		To: "reader@example.org", Subject: "Morning edition — café",
		Text: "Plain words.", HTML: "<p>Rich <b>words</b>.</p>",
		MessageID: "post-7.reader-3@broadsheet.example", ListID: "The Daily <daily.broadsheet.example>",
		ListUnsubscribe: "https://broadsheet.example/unsubscribe/abc", UnsubscribeMailto: "mailto:news@broadsheet.example?subject=unsubscribe",
	})
	if err != nil {
		t.Fatal(err)
	}
	got := srv.To(t, "reader@example.org")
	if len(got) != 1 {
		t.Fatalf("received %d messages, want 1", len(got))
	}
	msg := got[0]
	h := msg.Header
	subject, _ := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	for name, want := range map[string]string{
		"From":                  "<news@broadsheet.example>",
		"Message-Id":            "<post-7.reader-3@broadsheet.example>",
		"List-Id":               "The Daily <daily.broadsheet.example>",
		"List-Unsubscribe":      "<https://broadsheet.example/unsubscribe/abc>, <mailto:news@broadsheet.example?subject=unsubscribe>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if subject != "Morning edition — café" {
		t.Errorf("subject %q", subject)
	}
	if !strings.Contains(msg.Text, "Plain words.") || !strings.Contains(msg.HTML, "<b>words</b>") {
		t.Errorf("bodies: text %q, html %q", msg.Text, msg.HTML)
	}
}

// TestRefusalsAreTold tells an address refused for good from one refused
// for now, and sends the rest of a batch past them.
func TestRefusalsAreTold(t *testing.T) {
	srv := mailtest.Start(t)
	m := newMailer(t, srv)
	errs := m.SendAll(context.Background(), []*mailer.Message{
		{To: "bounce@example.org", Subject: "a", Text: "a"},
		{To: "busy@example.org", Subject: "b", Text: "b"},
		{To: "fine@example.org", Subject: "c", Text: "c"},
	})
	if !mailer.Permanent(errs[0]) {
		t.Errorf("550: err = %v, want a permanent failure", errs[0])
	}
	if errs[1] == nil || mailer.Permanent(errs[1]) {
		t.Errorf("451: err = %v, want a temporary failure", errs[1])
	}
	if errs[2] != nil {
		t.Errorf("a good address after two refused: %v", errs[2])
	}
	if n := len(srv.To(t, "fine@example.org")); n != 1 {
		t.Errorf("fine@ received %d messages, want 1", n)
	}
}

// TestUnreachableServerIsTemporary fails every message of a batch for now
// when no server answers, so they are tried again later.
func TestUnreachableServerIsTemporary(t *testing.T) {
	cfg, err := config.ParseSMTP("smtp://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	m, err := mailer.New(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range m.SendAll(context.Background(), []*mailer.Message{{To: "a@example.org", Text: "x"}, {To: "b@example.org", Text: "y"}}) {
		if err == nil || mailer.Permanent(err) {
			t.Errorf("err = %v, want a temporary failure", err)
		}
	}
}
