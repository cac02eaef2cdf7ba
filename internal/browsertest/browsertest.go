// Package browsertest starts Debian's Chromium, headless, for browser tests
// driven with chromedp. Without Chromium a test skips, saying why, unless
// the environment requires every suite (as CI does), when it fails.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// Start starts a fresh headless Chromium for the test, stopped when it
// ends, and returns its context. limit bounds the whole browser session,
// so a broken page fails the test instead of hanging it; it is not a
// measure of speed. extra adds allocator options (a window size, say).
func Start(t testing.TB, limit time.Duration, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv(storetest.RequireAllEnv) != "" {
			t.Fatalf("chromium is not installed, but %s requires the browser suites", storetest.RequireAllEnv)
		}
		t.Skip("chromium is not installed (Debian package chromium): browser test skipped")
	}
	// The flags keep Chromium from reaching for the network on its own
	// (updates, sync), which a closed machine refuses many times over.
	opts := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	}, extra...)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, limit)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}
