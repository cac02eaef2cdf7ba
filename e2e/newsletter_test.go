package e2e

import (
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/browsertest"
	"github.com/broadsheet/broadsheet/internal/mailer/mailtest"
)

// TestNewsletter: a reader subscribes on the site, confirms through the
// mailed link, receives the story an editor publishes, and unsubscribes
// through the link at its foot; the pages keep to the site's CSP.
func TestNewsletter(t *testing.T) {
	mail := mailtest.Start(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := serverWith(t, "sqlite", nil, "--addr", addr, "--base-url", "http://"+addr, "--smtp", mail.URL())

	reader := browser(t)
	t.Cleanup(func() {
		if t.Failed() {
			screenshot(t, reader, "newsletter-failed.png")
		}
	})
	watchCSP(t, reader)
	run(t, reader, "subscribe",
		chromedp.Navigate(base+"/subscribe/"),
		chromedp.WaitVisible(chromedp.ID("subscribe-email")),
		chromedp.SendKeys(chromedp.ID("subscribe-email"), "reader@example.org"),
		chromedp.Submit(chromedp.ID("subscribe-email")),
		chromedp.WaitVisible(chromedp.ID("subscribe-sent")),
	)
	if v := cspViolations(t, reader); len(v) > 0 {
		t.Errorf("the subscribe pages break the CSP: %v", v)
	}
	confirm := waitMail(t, mail, "reader@example.org", 1)[0]
	link := regexp.MustCompile(`http://\S+/subscribe/confirm\?token=\S+`).FindString(confirm.Text)
	if link == "" {
		t.Fatalf("no confirmation link in %q", confirm.Text)
	}
	run(t, reader, "confirm",
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.ID("confirm-subscription")),
		chromedp.Click(chromedp.ID("confirm-subscription")),
		chromedp.WaitVisible(chromedp.ID("subscribe-confirmed")),
	)
	screenshot(t, reader, "newsletter-confirmed.png")

	ed := editorSession(t, base, "newsletter-editor-failed.png")
	run(t, ed, "publish a story",
		chromedp.Navigate(base+"/admin/posts"),
		chromedp.WaitVisible(chromedp.CSS(`#new-entry`)),
		chromedp.Click(chromedp.CSS(`#new-entry`)),
		chromedp.WaitVisible(chromedp.CSS(`#title`)),
		chromedp.SendKeys(chromedp.CSS(`#title`), "Ferry service resumes"),
		chromedp.Click(chromedp.CSS(`#mode-source`)),
		chromedp.WaitVisible(chromedp.CSS(`#body`)),
		chromedp.SendKeys(chromedp.CSS(`#body`), "The morning ferry sailed again today."),
		chromedp.Click(chromedp.ID("publish")),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	story := waitMail(t, mail, "reader@example.org", 2)[1]
	if !strings.Contains(story.Text, "Ferry service resumes") || !strings.Contains(story.HTML, "Ferry service resumes") {
		t.Fatalf("the story's message: %q", story.Text)
	}
	unsub := regexp.MustCompile(`<(http://[^>]+/unsubscribe\?token=[^>]+)>`).FindStringSubmatch(story.Header.Get("List-Unsubscribe"))
	if unsub == nil {
		t.Fatalf("List-Unsubscribe: %q", story.Header.Get("List-Unsubscribe"))
	}
	if _, err := url.Parse(unsub[1]); err != nil {
		t.Fatal(err)
	}
	run(t, reader, "unsubscribe",
		chromedp.Navigate(unsub[1]),
		chromedp.WaitVisible(chromedp.ID("unsubscribe")),
		chromedp.Click(chromedp.ID("unsubscribe")),
		chromedp.WaitVisible(chromedp.ID("subscribe-gone")),
	)
	if v := cspViolations(t, reader); len(v) > 0 {
		t.Errorf("the unsubscribe page breaks the CSP: %v", v)
	}

	// The newsletter's pages and forms pass axe-core, light and dark.
	t.Run("accessibility", func(t *testing.T) {
		axe := browsertest.LoadAxe(t, filepath.Join("node_modules", "axe-core", "axe.min.js"))
		for _, scheme := range []string{"light", "dark"} {
			run(t, reader, "emulate "+scheme, desktop.emulate(), colorScheme(scheme))
			for _, p := range []struct{ name, url, ready string }{
				{"front", base + "/", "#subscribe-footer"},
				{"subscribe", base + "/subscribe/", "#subscribe-email"},
				{"manage", unsub[1], "#unsubscribe"},
			} {
				run(t, reader, "open "+p.name, chromedp.Navigate(p.url), chromedp.WaitVisible(chromedp.CSS(p.ready)))
				checkPage(t, reader, axe, "site-newsletter-"+p.name+"-"+scheme, nil)
			}
			run(t, reader, "a bad address", chromedp.Navigate(base+"/subscribe/"), chromedp.WaitVisible(chromedp.ID("subscribe-email")),
				chromedp.SetValue(chromedp.ID("subscribe-email"), "nobody@nowhere"),
				chromedp.Submit(chromedp.ID("subscribe-email")), chromedp.WaitVisible(chromedp.ID("subscribe-error")))
			checkPage(t, reader, axe, "site-newsletter-mistake-"+scheme, nil)
		}
		run(t, ed, "light", desktop.emulate(), colorScheme("light"))
		signOut(t, ed)
		signIn(t, ed, base, "ada@example.org")
		run(t, ed, "open the newsletter's page", chromedp.Navigate(base+"/admin/newsletter"), chromedp.WaitVisible(chromedp.ID("subscribers")))
		checkPage(t, ed, axe, "admin-newsletter-desktop-light", nil)
	})
}

// waitMail waits (with a generous bound) until addr has received n messages.
func waitMail(t *testing.T, mail *mailtest.Server, addr string, n int) []mailtest.Message {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if got := mail.To(t, addr); len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s received %d messages, want %d", addr, len(mail.To(t, addr)), n)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
