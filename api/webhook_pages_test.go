package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"appstore/models"
)

// The Webhooks page renders for members of the account (read-only for
// members), 404 for anyone else, asks visitors to sign in, never shows a
// secret, and lists deliveries with their attempts.
func TestWebhooksPage(t *testing.T) {
	h, tm, _ := newWebhookHarness(t)
	ctx := context.Background()
	ep, secret := createEndpoint(t, h, tm, "https://hooks.example.com/a")
	d, err := h.store.SendWebhookTest(ctx, ep)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.RecordWebhookAttempt(ctx, models.WebhookAttemptRecord{DeliveryID: d.ID, Attempt: 1, LatencyMS: 12,
		Error: "refused to connect to 10.0.0.1: a private address is not reachable from the platform"}); err != nil {
		t.Fatal(err)
	}
	page := "/developer-accounts/" + tm.acme.String() + "/webhooks"

	for _, who := range []struct {
		name, session string
		admin         bool
	}{{"admin", tm.admin, true}, {"member", tm.member, false}} {
		rec := h.do(req{method: "GET", path: page, cookie: who.session})
		wantStatus(t, rec, http.StatusOK)
		body := rec.Body.String()
		for _, want := range []string{"https://hooks.example.com/a", "deployment.published", "ping", "no response", "a private address", `data-attempt="1"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: page lacks %q", who.name, want)
			}
		}
		if strings.Contains(body, secret) || strings.Contains(body, "whsec_") {
			t.Fatalf("%s: the page shows a secret", who.name)
		}
		if has := strings.Contains(body, "data-webhook-action") || strings.Contains(body, "data-webhook-create"); has != who.admin {
			t.Errorf("%s: controls shown = %v", who.name, has)
		}
	}
	rec := h.do(req{method: "GET", path: page + "?endpoint=" + ep.String(), cookie: tm.member})
	wantStatus(t, rec, http.StatusOK)
	if !strings.Contains(rec.Body.String(), "Show the deliveries of every endpoint") {
		t.Fatal("the endpoint filter is not shown")
	}
	wantStatus(t, h.do(req{method: "GET", path: page + "?endpoint=" + uuid.NewString(), cookie: tm.member}), http.StatusNotFound)
	wantStatus(t, h.do(req{method: "GET", path: page, cookie: tm.outsider}), http.StatusNotFound)
	if rec := h.do(req{method: "GET", path: page}); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
		t.Fatalf("visitor: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	// The team page links to it.
	if rec := h.do(req{method: "GET", path: "/developer-accounts/" + tm.acme.String(), cookie: tm.member}); !strings.Contains(rec.Body.String(), `href="`+page+`"`) {
		t.Fatal("the team page does not link to the Webhooks page")
	}
}
