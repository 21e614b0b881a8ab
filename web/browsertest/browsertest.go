// Package browsertest starts the headless Chromium of the browser tests,
// so api's page tests and web's runtime tests run the same browser with
// the same flags. Only tests import it.
package browsertest

import (
	"context"
	"os"
	"testing"

	"github.com/chromedp/chromedp"
)

// ChromiumPath is Debian's Chromium, installed by `make browser` and .ci/run.
const ChromiumPath = "/usr/bin/chromium"

// New starts headless Chromium for one test or benchmark and returns its
// tab's context, closed when tb ends. It skips with -short and fails when
// Chromium is missing rather than skipping, so a machine without it
// cannot pass the browser tests by not running them. Background
// networking is off: the test machines have no internet, and Chromium
// would keep trying.
func New(tb testing.TB) context.Context {
	tb.Helper()
	if testing.Short() {
		tb.Skip("browser test: skipped with -short")
	}
	if _, err := os.Stat(ChromiumPath); err != nil {
		tb.Fatalf("Chromium not found at %s: install it with `apt-get install -y chromium` (make browser and .ci/run do)", ChromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(ChromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	tb.Cleanup(func() { cancel(); cancelAlloc() })
	// The first action starts the browser, so a broken install fails here
	// rather than in the test's first step; callers set their own deadline.
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("start chromium: %v", err)
	}
	return ctx
}
