package api_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"go.temporal.io/sdk/worker"

	"appstore/activities"
	"appstore/api"
	"appstore/models"
	"appstore/models/postgres"
	"appstore/workflows"
	wfclient "appstore/workflows/client"
	"appstore/workflows/temporaltest"
)

// verifyingReceiver is a developer's webhook receiver: it verifies each
// request with the secret it is given and answers 204, or 401 when the
// signature does not hold.
type verifyingReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	secret   string
	verified []string // webhook-ids of verified requests
	bodies   []string
	refused  int
}

func newVerifyingReceiver(t *testing.T) *verifyingReceiver {
	t.Helper()
	r := &verifyingReceiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.secret == "" || models.VerifyWebhook(r.secret, req.Header, body, time.Now(), 0) != nil {
			r.refused++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		r.verified = append(r.verified, req.Header.Get(models.WebhookIDHeader))
		r.bodies = append(r.bodies, string(body))
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *verifyingReceiver) setSecret(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secret = s
}

func (r *verifyingReceiver) seen() (verified []string, bodies []string, refused int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.verified...), append([]string(nil), r.bodies...), r.refused
}

// newWebhookTemporalHarness runs the real WebhookDelivery workflow and
// activities on the dev server, allowed to reach loopback receivers, with
// a short schedule.
func newWebhookTemporalHarness(t *testing.T, opts ...func(*api.Config)) *harness {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the Temporal dev server: skipped with -short")
	}
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	allow := []*net.IPNet{loopback}
	h := newHarnessWith(t, func(store *postgres.Store, baseURL string, deps *api.Deps) {
		c := temporaltest.DevServer(t).Client()
		queue := "api-webhook-test-" + uuid.NewString()
		w := worker.New(c, queue, worker.Options{})
		workflows.Register(w, &activities.Activities{Store: store, BaseURL: baseURL, OutboundAllow: allow,
			HTTPClient: activities.NewOutboundClient(allow), WebhookSchedule: []time.Duration{0, time.Second, time.Second}})
		if err := w.Start(); err != nil {
			t.Fatalf("worker: %v", err)
		}
		t.Cleanup(w.Stop)
		deps.WebhookDeliveries = &wfclient.WebhookDeliveries{Client: c, TaskQueue: queue}
	}, opts...)
	withEncryption(t, h)
	return h
}

// The API end to end: a test event goes out through the real workflow and
// arrives signed; the delivery and its attempt read back.
func TestWebhookTestEventDelivered(t *testing.T) {
	h := newWebhookTemporalHarness(t, func(c *api.Config) { c.DevMode = true })
	tm := newTeam(t, h)
	rcv := newVerifyingReceiver(t)
	ep, secret := createEndpoint(t, h, tm, rcv.URL+"/hooks")
	rcv.setSecret(secret)

	rec := h.do(req{method: "POST", path: "/api/v1/webhook-endpoints/" + ep.String() + "/test", cookie: tm.admin})
	wantStatus(t, rec, http.StatusAccepted)
	var out struct {
		Delivery models.WebhookDelivery `json:"delivery"`
	}
	decode(t, rec, &out)
	var d models.WebhookDelivery
	deadline := time.Now().Add(30 * time.Second)
	for {
		decode(t, h.do(req{method: "GET", path: "/api/v1/webhook-deliveries/" + out.Delivery.ID.String(), cookie: tm.member}), &d)
		if d.Status != models.WebhookPending || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if d.Status != models.WebhookDelivered || len(d.Attempts) != 1 || *d.Attempts[0].StatusCode != 204 {
		t.Fatalf("delivery %+v", d)
	}
	verified, bodies, refused := rcv.seen()
	if len(verified) != 1 || verified[0] != d.ID.String() || refused != 0 || !strings.Contains(bodies[0], `"type":"ping"`) {
		t.Fatalf("receiver verified %v (%v), refused %d", verified, bodies, refused)
	}
}

// An admin adds an endpoint from the team's Webhooks page, sees its secret
// once, sends a test event to a local receiver and watches the delivery
// succeed in the list, with its attempt; then redelivers it.
func TestBrowserWebhooks(t *testing.T) {
	ctx := newBrowser(t)
	var h *harness
	h, origin := serveHarnessOnLoopback(t, func(t *testing.T, opts ...func(*api.Config)) *harness {
		return newWebhookTemporalHarness(t, opts...)
	})
	tm := newTeam(t, h)
	rcv := newVerifyingReceiver(t)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()

	err := chromedp.Do(ctx, steps(
		chromedp.EmulateViewport(1280, 900),
		browserSignIn(origin, "dev@acme.test", "/developer-accounts/"+tm.acme.String()),
		chromedp.WaitVisible(`[data-testid=webhooks-link]`),
		navigates(chromedp.Click(`[data-testid=webhooks-link]`)),
		waitPath("/developer-accounts/"+tm.acme.String()+"/webhooks"),
		chromedp.WaitVisible(`[data-testid=add-endpoint]`),
		// A URL production would refuse is explained and not saved.
		chromedp.SendKeys(`[data-testid=add-endpoint] input[name=url]`, "http://hooks.example.com/x"),
		chromedp.Click(`[data-testid=add-endpoint] button[type=submit]`),
		chromedp.WaitVisible(`[data-testid=add-endpoint] [data-error]`),
	)...)
	if err != nil {
		failShot(t, ctx, "webhooks-open", err)
	}
	msg, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=add-endpoint] [data-error]`))
	if !strings.Contains(msg, "url") || !strings.Contains(msg, "https") {
		t.Fatalf("error shown: %q", msg)
	}

	err = chromedp.Do(ctx, steps(
		chromedp.SetValue(`[data-testid=add-endpoint] input[name=url]`, rcv.URL+"/hooks"),
		chromedp.SendKeys(`[data-testid=add-endpoint] input[name=description]`, "Local receiver"),
		chromedp.Click(`[data-testid=add-endpoint] button[type=submit]`),
		chromedp.WaitVisible(`[data-testid=secret-dialog]`),
	)...)
	if err != nil {
		failShot(t, ctx, "webhooks-add", err)
	}
	secret, err := chromedp.Run(ctx, chromedp.Text(`[data-testid=secret-value]`))
	if err != nil || !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret shown %q (%v)", secret, err)
	}
	shot(t, ctx, "webhooks-secret")
	eps, err := h.store.ListWebhookEndpoints(context.Background(), tm.acme)
	if err != nil || len(eps) != 1 || eps[0].URL != rcv.URL+"/hooks" || eps[0].Description != "Local receiver" || len(eps[0].EventTypes) != 0 {
		t.Fatalf("endpoints %+v %v", eps, err)
	}
	rcv.setSecret(secret)

	// Closing the dialog reloads the page, which lists the endpoint.
	err = chromedp.Do(ctx, steps(
		navigates(chromedp.Click(`[data-testid=secret-done]`)),
		chromedp.WaitVisible(`[data-endpoint-id] [data-webhook-action=test]`),
	)...)
	if err != nil {
		failShot(t, ctx, "webhooks-listed", err)
	}
	if body, _ := chromedp.Run(ctx, chromedp.Text("body")); strings.Contains(body, secret) {
		t.Fatal("the page shows the secret again after the dialog")
	}

	// The page reloads after the click, and again while a delivery is
	// pending, until none is: wait for that last page, loaded.
	err = chromedp.Do(ctx, steps(
		navigates(chromedp.Click(`[data-endpoint-id] [data-webhook-action=test]`)),
		waitJS("the delivery, delivered", `document.readyState === "complete" &&
			document.querySelectorAll("tr[data-delivery-status=delivered]").length === 1 &&
			!document.querySelector("tr[data-delivery-status=pending]")`),
		chromedp.Click(`[data-delivery-status=delivered] summary`),
		chromedp.WaitVisible(`[data-delivery-status=delivered] [data-attempt="1"]`),
	)...)
	if err != nil {
		failShot(t, ctx, "webhooks-test-event", err)
	}
	status, _ := chromedp.Run(ctx, chromedp.Text(`[data-delivery-status=delivered] [data-attempt="1"] [data-attempt-status]`))
	if status != "204" {
		t.Fatalf("attempt status %q, want 204", status)
	}
	shot(t, ctx, "webhooks-delivered")
	verified, _, refused := rcv.seen()
	if len(verified) != 1 || refused != 0 {
		t.Fatalf("receiver verified %v, refused %d", verified, refused)
	}

	// Redeliver: a second delivery of the same event, with its own id.
	err = chromedp.Do(ctx, steps(
		navigates(chromedp.Click(`[data-delivery-status=delivered] [data-webhook-action=redeliver]`)),
		waitJS("both deliveries, delivered", `document.readyState === "complete" &&
			document.querySelectorAll("tr[data-delivery-status=delivered]").length === 2 &&
			!document.querySelector("tr[data-delivery-status=pending]")`),
		chromedp.WaitVisible(`tr[data-delivery-status=delivered] ~ tr[data-delivery-status=delivered]`),
	)...)
	if err != nil {
		failShot(t, ctx, "webhooks-redeliver", err)
	}
	if verified, _, _ := rcv.seen(); len(verified) != 2 || verified[0] == verified[1] {
		t.Fatalf("receiver verified %v, want two distinct webhook-ids", verified)
	}
}
