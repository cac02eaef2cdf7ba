package app_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/app"
	"github.com/broadsheet/broadsheet/internal/mailer/mailtest"
)

// TestServeRefusesABadSMTPAddress: a malformed --smtp or BROADSHEET_SMTP
// stops serve before it starts, saying what is wrong.
func TestServeRefusesABadSMTPAddress(t *testing.T) {
	code, _, errOut := run(t, "--data", t.TempDir(), "serve", "--addr", "127.0.0.1:0", "--smtp", "smtp://user:pw@mail.example.org:notaport")
	if code != 2 || !strings.Contains(errOut, "port") {
		t.Errorf("--smtp with a bad port: exit %d, %q", code, errOut)
	}
	var out, errb syncBuffer
	code = app.Run(context.Background(), []string{"--data", t.TempDir(), "serve"}, []string{"BROADSHEET_SMTP=mail.example.org"}, &out, &errb)
	if code != 2 || !strings.Contains(errb.String(), "BROADSHEET_SMTP") {
		t.Errorf("BROADSHEET_SMTP without a scheme: exit %d, %q", code, errb.String())
	}
}

// TestServeMailsThroughSMTP: serve given --smtp takes subscriptions and
// mails their confirmation through the server.
func TestServeMailsThroughSMTP(t *testing.T) {
	mail := mailtest.Start(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- app.Run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--smtp", mail.URL(), "--base-url", "http://broadsheet.test"}, nil, &out, &errb)
	}()
	t.Cleanup(func() { cancel(); <-done })
	addr := regexp.MustCompile(`serving on (http://\S+)/`)
	var base string
	for deadline := time.Now().Add(30 * time.Second); base == "" && time.Now().Before(deadline); {
		if m := addr.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case code := <-done:
			done <- code
			t.Fatalf("serve exited %d early:\n%s\n%s", code, out.String(), errb.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if base == "" {
		t.Fatalf("serve never said where it listens:\n%s", out.String())
	}
	res, err := http.PostForm(base+"/subscribe", url.Values{"email": {"reader@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "Check your inbox") {
		t.Fatalf("subscribe: %d %s", res.StatusCode, body)
	}
	got := mail.To(t, "reader@example.org")
	if len(got) != 1 || !strings.Contains(got[0].Text, "http://broadsheet.test/subscribe/confirm?token=") {
		t.Errorf("the confirmation: %+v", got)
	}
}
