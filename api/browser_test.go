package api_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"appstore/api"
	"appstore/models"
)

// chromiumPath is Debian's Chromium, installed by .ci/run.
const chromiumPath = "/usr/bin/chromium"

// newBrowser starts headless Chromium for one test. Background networking
// is off: this machine has no internet, and Chromium would keep trying.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("Chromium not found at %s: install it with `apt-get install -y chromium` (.ci/run does)", chromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first Run starts the browser; give the whole test a deadline after.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// serveOnLoopback serves a harness on a real port whose origin is its BaseURL.
func serveOnLoopback(t *testing.T) (*harness, string) {
	t.Helper()
	return serveHarnessOnLoopback(t, newHarness)
}

func serveHarnessOnLoopback(t *testing.T, build func(*testing.T, ...func(*api.Config)) *harness) (*harness, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	origin := "http://" + l.Addr().String()
	h := build(t, func(c *api.Config) { c.BaseURL, _ = url.Parse(origin); c.DevMode = true })
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: h.server}}
	srv.Start()
	t.Cleanup(srv.Close)
	return h, origin
}

func TestBrowserSignInAndOut(t *testing.T) {
	ctx := newBrowser(t)
	_, origin := serveOnLoopback(t)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()

	// A wrong password shows the error on the page.
	err := chromedp.Do(ctx,
		chromedp.Navigate(origin+"/"),
		chromedp.WaitVisible(`input[name=email]`),
		chromedp.SendKeys(`input[name=email]`, "dev@acme.test"),
		chromedp.SendKeys(`input[name=password]`, "not-the-password"),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`[data-testid=login-error]`),
	)
	if err != nil {
		t.Fatalf("failed sign-in: %v", err)
	}
	msg, err := chromedp.Run(ctx, chromedp.Text(`[data-testid=login-error]`))
	if err != nil || !strings.Contains(msg, "incorrect") {
		t.Fatalf("error message %q, %v", msg, err)
	}

	// The right one lands on the home page listing the memberships.
	err = chromedp.Do(ctx,
		chromedp.SendKeys(`input[name=password]`, models.DemoPassword),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`[data-testid=organizations]`),
	)
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	orgs, err := chromedp.Run(ctx, chromedp.Text(`[data-testid=organizations]`))
	if err != nil || !strings.Contains(orgs, "Acme Sandbox") || !strings.Contains(strings.ToLower(orgs), "admin") {
		t.Fatalf("organizations %q, %v", orgs, err)
	}
	accounts, err := chromedp.Run(ctx, chromedp.Text(`[data-testid=developer-accounts]`))
	if err != nil || !strings.Contains(accounts, "acme-labs") {
		t.Fatalf("developer accounts %q, %v", accounts, err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil {
		os.WriteFile(filepath.Join(os.TempDir(), "appstore-home.png"), shot, 0o644)
	}

	// The session cookie is HTTP-only: page scripts cannot read it.
	cookieVisible, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.cookie.includes("`+api.SessionCookie+`")`))
	if err != nil || cookieVisible {
		t.Fatalf("session cookie visible to scripts (%v, %v)", cookieVisible, err)
	}

	// Sign out returns to the login page, and home asks for sign-in again.
	err = chromedp.Do(ctx,
		chromedp.Click(`form[action="/logout"] button`),
		chromedp.WaitVisible(`input[name=email]`),
		chromedp.Navigate(origin+"/"),
		chromedp.WaitVisible(`input[name=email]`),
	)
	if err != nil {
		t.Fatalf("sign-out: %v", err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "/login") {
		t.Fatalf("after sign-out home went to %q (%v)", loc, err)
	}
}
