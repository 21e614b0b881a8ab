package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"appstore/models"
	"appstore/models/postgres"
)

// An organization owner invites from the settings page; the invitee opens
// the mail in the development outbox, signs in, accepts and lands on the
// organization's page as a member.
func TestBrowserOrganizationInviteAccept(t *testing.T) {
	ctx := newBrowser(t)
	h, origin := serveHarnessOnLoopback(t, newTeamHarness)
	acme := orgID(t, h, "owner@acme.test", "Acme")
	newUser(t, h, "org-invitee@example.com")
	page := "/organizations/" + acme.String()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()

	// The page shows the result, then reloads itself with the invitation.
	err := chromedp.Do(ctx, steps(
		browserSignIn(origin, "owner@acme.test", page),
		chromedp.WaitVisible(`[data-testid=org-members]`),
		chromedp.SendKeys(`textarea[name=emails]`, "org-invitee@example.com"),
		chromedp.SetValue(`form[data-results] select[name=role]`, "admin"),
		noteShown(`[data-result=invited]`),
		navigates(chromedp.Click(`form[data-results] button[type=submit]`)),
		waitShown(`[data-result=invited]`),
		chromedp.WaitVisible(`[data-invitation="org-invitee@example.com"]`),
		browserSignOut(),
	)...)
	if err != nil {
		failShot(t, ctx, "org-invite", err)
	}

	waitForMail(t, h, "org-invitee@example.com", 1)
	err = chromedp.Do(ctx, steps(
		chromedp.Navigate(origin+"/dev/mail"),
		navigates(chromedp.Click(`[data-testid=outbox] a`)),
		chromedp.WaitVisible(`[data-testid=mail-body] a`),
		navigates(chromedp.Click(`[data-testid=mail-body] a`)),
		waitPath("/invitations/accept"),
		chromedp.WaitVisible(`[data-testid=accept-target]`),
		navigates(chromedp.Click(`[data-testid=accept] a.button`)), // signed out: "Sign in as ..."
		waitPath("/login"),
		chromedp.WaitVisible(`input[name=email]`),
		chromedp.SendKeys(`input[name=email]`, "org-invitee@example.com"),
		chromedp.SendKeys(`input[name=password]`, postgres.DemoPassword),
		navigates(chromedp.Click(`button[type=submit]`)),
		waitPath("/invitations/accept"),
		chromedp.WaitVisible(`[data-testid=accept] button[type=submit]`),
		navigates(chromedp.Click(`[data-testid=accept] button[type=submit]`)),
		waitPath(page),
		chromedp.WaitVisible(`[data-member="org-invitee@example.com"]`),
	)...)
	if err != nil {
		failShot(t, ctx, "org-accept", err)
	}
	role, err := h.store.OrganizationRole(context.Background(), acme, userID(t, h, "org-invitee@example.com"))
	if err != nil || role != models.OrgRoleAdmin {
		t.Fatalf("invitee's role = %q, %v; want admin", role, err)
	}
}
