package mailer_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"mime"
	"net/url"
	"os"
	"path/filepath"
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

// TestDKIMSigning signs messages with the key and selector given, for the
// sender's domain; a key that is not one is refused when the mailer is made.
func TestDKIMSigning(t *testing.T) {
	srv := mailtest.Start(t)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "dkim.pem")
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	cfg, err := config.ParseSMTP(srv.URL() + "&dkim_key=" + url.QueryEscape(keyFile) + "&dkim_selector=news2026")
	if err != nil {
		t.Fatal(err)
	}
	m, err := mailer.New(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(context.Background(), &mailer.Message{To: "signed@example.org", Subject: "Signed", Text: "Signed words."}); err != nil {
		t.Fatal(err)
	}
	got := srv.To(t, "signed@example.org")
	if len(got) != 1 {
		t.Fatalf("%d messages", len(got))
	}
	sig := got[0].Header.Get("Dkim-Signature")
	if !strings.Contains(sig, "d=broadsheet.example") || !strings.Contains(sig, "s=news2026") || !strings.Contains(sig, "b=") {
		t.Errorf("DKIM-Signature: %q", sig)
	}
	os.WriteFile(keyFile, []byte("not a key"), 0o600)
	if _, err := mailer.New(*cfg); err == nil || !strings.Contains(err.Error(), "DKIM key") {
		t.Errorf("a bad key: err = %v", err)
	}
}
