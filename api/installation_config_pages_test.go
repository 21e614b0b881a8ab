package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"appstore/models"
)

// The settings page renders the schema as a form: each type its input
// with the schema's constraints, enum labels, nested names, required
// marks, hints and the current values.
func TestInstallationSettingsPageForm(t *testing.T) {
	h := newHarness(t)
	in := installTestApp(t, h)
	owner := h.login("owner@acme.test")
	if _, err := h.store.SaveSettings(context.Background(), in.inst, models.ScopeOrganization, nil,
		map[string]any{"region": "us", "seats": 7, "notify": true, "limits": map[string]any{"daily": 4}}, in.ownerID); err != nil {
		t.Fatal(err)
	}
	page := "/organizations/" + in.org.String() + "/installations/" + in.inst.String()
	rec := h.do(req{method: "GET", path: page + "/settings", cookie: owner})
	wantStatus(t, rec, http.StatusOK)
	body := rec.Body.String()
	for _, want := range []string{
		`data-testid="settings-form-organization"`, `data-testid="settings-form-user"`,
		`<select id="setting-organization-region" name="region" data-type="string" required>`,
		`<option value="us" selected>United States</option>`, `<option value="eu">Europe</option>`,
		`Where your data lives`, `title="required"`,
		`name="seats" data-type="integer" value="7" min="1" max="500" step="1"`,
		`name="api_url" data-type="string" value="" autocomplete="off" maxlength="200" pattern="^https://"`,
		`name="notify" data-type="boolean" checked`,
		`<fieldset class="setting-group" data-field="limits">`, `name="limits.daily" data-type="integer" value="4" min="0"`,
		`data-field-error="limits.daily"`,
		`name="theme" data-type="string"`, `<option value="">—</option>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// A member with access sees only their own settings; the other tabs are
	// for admins.
	rec = h.do(req{method: "GET", path: page + "/settings", cookie: h.login("member@acme.test")})
	wantStatus(t, rec, http.StatusOK)
	if b := rec.Body.String(); strings.Contains(b, "settings-form-organization") || !strings.Contains(b, "settings-form-user") || strings.Contains(b, "/permissions\"") {
		t.Fatalf("member's page:\n%s", b)
	}
	wantStatus(t, h.do(req{method: "GET", path: page + "/permissions", cookie: h.login("member@acme.test")}), http.StatusForbidden)
	wantStatus(t, h.do(req{method: "GET", path: page + "/connections", cookie: h.login("dev@acme.test")}), http.StatusNotFound)
	rec = h.do(req{method: "GET", path: page + "/permissions", cookie: owner})
	wantStatus(t, rec, http.StatusOK)
	if !strings.Contains(rec.Body.String(), `data-member="member@acme.test"`) {
		t.Fatal("permissions page lacks the member")
	}
}

// An admin fills the generated form with a bad value, sees the error next
// to the field, fixes it and saves; the connections page never shows the
// stored secret.
func TestBrowserInstallationSettings(t *testing.T) {
	ctx := newBrowser(t)
	h, origin := serveOnLoopback(t)
	in := installTestApp(t, h)
	page := "/organizations/" + in.org.String() + "/installations/" + in.inst.String()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()

	form := `[data-testid=settings-form-organization]`
	err := chromedp.Do(ctx, steps(
		browserSignIn(origin, "owner@acme.test", page+"/settings"),
		chromedp.WaitVisible(form),
		chromedp.SetValue(form+` select[name=region]`, "eu"),
		chromedp.SendKeys(form+` input[name=seats]`, "900"),
		chromedp.SendKeys(form+` input[name=api_url]`, "http://insecure.example"),
		chromedp.Click(form+` button[type=submit]`),
		chromedp.WaitVisible(form+` [data-field-error="seats"]`),
		chromedp.WaitVisible(form+` [data-field-error="api_url"]`),
	)...)
	if err != nil {
		failShot(t, ctx, "settings-bad-value", err)
	}
	msg, err := chromedp.Run(ctx, chromedp.Text(form+` [data-field-error="seats"]`))
	if err != nil || msg != "must be at most 500" {
		t.Fatalf("seats error %q, %v", msg, err)
	}
	var n int64
	h.store.Gorm().Table("app_settings").Count(&n)
	if n != 0 {
		t.Fatalf("%d settings saved from a bad form", n)
	}

	err = chromedp.Do(ctx, steps(
		chromedp.SetValue(form+` input[name=seats]`, "25"),
		chromedp.SetValue(form+` input[name=api_url]`, "https://api.example"),
		chromedp.SendKeys(form+` input[name="limits.daily"]`, "3"),
		chromedp.Click(form+` input[name=notify]`),
		chromedp.Click(form+` button[type=submit]`),
		chromedp.WaitVisible(form+` [data-saved]`),
	)...)
	if err != nil {
		failShot(t, ctx, "settings-fixed", err)
	}
	a, err := h.store.InstallationAccess(context.Background(), in.org, in.inst, in.ownerID)
	if err != nil {
		t.Fatal(err)
	}
	st, err := h.store.GetSettings(context.Background(), a, models.ScopeOrganization, in.ownerID)
	if err != nil {
		t.Fatal(err)
	}
	limits, _ := st.Values["limits"].(map[string]any)
	if st.Values["region"] != "eu" || st.Values["seats"] != float64(25) || st.Values["notify"] != true ||
		st.Values["api_url"] != "https://api.example" || limits["daily"] != float64(3) {
		t.Fatalf("saved %v", st.Values)
	}

	// Connections: set a secret through the page; afterwards the page says
	// "set" and nowhere holds the secret.
	const secret = "sk_live_browser_secret_42"
	card := `[data-connection=stripe]`
	err = chromedp.Do(ctx, steps(
		chromedp.Navigate(origin+page+"/connections"),
		chromedp.WaitVisible(card+` input[name=value]`),
		chromedp.SendKeys(card+` input[name=value]`, secret),
		chromedp.Click(card+` button[type=submit]`),
		chromedp.WaitVisible(card+` [data-state] .ok`),
	)...)
	if err != nil {
		failShot(t, ctx, "connections", err)
	}
	html, err := chromedp.Run(ctx, chromedp.OuterHTML("html"))
	if err != nil || strings.Contains(html, secret) {
		t.Fatalf("connections page holds the secret (%v)", err)
	}
	value, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-connection=stripe] input[name=value]').value`))
	if err != nil || value != "" {
		t.Fatalf("input prefilled with %q (%v)", value, err)
	}

	// Permissions: unticking a member's access saves at once.
	row := `[data-member="member@acme.test"]`
	err = chromedp.Do(ctx, steps(
		chromedp.Navigate(origin+page+"/permissions"),
		chromedp.WaitVisible(row+` input[name=can_access]:checked`),
		// A saved change reloads the page, which then shows what is stored.
		navigates(chromedp.Click(row+` input[name=can_access]`)),
		chromedp.WaitVisible(row+` input[name=can_access]:not(:checked)`),
	)...)
	if err != nil {
		failShot(t, ctx, "permissions", err)
	}
	a, err = h.store.InstallationAccess(context.Background(), in.org, in.inst, in.memberID)
	if err != nil {
		t.Fatal(err)
	}
	if a.CanAccess {
		t.Fatal("member still has access after unticking")
	}
}
