package api_test

import (
	"context"
	"encoding/json"
	"fmt"
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
	"appstore/models/postgres"
	"appstore/web/browsertest"
)

// newBrowser starts headless Chromium for one test (browsertest.New,
// shared with web's runtime tests).
func newBrowser(t *testing.T) context.Context { return browsertest.New(t) }

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

// Waiting in the browser tests. A step that changes the page must be
// followed by a wait for something the step produces, never for something
// that was true before it: an element the old page also has is found at
// once, before the new page (or the script's answer) is there. The helpers
// below wait on state, with no timeout of their own: the test's context
// gives the one generous deadline.

// staleMark is the window property navigates sets on the page a step
// leaves. A new document never has it, so the old page cannot satisfy the
// wait, whether the step changes the URL or reloads the same one.
const staleMark = "__appstoreLeftPage"

// navigates runs trigger, steps that make the tab load another document (a
// link, a form post, a page script's location.assign or reload), and
// returns once a new document has replaced the current one and finished
// loading, so its deferred scripts (portal.js and the page's own) are
// running before the next step clicks or types.
func navigates(trigger ...step) step {
	all := []step{markPage()}
	all = append(all, trigger...)
	all = append(all, waitJS("a new page, loaded", `!window.`+staleMark+` && document.readyState === "complete"`))
	return chromedp.Steps(all...)
}

// markPage marks the current document as the one being left.
func markPage() step {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`window.`+staleMark+` = true`)(ctx, t)
		return err
	})
}

// waitJS waits until the JavaScript expression expr is true in the tab's
// current document. It outlasts navigations (each check reads whatever
// document is there), and a check that throws counts as false.
func waitJS(what, expr string) step {
	check := `(function () { try { return !!(` + expr + `); } catch (e) { return false; } })()`
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var last error
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			ok, err := chromedp.Evaluate[bool](check)(ctx, t)
			if err == nil && ok {
				return nil
			}
			if err != nil {
				last = err
			}
			select {
			case <-ctx.Done():
				if last != nil {
					return fmt.Errorf("waiting for %s: %w (last check: %v)", what, ctx.Err(), last)
				}
				return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
			case <-tick.C:
			}
		}
	})
}

// waitPath waits for a loaded document whose path is path.
func waitPath(path string) step {
	return waitJS("the page "+path, `location.pathname === `+jsString(path)+` && document.readyState === "complete"`)
}

// noteShown records, in the tab's sessionStorage (which outlives a reload),
// that an element matching sel became visible on the current page; waitShown
// waits for the record. It is for feedback a page shows just before it
// reloads itself, which a wait started later could miss.
func noteShown(sel string) step {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`(function (sel) {
			var key = "appstore-shown:" + sel;
			sessionStorage.removeItem(key);
			var seen = function () {
				var el = document.querySelector(sel);
				if (!el || !el.checkVisibility()) return false;
				sessionStorage.setItem(key, "1");
				return true;
			};
			if (!seen()) {
				var o = new MutationObserver(function () { if (seen()) o.disconnect(); });
				o.observe(document.documentElement, { subtree: true, childList: true, attributes: true });
			}
			return true;
		})(`+jsString(sel)+`)`)(ctx, t)
		return err
	})
}

func waitShown(sel string) step {
	return waitJS(sel+" shown", `sessionStorage.getItem(`+jsString("appstore-shown:"+sel)+`) === "1"`)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestBrowserSignInAndOut(t *testing.T) {
	ctx := newBrowser(t)
	_, origin := serveOnLoopback(t)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	// A wrong password shows the error on the page.
	err := chromedp.Do(ctx,
		chromedp.Navigate(origin+"/"),
		chromedp.WaitVisible(`input[name=email]`),
		chromedp.SendKeys(`input[name=email]`, "dev@acme.test"),
		chromedp.SendKeys(`input[name=password]`, "not-the-password"),
		navigates(chromedp.Click(`button[type=submit]`)),
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
		chromedp.SendKeys(`input[name=password]`, postgres.DemoPassword),
		navigates(chromedp.Click(`button[type=submit]`)),
		waitPath("/"),
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
	err = chromedp.Do(ctx, steps(
		browserSignOut(),
		chromedp.Navigate(origin+"/"),
		chromedp.WaitVisible(`input[name=email]`),
	)...)
	if err != nil {
		t.Fatalf("sign-out: %v", err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "/login") {
		t.Fatalf("after sign-out home went to %q (%v)", loc, err)
	}
}
