package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/app"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/mailer/mailtest"
	"github.com/broadsheet/broadsheet/internal/newsletter"
	"github.com/broadsheet/broadsheet/internal/store"
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

// TestNewsletterSurvivesKill9: a serve process killed outright (kill -9)
// in the middle of sending a story, and another started on the same
// database, mail each subscriber at most once and finish the send; only
// the batch in flight at the kill is missing until its claim runs out, when
// all of it but the message in doubt is queued again (store.TestSendsOfAStoppedBatch).
func TestNewsletterSurvivesKill9(t *testing.T) {
	mail := mailtest.Start(t)
	bin := opBuild(t)
	dir := t.TempDir()
	dsn := filepath.Join(dir, "site.db")
	const readers = 150
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.NewsletterKey(ctx); err != nil { // the newsletter has begun
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx *store.Tx) error {
		for i := range readers {
			s := &content.Subscriber{Email: fmt.Sprintf("reader%d@example.org", i), Status: content.SubscriberConfirmed}
			if _, err := tx.ImportSubscriber(ctx, s); err != nil {
				return err
			}
		}
		p := &content.Post{Kind: content.KindPost, Title: "Sent once", Slug: "sent-once", Status: content.StatusPublished,
			PublishedAt: time.Now().Add(time.Second).UTC().Truncate(time.Second),
			Format:      content.FormatHTML, Body: "<p>x</p>", BodyHTML: "<p>x</p>", TeaserHTML: "<p>x</p>"}
		return tx.CreatePost(ctx, p)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	smtp := "smtp://" + mail.Addr + "?from=news@broadsheet.example&rate=40"
	args := []string{"--data", dir, "--db", dsn, "--smtp", smtp, "--base-url", "https://broadsheet.example"}
	a := opSpawn(t, bin, args...)
	opEventually(t, func() string {
		if n := len(mail.Messages(t)); n < 30 {
			return fmt.Sprintf("the first server sent %d messages", n)
		}
		return ""
	})
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-a.done
	atKill := len(mail.Messages(t))
	if atKill >= readers {
		t.Fatalf("the send ended (%d messages) before the kill: slow it down", atKill)
	}
	opSpawn(t, bin, args...)
	opEventually(t, func() string {
		if n := len(mail.Messages(t)); n < readers-newsletterBatch {
			return fmt.Sprintf("after the restart: %d messages of %d", n, readers)
		}
		return ""
	})
	db, err = store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	opEventually(t, func() string {
		counts, err := db.SendCounts(ctx)
		if err != nil {
			return err.Error()
		}
		if counts[store.SendQueued] != 0 {
			return fmt.Sprintf("sends still queued: %v", counts)
		}
		return ""
	})
	per := map[string]int{}
	for _, m := range mail.Messages(t) {
		per[m.To]++
	}
	for addr, n := range per {
		if n > 1 {
			t.Errorf("%s received the story %d times", addr, n)
		}
	}
	if len(per) < readers-newsletterBatch {
		t.Errorf("%d of %d readers received the story; at most one batch (%d) may be lost to the kill", len(per), readers, newsletterBatch)
	}
	t.Logf("%d messages before the kill, %d readers reached in all", atKill, len(per))
}

// newsletterBatch is how many messages one claim holds (newsletter.Batch).
const newsletterBatch = newsletter.Batch
