package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"appstore/api"
	"appstore/models"
)

// A developer promotes a development deployment from the Deployments tab
// and submits it; a reviewer claims it in the review console and rejects it
// with a reason from the catalogue; the developer sees the rejection and
// its reason on the tab and, live from the workflow, on the deployment page
// with a link to the run in the Temporal UI.
func TestBrowserPromoteSubmitReject(t *testing.T) {
	ctx := newBrowser(t)
	var f *reviewFixture
	h, origin := serveHarnessOnLoopback(t, func(t *testing.T, opts ...func(*api.Config)) *harness {
		opts = append(opts, func(c *api.Config) { c.TemporalUIURL, c.TemporalNamespace = "http://127.0.0.1:8233", "default" })
		f = newReviewFixture(t, opts...)
		return f.h
	})
	dev := f.deploy(t, map[string]any{})
	ctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()

	err := chromedp.Do(ctx, steps(
		chromedp.EmulateViewport(1280, 900),
		browserSignIn(origin, "dev@acme.test", "/apps/"+f.app.ID.String()+"/deployments"),
		chromedp.WaitVisible(`[data-testid=development-deployments]`),
		chromedp.WaitVisible(`[data-testid=no-production]`),
		chromedp.SendKeys(`tr[data-deployment="`+dev.String()+`"] input[name=release_notes]`, "First public release"),
		// Each action reloads the page: wait for the reloaded one, whose
		// scripts handle the next form.
		navigates(chromedp.Click(`tr[data-deployment="`+dev.String()+`"] [data-action=promote]`)),
		chromedp.WaitVisible(`tr[data-version="0.1.0"] [data-action=submit]`),
		navigates(chromedp.Click(`tr[data-version="0.1.0"] [data-action=submit]`)),
		chromedp.WaitVisible(`tr[data-version="0.1.0"] [data-action=withdraw]`),
		browserSignOut(),
	)...)
	if err != nil {
		failShot(t, ctx, "promote-submit", err)
	}
	err = chromedp.Do(ctx, steps(
		browserSignIn(origin, "reviewer@appstore.test", "/review"),
		chromedp.WaitVisible(`[data-testid=review-queue]`),
		navigates(chromedp.Click(`[data-action=claim]`)),
		chromedp.WaitVisible(`[data-action=approve]`),
		chromedp.Click(`[data-action=open-reject]`),
		chromedp.WaitVisible(`[data-testid=reject-form]`),
		chromedp.Click(`input[name=code][value=broken-ui]`),
		chromedp.SendKeys(`input[name=message-broken-ui]`, "The widget renders a blank panel."),
		chromedp.SendKeys(`input[name=field-broken-ui]`, "client_bundle"),
		navigates(chromedp.Click(`[data-action=reject]`)),
		chromedp.WaitVisible(`[data-testid=queue-empty]`),
		browserSignOut(),
	)...)
	if err != nil {
		failShot(t, ctx, "review-reject", err)
	}

	err = chromedp.Do(ctx, steps(
		browserSignIn(origin, "dev@acme.test", "/apps/"+f.app.ID.String()+"/deployments"),
		chromedp.WaitVisible(`[data-testid=rejection-reasons]`),
	)...)
	if err != nil {
		failShot(t, ctx, "rejected-tab", err)
	}
	row, err := chromedp.Run(ctx, chromedp.Text(`tr[data-version="0.1.0"]`))
	if err != nil || !strings.Contains(row, "rejected") || !strings.Contains(row, "The widget renders a blank panel.") || !strings.Contains(row, "Resubmit") {
		t.Fatalf("the rejected row reads %q (%v)", row, err)
	}
	prod, err := h.store.ProductionDeploymentOf(context.Background(), dev)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(origin+"/deployments/"+prod.ID.String()),
		chromedp.WaitVisible(`[data-testid=review-state]`),
	)
	if err != nil {
		failShot(t, ctx, "deployment-page", err)
	}
	live, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=live-status]`))
	reasons, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=review-state] [data-testid=rejection-reasons]`))
	link, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("[data-testid=temporal-link]").href`))
	if live != string(models.DeploymentRejected) || !strings.Contains(reasons, "broken-ui") ||
		link != "http://127.0.0.1:8233/namespaces/default/workflows/promotion-"+dev.String() {
		t.Fatalf("deployment page: live %q, reasons %q, link %q", live, reasons, link)
	}
	shot(t, ctx, "deployment-page")
}
