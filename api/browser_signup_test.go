package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A newcomer signs up, follows the verification mail, and creates an
// organization, all in a real browser.
func TestBrowserSignUpVerifyCreateOrganization(t *testing.T) {
	ctx := newBrowser(t)
	h, origin := serveHarnessOnLoopback(t, newTeamHarness)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()

	// The login page has a password field too: wait for the signup page.
	err := chromedp.Do(ctx,
		chromedp.Navigate(origin+"/login"),
		navigates(chromedp.Click(`a[href="/signup"]`)),
		waitPath("/signup"),
		chromedp.WaitVisible(`input[name=password]`),
		chromedp.SendKeys(`input[name=name]`, "Bea Browser"),
		chromedp.SendKeys(`input[name=email]`, "bea@example.com"),
		chromedp.SendKeys(`input[name=password]`, "a long enough passphrase"),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`[data-success-message]`),
	)
	if err != nil {
		failShot(t, ctx, "signup", err)
	}
	waitForLink(t, h, "bea@example.com", 1, verifyLink)

	// Signed in but unverified: the banner says so and creating waits.
	err = chromedp.Do(ctx, steps(
		browserSignInWith(origin, "bea@example.com", "a long enough passphrase", "/organizations"),
		chromedp.WaitVisible(`[data-testid=verify-banner]`),
		chromedp.Navigate(origin+"/dev/mail"),
		navigates(chromedp.Click(`[data-testid=outbox] a`)),
		chromedp.WaitVisible(`[data-testid=mail-body] a`),
	)...)
	if err != nil {
		failShot(t, ctx, "open-mail", err)
	}
	// Follow the link by navigating to it, so the next steps run on the
	// loaded verification page and not on a document being replaced.
	link, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("[data-testid=mail-body] a").href`))
	if err != nil {
		t.Fatalf("verification link: %v", err)
	}
	err = chromedp.Do(ctx, steps(
		chromedp.Navigate(link),
		chromedp.WaitVisible(`form[data-api-url="/api/v1/auth/verify-email"] button`),
		chromedp.Click(`form[data-api-url="/api/v1/auth/verify-email"] button`),
		chromedp.WaitVisible(`[data-testid=verified]`),
		chromedp.Navigate(origin+"/organizations"),
		chromedp.WaitVisible(`form[data-api-url="/api/v1/organizations"] input[name=name]`),
		chromedp.SendKeys(`form[data-api-url="/api/v1/organizations"] input[name=name]`, "Bea's Bakery"),
		navigates(chromedp.Click(`form[data-api-url="/api/v1/organizations"] button`)),
		waitJS("the new organization's page", `/^\/organizations\/[0-9a-f-]{36}$/.test(location.pathname)`),
		chromedp.WaitVisible(`[data-testid=org-members]`),
	)...)
	if err != nil {
		failShot(t, ctx, "verify-create-org", err)
	}
	title, err := chromedp.Run(ctx, chromedp.Text(`main h1`))
	if err != nil || title != "Bea's Bakery" {
		t.Fatalf("organization page title %q (%v)", title, err)
	}
	members, err := chromedp.Run(ctx, chromedp.Text(`[data-testid=org-members]`))
	if err != nil || !strings.Contains(members, "bea@example.com") || !strings.Contains(strings.ToLower(members), "owner") {
		t.Fatalf("members %q (%v)", members, err)
	}
	// The switcher in the layout lists the new organization.
	switcher, err := chromedp.Run(ctx, chromedp.Text(`[data-testid=org-switcher]`))
	if err != nil || !strings.Contains(switcher, "Bea's Bakery") {
		t.Fatalf("organization switcher %q (%v)", switcher, err)
	}
}

// browserSignInWith signs in through the login page and waits for the
// next page, loaded, at next.
func browserSignInWith(origin, email, password, next string) []step {
	return []step{
		chromedp.Navigate(origin + "/login?next=" + urlEscape(next)),
		chromedp.WaitVisible(`input[name=email]`),
		chromedp.SendKeys(`input[name=email]`, email),
		chromedp.SendKeys(`input[name=password]`, password),
		navigates(chromedp.Click(`button[type=submit]`)),
		waitJS("the page "+next+" after signing in", `location.pathname + location.search === `+jsString(next)),
		chromedp.WaitVisible(`[data-testid=current-user]`),
	}
}
