package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"appstore/api"
)

// Acme's owner opens the marketplace from the top nav, searches, filters by
// category, opens an app and finds an Install button for each organization
// they administer.
func TestBrowserMarketplace(t *testing.T) {
	ctx := newBrowser(t)
	_, origin := serveHarnessOnLoopback(t, func(t *testing.T, opts ...func(*api.Config)) *harness {
		h := newHarness(t, opts...)
		withEncryption(t, h)
		if _, err := h.store.SeedCatalog(context.Background(), catalogURLs); err != nil {
			t.Fatalf("seed catalog: %v", err)
		}
		return h
	})
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	// customer-service is on the unfiltered page too: wait for the results
	// page, with the query in its URL and its search box, before counting.
	err := chromedp.Do(ctx, steps(
		browserSignIn(origin, "owner@acme.test", "/"),
		navigates(chromedp.Click(`[data-testid=marketplace-link]`)),
		waitPath("/marketplace"),
		chromedp.WaitVisible(`[data-testid=marketplace-apps] [data-app=crm]`),
		chromedp.SendKeys(`[data-testid=marketplace-search] input[name=q]`, "shared inbox"),
		navigates(chromedp.Click(`[data-testid=marketplace-search] button`)),
		waitJS("the results of “shared inbox”", `location.pathname === "/marketplace" &&
			new URLSearchParams(location.search).get("q") === "shared inbox" &&
			document.querySelector("[data-testid=marketplace-search] input[name=q]").value === "shared inbox"`),
		chromedp.WaitVisible(`[data-testid=marketplace-apps] [data-app=customer-service]`),
	)...)
	if err != nil {
		failShot(t, ctx, "marketplace-search", err)
	}
	evaluate(t, ctx, `document.querySelectorAll('[data-testid=marketplace-apps] [data-app]').length === 1`)
	shot(t, ctx, "marketplace-search")

	err = chromedp.Do(ctx, steps(
		chromedp.Navigate(origin+"/marketplace"),
		chromedp.WaitVisible(`[data-testid=categories] [data-category=analytics]`),
		navigates(chromedp.Click(`[data-testid=categories] [data-category=analytics]`)),
		waitJS("the analytics category", `location.pathname === "/marketplace" && new URLSearchParams(location.search).get("category") === "analytics"`),
		chromedp.WaitVisible(`[data-testid=categories] [data-category=analytics][aria-current=page]`),
	)...)
	if err != nil {
		failShot(t, ctx, "marketplace-category", err)
	}
	evaluate(t, ctx, `[...document.querySelectorAll('[data-testid=marketplace-apps] [data-app]')].map(e => e.dataset.app).join() === 'analytics'`)
	shot(t, ctx, "marketplace")

	err = chromedp.Do(ctx, steps(
		navigates(chromedp.Click(`[data-app=analytics]`)),
		waitPath("/marketplace/analytics"),
		chromedp.WaitVisible(`[data-testid=releases]`),
	)...)
	if err != nil {
		failShot(t, ctx, "marketplace-detail", err)
	}
	shot(t, ctx, "marketplace-app")
	text, err := chromedp.Run(ctx, chromedp.Text(`main`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Analytics", "First party", "Free", "0 installs", "Appstore Labs", "Support dashboards",
		"organization:read", "First release of Analytics.", "How it works", "Install in Acme", "Install in Acme Sandbox"} {
		if !strings.Contains(text, want) {
			t.Errorf("detail page lacks %q", want)
		}
	}
	evaluate(t, ctx, `[...document.querySelectorAll('[data-testid=install] a.button')].every(a => /\/organizations\/[0-9a-f-]{36}\/install\/analytics$/.test(a.getAttribute('href')))`)
}
