package api_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"appstore/models/postgres"
)

// browserSignIn signs in through the login page and waits for the next page.
func browserSignIn(origin, email, next string) []step {
	return browserSignInWith(origin, email, postgres.DemoPassword, next)
}

// browserSignOut signs out and waits for the login page it lands on.
func browserSignOut() []step {
	return []step{
		navigates(chromedp.Click(`form[action="/logout"] button`)),
		waitPath("/login"),
		chromedp.WaitVisible(`input[name=email]`),
	}
}

type step = chromedp.Action[chromedp.Void]

// steps flattens single steps and step lists into one sequence for Do.
func steps(parts ...any) []step {
	var out []step
	for _, p := range parts {
		switch v := p.(type) {
		case step:
			out = append(out, v)
		case []step:
			out = append(out, v...)
		default:
			panic("steps: not a chromedp step")
		}
	}
	return out
}

// An admin invites by email; the invitee opens the mail in the development
// outbox, signs in, accepts; another member's team page shows them.
func TestBrowserInviteAcceptShowsOnTeamPage(t *testing.T) {
	ctx := newBrowser(t)
	h, origin := serveHarnessOnLoopback(t, newTeamHarness)
	tm := newTeam(t, h)
	newUser(t, h, "browser-invitee@example.com")
	team := "/developer-accounts/" + tm.acme.String()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()

	// The page shows the result, then reloads itself with the invitation.
	err := chromedp.Do(ctx, steps(
		browserSignIn(origin, "dev@acme.test", team),
		chromedp.WaitVisible(`[data-testid=members]`),
		chromedp.SendKeys(`textarea[name=emails]`, "browser-invitee@example.com"),
		noteShown(`[data-result=invited]`),
		navigates(chromedp.Click(`form[data-results] button[type=submit]`)),
		waitShown(`[data-result=invited]`),
		chromedp.WaitVisible(`[data-invitation="browser-invitee@example.com"]`),
		browserSignOut(),
	)...)
	if err != nil {
		failShot(t, ctx, "invite", err)
	}

	// The Invitation workflow mails the link; open it from the outbox.
	waitForMail(t, h, "browser-invitee@example.com", 1)
	err = chromedp.Do(ctx, steps(
		chromedp.Navigate(origin+"/dev/mail"),
		navigates(chromedp.Click(`[data-testid=outbox] a`)),
		chromedp.WaitVisible(`[data-testid=mail-body] a`),
		navigates(chromedp.Click(`[data-testid=mail-body] a`)),
		waitPath("/invitations/accept"),
		chromedp.WaitVisible(`[data-testid=accept] a.button`), // signed out: "Sign in as ..."
		navigates(chromedp.Click(`[data-testid=accept] a.button`)),
		waitPath("/login"),
		chromedp.WaitVisible(`input[name=email]`),
		chromedp.SendKeys(`input[name=email]`, "browser-invitee@example.com"),
		chromedp.SendKeys(`input[name=password]`, postgres.DemoPassword),
		navigates(chromedp.Click(`button[type=submit]`)),
		waitPath("/invitations/accept"),
		chromedp.WaitVisible(`[data-testid=accept] button[type=submit]`),
		navigates(chromedp.Click(`[data-testid=accept] button[type=submit]`)),
		waitPath(team),
		chromedp.WaitVisible(`[data-member="browser-invitee@example.com"]`),
		browserSignOut(),
	)...)
	if err != nil {
		failShot(t, ctx, "accept", err)
	}

	// Another member's team page, and their portal navigation, are fresh.
	err = chromedp.Do(ctx, steps(
		browserSignIn(origin, "member@acme.test", team),
		chromedp.WaitVisible(`[data-testid=members]`),
	)...)
	if err != nil {
		t.Fatalf("member's team page: %v", err)
	}
	members, err := chromedp.Run(ctx, chromedp.Text(`[data-testid=members]`))
	if err != nil || !strings.Contains(members, "browser-invitee@example.com") {
		t.Fatalf("member's team page lacks the new member: %q (%v)", members, err)
	}
}

// failShot fails the test, saving a screenshot and the page's URL and text
// so a browser failure can be seen rather than guessed.
func failShot(t *testing.T, ctx context.Context, step string, err error) {
	t.Helper()
	shotCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(shotCtx, chromedp.Location())
	text, _ := chromedp.Run(shotCtx, chromedp.Text("body"))
	if png, serr := chromedp.Run(shotCtx, chromedp.FullScreenshot(100)); serr == nil {
		path := filepath.Join(os.TempDir(), "appstore-"+step+".png")
		os.WriteFile(path, png, 0o644)
		t.Logf("screenshot: %s", path)
	}
	t.Fatalf("%s: %v\nat %s\n%s", step, err, loc, text)
}
