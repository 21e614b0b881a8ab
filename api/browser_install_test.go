package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// An owner reads the consent page, installs, lands on the organization's
// apps with the new one highlighted and its Open App link, then
// uninstalls it after confirming.
func TestBrowserInstallAndUninstall(t *testing.T) {
	ctx := newBrowser(t)
	h, origin := serveHarnessOnLoopback(t, newTeamHarness)
	f := newInstallFixtureOn(t, h)
	consent := "/organizations/" + f.acme.String() + "/install/" + f.app.Slug
	apps := "/organizations/" + f.acme.String() + "/apps"
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	err := chromedp.Do(ctx, steps(
		browserSignIn(origin, "owner@acme.test", consent),
		chromedp.WaitVisible(`[data-testid=scopes]`),
		navigates(chromedp.Click(`form[data-testid=install] button[type=submit]`)),
		waitJS("the apps page after the install", `location.pathname === `+jsString(apps)+` && new URLSearchParams(location.search).has("installed")`),
		chromedp.WaitVisible(`[data-testid=installed-apps] tr.highlight [data-testid=open-app]`),
	)...)
	if err != nil {
		failShot(t, ctx, "install", err)
	}
	evaluate(t, ctx, `window.confirm = function () { return true; }; true`)
	// The page reloads after the uninstall: wait for the reloaded one.
	err = chromedp.Do(ctx, steps(
		navigates(chromedp.Click(`form[data-testid=uninstall] button`)),
		chromedp.WaitVisible(`p.empty`),
	)...)
	if err != nil {
		failShot(t, ctx, "uninstall", err)
	}
}
