// Command newsletter measures a newsletter send: -n confirmed subscribers
// (10,000 by default) on a fresh SQLite site, one story published, and the
// newsletter's round (queue the story, render each message, send them over
// SMTP, record each outcome) against a local SMTP server that discards
// what it receives (Debian's aiosmtpd, package python3-aiosmtpd). It prints
// messages a second and memory beside a baseline measured in the same run:
// the mailer alone sending ready-made messages to the same server.
//
//	go run ./bench/newsletter [-n 10000] [-baseline 1000]
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
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

func main() {
	n := flag.Int("n", 10000, "confirmed subscribers the story goes to")
	baseline := flag.Int("baseline", 1000, "messages the mailer alone sends, for the baseline")
	flag.Parse()
	if *n < 1 || *baseline < 1 {
		fmt.Fprintln(os.Stderr, "newsletter: -n and -baseline must be at least 1")
		os.Exit(2)
	}
	if err := run(*n, *baseline); err != nil {
		fmt.Fprintln(os.Stderr, "newsletter:", err)
		os.Exit(1)
	}
}

func run(n, baseline int) error {
	if why := mailtest.Available(); why != "" {
		return fmt.Errorf("no SMTP server to send to: %s", why)
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "broadsheet-bench-newsletter-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	srv, stop, err := mailtest.Run(dir, true)
	if err != nil {
		return err
	}
	defer stop()
	cfg, err := config.ParseSMTP("smtp://" + srv.Addr + "?from=news@bench.example&rate=100000")
	if err != nil {
		return err
	}
	m, err := mailer.New(*cfg)
	if err != nil {
		return err
	}

	// Baseline: the mailer alone, ready-made messages, batches as the newsletter sends.
	msgs := make([]*mailer.Message, baseline)
	for i := range msgs {
		msgs[i] = &mailer.Message{To: fmt.Sprintf("base%d@bench.example", i), Subject: "Baseline", Text: strings.Repeat("Words. ", 200),
			HTML: "<p>" + strings.Repeat("Words. ", 200) + "</p>", ListUnsubscribe: "https://bench.example/unsubscribe?token=x"}
	}
	start := time.Now()
	for i := 0; i < len(msgs); i += newsletter.Batch {
		for _, err := range m.SendAll(ctx, msgs[i:min(i+newsletter.Batch, len(msgs))]) {
			if err != nil {
				return fmt.Errorf("baseline send: %w", err)
			}
		}
	}
	baseRate := float64(baseline) / time.Since(start).Seconds()

	db, err := store.Open(ctx, filepath.Join(dir, "site.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	ed := &content.User{Name: "Eda Editor", Email: "eda@bench.example", Role: content.RoleEditor}
	start = time.Now()
	if err := db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CreateAccount(ctx, ed, "eda", "x"); err != nil {
			return err
		}
		for i := range n {
			s := &content.Subscriber{Email: fmt.Sprintf("reader%d@bench.example", i), Status: content.SubscriberConfirmed}
			if _, err := tx.ImportSubscriber(ctx, s); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	importTook := time.Since(start)
	news, err := newsletter.New(newsletter.Config{DB: db, Mail: m, Theme: site.DefaultTheme(), BaseURL: "https://bench.example",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	if err := news.Run(ctx); err != nil { // the newsletter starts
		return err
	}
	title := "The budget, line by line"
	body := strings.Repeat("A paragraph of the story, long enough to be a real one. ", 20) + "\n\n<!--more-->\n\nThe rest."
	st := content.StatusPublished
	if _, err := (&editorial.Service{DB: db}).Create(ctx, ed, editorial.Input{Title: &title, Body: &body, Status: &st}); err != nil {
		return err
	}
	runtime.GC()
	hwmBefore := vmHWM()
	var peakHeap atomic.Uint64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peakHeap.Load() {
				peakHeap.Store(ms.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	start = time.Now()
	if err := news.Run(ctx); err != nil {
		return err
	}
	took := time.Since(start)
	close(done)
	counts, err := db.SendCounts(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("Newsletter send to %d subscribers (SQLite, aiosmtpd discarding on %s, %d CPUs)\n", n, srv.Addr, runtime.NumCPU())
	fmt.Printf("  %d subscribers stored in %s\n", n, importTook.Round(time.Millisecond))
	fmt.Printf("  baseline, the mailer alone (%d ready-made messages): %8.0f messages/s\n", baseline, baseRate)
	fmt.Printf("  newsletter (queue, render, send, record):            %8.0f messages/s, %s in all\n",
		float64(counts[store.SendSent])/took.Seconds(), took.Round(time.Millisecond))
	fmt.Printf("  sent %d, failed %d, waiting %d\n", counts[store.SendSent], counts[store.SendFailed], counts[store.SendQueued])
	fmt.Printf("  peak Go heap during the send: %d MB; process peak RSS %d MB (%d MB before the send)\n",
		peakHeap.Load()>>20, vmHWM()>>20, hwmBefore>>20)
	if counts[store.SendSent] != n {
		return fmt.Errorf("%d of %d messages sent", counts[store.SendSent], n)
	}
	return nil
}

// vmHWM is the process's peak resident memory in bytes (Linux), 0 elsewhere.
func vmHWM() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
