package api_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"appstore/api"
	"appstore/models/postgres"
)

// eventCount is the number of event_logs rows: every change the API makes
// records one in its transaction, so an unchanged count means no change.
func eventCount(t *testing.T, h *harness) int64 {
	t.Helper()
	var n int64
	if err := h.store.Gorm().Raw("SELECT count(*) FROM event_logs").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCallbackURLFollowsRedirectURIRules: the callback URL becomes every
// installation's redirect URI, so saving one that the redirect-URI rules
// refuse is a 422 that changes nothing.
func TestCallbackURLFollowsRedirectURIRules(t *testing.T) {
	h := newHarness(t)
	tm := newTeam(t, h)
	app, err := h.store.CreateApp(context.Background(), tm.acme, "callback-rules", "Callback rules")
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/apps/" + app.ID.String()
	for _, bad := range []string{
		"http://evil.example/cb", "https://app.example/cb#frag", "https://*.x/cb",
		"http://10.0.0.1/cb", "https://10.0.0.1/cb", "https://localhost/cb", "https://169.254.169.254/cb",
	} {
		before := eventCount(t, h)
		p := wantProblem(t, h.do(req{method: "PATCH", path: path, cookie: tm.admin, body: map[string]any{"callback_url": bad}}), 422, "invalid_listing")
		if len(p.Errors) != 1 || p.Errors[0].Field != "callback_url" {
			t.Errorf("%s: errors %+v, want one on callback_url", bad, p.Errors)
		}
		if eventCount(t, h) != before {
			t.Errorf("%s: a refused listing edit recorded an event", bad)
		}
	}
	stored, _ := h.store.GetApp(context.Background(), app.ID)
	if stored.CallbackURL != "" {
		t.Fatalf("callback stored %q after refusals", stored.CallbackURL)
	}
	rec := h.do(req{method: "PATCH", path: path, cookie: tm.admin, body: map[string]any{"callback_url": "https://app.example.com/cb"}})
	wantStatus(t, rec, http.StatusOK)

	// Development keeps http://localhost working, as for redirect URIs.
	dev := newHarness(t, func(c *api.Config) { c.DevMode = true })
	dtm := newTeam(t, dev)
	devApp, err := dev.store.CreateApp(context.Background(), dtm.acme, "callback-dev", "Callback dev")
	if err != nil {
		t.Fatal(err)
	}
	rec = dev.do(req{method: "PATCH", path: "/api/v1/apps/" + devApp.ID.String(), cookie: dtm.admin,
		body: map[string]any{"callback_url": "http://localhost:8090/callback"}})
	wantStatus(t, rec, http.StatusOK)
}

// TestAppWebhookURLFollowsWebhookRules: the app's webhook URL receives
// installation secrets, so it keeps the developer endpoints' rules; a
// refused URL issues no signing secret.
func TestAppWebhookURLFollowsWebhookRules(t *testing.T) {
	h := newHarness(t)
	withEncryption(t, h)
	tm := newTeam(t, h)
	app, err := h.store.CreateApp(context.Background(), tm.acme, "webhook-rules", "Webhook rules")
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/apps/" + app.ID.String() + "/webhook"
	for _, bad := range []string{
		"http://169.254.169.254/latest/meta-data/", "https://169.254.169.254/latest/meta-data/",
		"http://hooks.example.com/a", "https://10.0.0.8/hooks", "https://127.0.0.1/hooks", "https://[fd00::1]/hooks",
	} {
		before := eventCount(t, h)
		p := wantProblem(t, h.do(req{method: "PUT", path: path, cookie: tm.admin, body: map[string]any{"webhook_url": bad}}), 422, "invalid_webhook_url")
		if len(p.Errors) != 1 || p.Errors[0].Field != "webhook_url" {
			t.Errorf("%s: errors %+v", bad, p.Errors)
		}
		if eventCount(t, h) != before {
			t.Errorf("%s: a refused webhook URL recorded an event", bad)
		}
	}
	stored, _ := h.store.GetApp(context.Background(), app.ID)
	if stored.WebhookURL != "" || stored.WebhookSecretCiphertext != nil {
		t.Fatalf("after refusals: url %q, secret made %v", stored.WebhookURL, stored.WebhookSecretCiphertext != nil)
	}
}

// TestSignInNextStaysOnSite: the destination after sign-in is a path on
// this site whatever a browser would make of it.
func TestSignInNextStaysOnSite(t *testing.T) {
	h := newHarness(t)
	session := h.login("member@acme.test")
	for _, next := range []string{
		"/\t/evil.example/phish", "/\t\\evil.com", "//evil.example", "/\\evil.example", "https://evil.example/",
		"/\n/evil.example", "/%09/evil.example", "\x00/x",
	} {
		rec := h.do(req{method: "GET", path: "/login?next=" + url.QueryEscape(next), cookie: session})
		if rec.Code == http.StatusSeeOther && rec.Header().Get("Location") != "/" {
			t.Errorf("GET /login?next=%q: Location %q, want /", next, rec.Header().Get("Location"))
		}
		if rec.Code != http.StatusSeeOther && rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("GET /login?next=%q: %d", next, rec.Code)
		}
		rec = postForm(h, "/login", url.Values{"email": {"member@acme.test"}, "password": {postgres.DemoPassword}, "next": {next}}, "")
		if rec.Code == http.StatusSeeOther && rec.Header().Get("Location") != "/" {
			t.Errorf("POST /login next=%q: Location %q, want /", next, rec.Header().Get("Location"))
		}
	}
	rec := h.do(req{method: "GET", path: "/login?next=" + url.QueryEscape("/marketplace?q=crm"), cookie: session})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/marketplace?q=crm" {
		t.Fatalf("a local next: %d %q", rec.Code, rec.Header().Get("Location"))
	}
}
