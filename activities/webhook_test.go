package activities_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/activities"
	"appstore/models"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
)

// receiver is a local webhook receiver answering with the statuses of
// script in turn (the last one repeats), recording every request.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	script   []int
	header   http.Header // extra response headers
	requests []receivedWebhook
}

type receivedWebhook struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, script ...int) *receiver {
	t.Helper()
	r := &receiver{script: script, header: http.Header{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		n := len(r.requests)
		r.requests = append(r.requests, receivedWebhook{header: req.Header.Clone(), body: body})
		status := r.script[min(n, len(r.script)-1)]
		for k, v := range r.header {
			w.Header()[k] = v
		}
		r.mu.Unlock()
		w.WriteHeader(status)
		if status >= 400 {
			io.WriteString(w, "receiver says no\x00\xff")
		}
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) received() []receivedWebhook {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]receivedWebhook(nil), r.requests...)
}

// webhookStore is a store with an encryption key, an account and an
// endpoint at url; it returns the endpoint and its secret.
func webhookStore(t *testing.T, url string) (*postgres.Store, *models.WebhookEndpoint, string) {
	t.Helper()
	ctx := context.Background()
	store := postgres.NewStore(pgtest.New(t))
	enc, err := models.NewEncrypter([]byte(strings.Repeat("w", 32)))
	if err != nil {
		t.Fatal(err)
	}
	store.SetEncrypter(enc)
	admin, err := store.CreateUser(ctx, models.NewUser{Email: "hooks@example.com", Name: "Hooks", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	acct, err := store.CreateDeveloperAccount(ctx, "hook-labs", "Hook Labs", admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	ep, secret, err := store.CreateWebhookEndpoint(ctx, acct.ID, models.WebhookEndpointInput{URL: url}, false)
	if err != nil {
		t.Fatal(err)
	}
	return store, ep, secret
}

func webhookActivities(t *testing.T, store *postgres.Store) *activities.Activities {
	t.Helper()
	allow := cidrs(t, "127.0.0.0/8", "::1/128")
	return &activities.Activities{Store: store, HTTPClient: activities.NewOutboundClient(allow), OutboundAllow: allow,
		WebhookSchedule: []time.Duration{0, time.Second}}
}

func TestAttemptWebhookDelivers(t *testing.T) {
	rcv := newReceiver(t, http.StatusNoContent)
	store, ep, secret := webhookStore(t, rcv.URL+"/hooks")
	ctx := context.Background()
	ids, err := store.EnqueueDeveloperEvent(ctx, ep.DeveloperAccountID, models.EventDeploymentPublished, "published:d1",
		models.JSONMap{"deployment_id": "d1", "version": "1.0.0"})
	if err != nil || len(ids) != 1 {
		t.Fatalf("enqueue: %v %v", ids, err)
	}
	a := webhookActivities(t, store)

	plan, err := a.WebhookDeliveryPlan(ctx, ids[0])
	if err != nil || !plan.Found || plan.Status != models.WebhookPending || plan.DeveloperAccount != "hook-labs" || len(plan.Schedule) != 2 {
		t.Fatalf("plan %+v %v", plan, err)
	}
	in := activities.WebhookAttemptInput{DeliveryID: ids[0], Attempt: 1, NextDelay: time.Second}
	res, err := a.AttemptWebhook(ctx, in)
	if err != nil || res.StatusCode != http.StatusNoContent || res.Error != "" || res.Outcome() != activities.WebhookOutcomeDelivered {
		t.Fatalf("attempt: %+v %v", res, err)
	}
	got := rcv.received()
	if len(got) != 1 {
		t.Fatalf("%d requests, want 1", len(got))
	}
	h := got[0].header
	if h.Get("webhook-id") != ids[0].String() || h.Get("Content-Type") != "application/json" || !strings.HasPrefix(h.Get("User-Agent"), "Appstore-Webhooks") {
		t.Fatalf("headers %v", h)
	}
	if err := models.VerifyWebhook(secret, h, got[0].body, time.Now(), 0); err != nil {
		t.Fatalf("the receiver cannot verify: %v", err)
	}
	var body struct {
		Type      string         `json:"type"`
		Timestamp time.Time      `json:"timestamp"`
		Data      map[string]any `json:"data"`
	}
	if err := json.Unmarshal(got[0].body, &body); err != nil || body.Type != "deployment.published" || body.Data["version"] != "1.0.0" ||
		time.Since(body.Timestamp) > time.Minute {
		t.Fatalf("body %s (%v)", got[0].body, err)
	}

	// A retried activity neither POSTs nor records again.
	again, err := a.AttemptWebhook(ctx, in)
	if err != nil || again.StatusCode != http.StatusNoContent || len(rcv.received()) != 1 {
		t.Fatalf("retried attempt: %+v %v, %d requests", again, err, len(rcv.received()))
	}
	d, _ := store.GetWebhookDelivery(ctx, ids[0])
	if len(d.Attempts) != 1 || *d.Attempts[0].StatusCode != 204 || d.AttemptCount != 1 || d.NextAttemptAt != nil {
		t.Fatalf("delivery %+v", d)
	}
	if err := a.FinishWebhookDelivery(ctx, activities.FinishWebhookInput{DeliveryID: d.ID, Status: models.WebhookDelivered}); err != nil {
		t.Fatal(err)
	}
	// Finished: nothing more is sent.
	res, err = a.AttemptWebhook(ctx, activities.WebhookAttemptInput{DeliveryID: d.ID, Attempt: 2})
	if err != nil || res.Outcome() != activities.WebhookOutcomeSkipped || len(rcv.received()) != 1 {
		t.Fatalf("attempt after delivery: %+v %v", res, err)
	}
	if d, _ := store.GetWebhookDelivery(ctx, ids[0]); d.Status != models.WebhookDelivered || d.DeliveredAt == nil {
		t.Fatalf("delivery %+v", d)
	}
}

func TestAttemptWebhookFailures(t *testing.T) {
	rcv := newReceiver(t, http.StatusServiceUnavailable, http.StatusGone)
	rcv.header.Set("Retry-After", "120")
	store, ep, _ := webhookStore(t, rcv.URL)
	ctx := context.Background()
	a := webhookActivities(t, store)
	d, err := store.SendWebhookTest(ctx, ep.ID)
	if err != nil {
		t.Fatal(err)
	}

	res, err := a.AttemptWebhook(ctx, activities.WebhookAttemptInput{DeliveryID: d.ID, Attempt: 1, NextDelay: 5 * time.Second})
	if err != nil || res.StatusCode != 503 || res.RetryAfterSeconds != 120 || res.Outcome() != activities.WebhookOutcomeRetry ||
		res.Error != "503 Service Unavailable: receiver says no�" {
		t.Fatalf("503: %+v %v", res, err)
	}
	got, _ := store.GetWebhookDelivery(ctx, d.ID)
	if got.NextAttemptAt == nil || time.Until(*got.NextAttemptAt) < 110*time.Second || *got.LastStatusCode != 503 {
		t.Fatalf("after a 503 with Retry-After 120: %+v", got)
	}

	res, err = a.AttemptWebhook(ctx, activities.WebhookAttemptInput{DeliveryID: d.ID, Attempt: 2, Last: true})
	if err != nil || res.Outcome() != activities.WebhookOutcomeGone {
		t.Fatalf("410: %+v %v", res, err)
	}
	if err := a.FinishWebhookDelivery(ctx, activities.FinishWebhookInput{DeliveryID: d.ID, Status: models.WebhookFailed,
		Reason: "gone", DisableEndpoint: true}); err != nil {
		t.Fatal(err)
	}
	if got, _ := store.GetWebhookEndpoint(ctx, ep.ID); got.Enabled() || !strings.Contains(got.DisabledReason, "410") {
		t.Fatalf("endpoint after 410: %+v", got)
	}
	// A disabled endpoint is skipped, not sent to.
	other, err := store.EnqueueDeveloperEvent(ctx, ep.DeveloperAccountID, models.EventDeploymentApproved, "approved:x", nil)
	if err != nil || len(other) != 0 {
		t.Fatalf("a disabled endpoint got a delivery: %v %v", other, err)
	}
}

// A refused address and an unreachable port are attempts with no status,
// recorded with their error.
func TestAttemptWebhookNetworkErrors(t *testing.T) {
	rcv := newReceiver(t, http.StatusOK)
	store, ep, _ := webhookStore(t, rcv.URL)
	ctx := context.Background()
	d, err := store.SendWebhookTest(ctx, ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	strict := &activities.Activities{Store: store, HTTPClient: activities.NewOutboundClient(nil)}
	res, err := strict.AttemptWebhook(ctx, activities.WebhookAttemptInput{DeliveryID: d.ID, Attempt: 1})
	if err != nil || res.StatusCode != 0 || !strings.Contains(res.Error, "loopback") || res.Outcome() != activities.WebhookOutcomeRetry {
		t.Fatalf("refused: %+v %v", res, err)
	}
	if len(rcv.received()) != 0 {
		t.Fatal("the refused request reached the receiver")
	}
	got, _ := store.GetWebhookDelivery(ctx, d.ID)
	if len(got.Attempts) != 1 || got.Attempts[0].StatusCode != nil || !strings.Contains(got.Attempts[0].Error, "loopback") {
		t.Fatalf("attempt %+v", got.Attempts)
	}
	if res, err := strict.AttemptWebhook(ctx, activities.WebhookAttemptInput{DeliveryID: uuid.New(), Attempt: 1}); err != nil || res.Skipped == "" {
		t.Fatalf("no such delivery: %+v %v", res, err)
	}
}
