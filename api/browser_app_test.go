package api_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"appstore/api"
	"appstore/models"
)

// shot saves a full-page screenshot as $TMPDIR/appstore-<name>.png, for
// looking at the pages; a failure to take one fails nothing.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(os.TempDir(), "appstore-"+name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}

// evaluate runs a script in the page, which must return true.
func evaluate(t *testing.T, ctx context.Context, script string) {
	t.Helper()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](script))
	if err == nil && !ok {
		err = fmt.Errorf("false: %s", script)
	}
	if err != nil {
		failShot(t, ctx, "evaluate", err)
	}
}

// listingText is a listing text of more than the 100 characters
// publication needs.
const listingText = "Browser Sync keeps the tickets of your helpdesk and the contacts of your CRM in step, both ways, within seconds of every change."

// An admin creates an app from the account's apps page with the live slug
// check, fills the listing and watches the publish checklist turn ready
// before saving anything, saves, is told why publishing cannot happen yet,
// enables OAuth and sees the secret once, rotates it, and adds a custom
// connection; the logs tab shows what happened.
func TestBrowserCreateAppListingChecklistOAuth(t *testing.T) {
	ctx := newBrowser(t)
	var o *oauthHarness
	h, origin := serveHarnessOnLoopback(t, func(t *testing.T, opts ...func(*api.Config)) *harness {
		o = newOAuthHarness(t, opts...)
		withEncryption(t, o.harness)
		return o.harness
	})
	bg := context.Background()
	ctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()

	// The slug is checked as it is typed, once typing pauses: under load
	// a pause can come mid-word, so wait for the answer about the whole
	// slug, not for any "available".
	team := "/developer-accounts/" + o.tm.acme.String()
	err := chromedp.Do(ctx, steps(
		chromedp.EmulateViewport(1280, 900),
		browserSignIn(origin, "dev@acme.test", team),
		chromedp.WaitVisible(`[data-testid=apps-link]`),
		navigates(chromedp.Click(`[data-testid=apps-link]`)),
		waitPath(team+"/apps"),
		chromedp.WaitVisible(`[data-testid=create-app]`),
		chromedp.SendKeys(`input[name=title]`, "Browser Sync"),
		chromedp.SendKeys(`input[name=slug]`, "x"),
		chromedp.WaitVisible(`[data-slug-status][data-available=no]`), // too short
		chromedp.SendKeys(`input[name=slug]`, " Browser Sync"),
		waitJS("x-browser-sync available", `document.querySelector("[data-slug-status]").dataset.available === "yes" &&
			document.querySelector("[data-slug-status]").textContent.includes("x-browser-sync is available")`),
	)...)
	if err != nil {
		failShot(t, ctx, "create-app", err)
	}
	status, err := chromedp.Run(ctx, chromedp.Text(`[data-slug-status]`))
	if err != nil || !strings.Contains(status, "x-browser-sync is available") {
		t.Fatalf("slug status %q (%v)", status, err)
	}
	shot(t, ctx, "app-list")

	err = chromedp.Do(ctx, steps(
		navigates(chromedp.Click(`[data-testid=create-app] button[type=submit]`)),
		waitJS("the new app's page", `/^\/apps\/[0-9a-f-]{36}$/.test(location.pathname)`),
		chromedp.WaitVisible(`form[data-listing]`),
		chromedp.WaitVisible(`[data-ready][data-state=blocking]`),
		chromedp.WaitVisible(`[data-checklist] [data-code=description_missing]`),
	)...)
	if err != nil {
		failShot(t, ctx, "open-app", err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	appID := strings.TrimPrefix(strings.TrimPrefix(loc, origin), "/apps/")
	app := appByID(t, h, appID)
	if app.Slug != "x-browser-sync" || app.Title != "Browser Sync" {
		t.Fatalf("created %q %q", app.Slug, app.Title)
	}

	// Fill every field publication needs: the checklist follows, unsaved.
	// Each wait is for the checklist of the draft so far, which only the
	// preview of that draft produces.
	evaluate(t, ctx, `(function () {
		var s = document.querySelector("select[name=category]");
		s.value = "developer-tools";
		s.dispatchEvent(new Event("change", { bubbles: true }));
		return true;
	})()`)
	err = chromedp.Do(ctx, steps(
		chromedp.WaitNotPresent(`[data-checklist] [data-code=category_missing]`),
		chromedp.WaitVisible(`[data-checklist] [data-code=description_missing]`), // category alone is not enough
		chromedp.SendKeys(`textarea[name=description]`, listingText),
		chromedp.SendKeys(`textarea[name=overview]`, listingText),
		chromedp.SendKeys(`textarea[name=content_how_it_works]`, listingText),
		waitJS("the checklist of the three texts", `(function () {
			var has = function (code) { return !!document.querySelector("[data-checklist] [data-code=" + code + "]"); };
			return has("content_configure_missing") &&
				["description", "overview", "content_how_it_works"].every(function (f) { return !has(f + "_missing") && !has(f + "_length"); });
		})()`),
		chromedp.SendKeys(`textarea[name=content_configure]`, "Too short."),
		chromedp.WaitVisible(`[data-checklist] [data-code=content_configure_length]`),
		chromedp.SendKeys(`textarea[name=content_configure]`, " "+listingText),
		chromedp.SendKeys(`input[name=website_url]`, "https://sync.example.com"),
		chromedp.SendKeys(`input[name=docs_url]`, "https://sync.example.com/docs"),
		chromedp.SendKeys(`input[name=contact_url]`, "https://sync.example.com/contact"),
		chromedp.SendKeys(`input[name=terms_url]`, "https://sync.example.com/terms"),
		chromedp.SendKeys(`textarea[name=features]`, "Two-way sync\nConflict resolution"),
		chromedp.Click(`input[name=required_scopes][value="tickets:read"]`),
		chromedp.WaitVisible(`[data-ready][data-state=ready]`),
		chromedp.WaitVisible(`[data-checklist] .check-warning[data-code=screenshots_recommended]`),
	)...)
	if err != nil {
		failShot(t, ctx, "fill-listing", err)
	}
	if a := appByID(t, h, appID); a.Description != "" || a.Category != "" {
		t.Fatalf("the checklist turned ready by saving: %+v", a)
	}
	if errs, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("[data-checklist] .check-error").length`)); errs != 0 {
		t.Fatalf("ready with %d errors listed", errs)
	}
	shot(t, ctx, "app-listing")

	err = chromedp.Do(ctx, steps(
		chromedp.Click(`[data-testid=save-listing]`),
		chromedp.WaitVisible(`[data-save-status][data-saved=yes]`),
	)...)
	if err != nil {
		failShot(t, ctx, "save-listing", err)
	}
	saved := appByID(t, h, appID)
	if saved.Category != "developer-tools" || saved.ContentConfigure != "Too short. "+listingText ||
		strings.Join(saved.Features, "|") != "Two-way sync|Conflict resolution" || strings.Join(saved.RequiredScopes, ",") != "tickets:read" {
		t.Fatalf("saved listing %+v", saved)
	}
	if checks, err := h.store.PublishChecks(bg, saved.ID); err != nil || models.Blocking(checks) {
		t.Fatalf("saved listing still blocked: %+v (%v)", checks, err)
	}

	// Publishing is refused until a deployment exists: the page says why.
	err = chromedp.Do(ctx, steps(
		chromedp.Click(`[data-publish=publish]`),
		chromedp.WaitVisible(`[data-publish-error]`),
	)...)
	if err != nil {
		failShot(t, ctx, "publish", err)
	}
	if msg, _ := chromedp.Run(ctx, chromedp.Text(`[data-publish-error]`)); !strings.Contains(msg, "production deployment") {
		t.Fatalf("publish error %q", msg)
	}

	// OAuth: the secret is shown once, in a dialog; it verifies.
	err = chromedp.Do(ctx, steps(
		navigates(chromedp.Click(`[data-testid=app-tabs] a[href$="/oauth"]`)),
		waitPath("/apps/"+appID+"/oauth"),
		chromedp.WaitVisible(`[data-oauth-state=never]`),
		chromedp.Click(`[data-testid=enable-oauth]`),
		chromedp.WaitVisible(`[data-testid=secret-dialog]`),
	)...)
	if err != nil {
		failShot(t, ctx, "enable-oauth", err)
	}
	secret, err := chromedp.Run(ctx, chromedp.Text(`[data-testid=secret-value]`))
	if err != nil || !strings.HasPrefix(secret, models.OAuthClientSecretPrefix) {
		t.Fatalf("dialog secret %q (%v)", secret, err)
	}
	client, err := h.store.GetOAuthClient(bg, saved.ID)
	if err != nil {
		t.Fatal(err)
	}
	o.cleanSchedule(t, client.ClientID)
	if _, err := h.store.VerifyClientSecret(bg, client.ClientID, secret); err != nil {
		t.Fatalf("the dialog's secret does not verify: %v", err)
	}
	shot(t, ctx, "app-oauth-secret")

	// Closing the dialog reloads the page, which shows the state; the
	// secret is gone from it.
	err = chromedp.Do(ctx, steps(
		navigates(chromedp.Click(`[data-testid=secret-done]`)),
		chromedp.WaitVisible(`[data-oauth-state=enabled]`),
		chromedp.WaitVisible(`[data-testid=secrets] tr[data-secret=current]`),
		// A bad redirect URI gets its own error, naming the line.
		chromedp.SendKeys(`textarea[name=redirect_uris]`, "https://sync.example.com/callback\nhttps://*.example.com/cb"),
		chromedp.Click(`form[data-oauth-settings] button[type=submit]`),
		chromedp.WaitVisible(`[data-uri-errors]`),
	)...)
	if err != nil {
		failShot(t, ctx, "oauth-settings", err)
	}
	if body, _ := chromedp.Run(ctx, chromedp.Text("body")); strings.Contains(body, secret) {
		t.Fatal("the secret is still on the page")
	}
	if msg, _ := chromedp.Run(ctx, chromedp.Text(`[data-uri-errors]`)); !strings.Contains(msg, "Line 2") || !strings.Contains(msg, "wildcard") {
		t.Fatalf("redirect URI errors %q", msg)
	}

	// Rotation: the new secret once, and the previous one's end date.
	evaluate(t, ctx, `window.confirm = function () { return true; }; true`)
	err = chromedp.Do(ctx, steps(
		chromedp.Click(`[data-oauth-action=rotate]`),
		chromedp.WaitVisible(`[data-testid=secret-dialog]`),
	)...)
	if err != nil {
		failShot(t, ctx, "rotate", err)
	}
	note, _ := chromedp.Run(ctx, chromedp.Text(`[data-secret-note]`))
	rotated, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=secret-value]`))
	if !strings.Contains(note, "keeps working until") || rotated == secret || !strings.HasPrefix(rotated, models.OAuthClientSecretPrefix) {
		t.Fatalf("rotation dialog: %q, secret changed %v", note, rotated != secret)
	}
	err = chromedp.Do(ctx, steps(
		navigates(chromedp.Click(`[data-testid=secret-done]`)),
		chromedp.WaitVisible(`[data-testid=secrets] tr[data-secret=previous]`),
	)...)
	if err != nil {
		failShot(t, ctx, "rotated", err)
	}
	shot(t, ctx, "app-oauth")

	// A custom connection with a field row.
	err = chromedp.Do(ctx, steps(
		navigates(chromedp.Click(`[data-testid=app-tabs] a[href$="/connections"]`)),
		waitPath("/apps/"+appID+"/connections"),
		chromedp.WaitVisible(`form[data-connection-create]`),
	)...)
	if err != nil {
		failShot(t, ctx, "connections", err)
	}
	evaluate(t, ctx, `(function () {
		var s = document.querySelector("[data-connection-type]");
		s.value = "custom";
		s.dispatchEvent(new Event("change", { bubbles: true }));
		return true;
	})()`)
	err = chromedp.Do(ctx, steps(
		chromedp.SendKeys(`form[data-connection-create] input[name=key]`, "helpdesk"),
		chromedp.SendKeys(`form[data-connection-create] input[name=display_name]`, "Helpdesk account"),
		chromedp.WaitVisible(`[data-field-row-item] input[name=field_key]`),
		chromedp.WaitVisible(`fieldset[data-for-type=custom]`),
		chromedp.WaitNotVisible(`fieldset[data-for-type=api_key]`),
		chromedp.WaitNotVisible(`fieldset[data-for-type=oauth2]`),
		chromedp.SendKeys(`[data-field-row-item] input[name=field_key]`, "subdomain"),
		chromedp.SendKeys(`[data-field-row-item] input[name=field_label]`, "Subdomain"),
		navigates(chromedp.Click(`form[data-connection-create] button[type=submit]`)),
		chromedp.WaitVisible(`tr[data-connection=helpdesk]`),
	)...)
	if err != nil {
		failShot(t, ctx, "create-connection", err)
	}
	defs, err := h.store.ListConnectionDefinitions(bg, saved.ID)
	if err != nil || len(defs) != 1 || defs[0].Type != models.ConnectionCustom || len(defs[0].Fields) != 1 || defs[0].Fields[0].Key != "subdomain" {
		t.Fatalf("connections %+v (%v)", defs, err)
	}
	shot(t, ctx, "app-connections")

	err = chromedp.Do(ctx, steps(
		navigates(chromedp.Click(`[data-testid=app-tabs] a[href$="/logs"]`)),
		waitPath("/apps/"+appID+"/logs"),
		chromedp.WaitVisible(`[data-testid=events] tr[data-event="oauth.secret_rotated"]`),
		chromedp.WaitVisible(`[data-testid=events] tr[data-event="app.created"]`),
	)...)
	if err != nil {
		failShot(t, ctx, "logs", err)
	}
	shot(t, ctx, "app-logs")
}

func appByID(t *testing.T, h *harness, id string) *models.App {
	t.Helper()
	var app models.App
	if err := h.store.Gorm().First(&app, "id = ?", id).Error; err != nil {
		t.Fatalf("app %s: %v", id, err)
	}
	return &app
}
