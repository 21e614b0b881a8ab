package api_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"appstore/api"
	"appstore/models"
	"appstore/models/postgres"
)

// startedDeliveries records the deliveries handlers start, standing in for
// Temporal where only the API is under test (the browser test and
// TestWebhookTestEventDelivered run the real workflow).
type startedDeliveries struct {
	mu  sync.Mutex
	ids []uuid.UUID
	err error
}

func (s *startedDeliveries) Start(_ context.Context, ids []uuid.UUID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.ids = append(s.ids, ids...)
	return nil
}

// newWebhookHarness serves a seeded database with an encryption key and a
// recording delivery starter.
func newWebhookHarness(t *testing.T, opts ...func(*api.Config)) (*harness, *team, *startedDeliveries) {
	t.Helper()
	started := &startedDeliveries{}
	h := newHarnessWith(t, func(_ *postgres.Store, _ string, deps *api.Deps) { deps.WebhookDeliveries = started }, opts...)
	withEncryption(t, h)
	return h, newTeam(t, h), started
}

// createEndpoint adds an endpoint to acme-labs through the API as its
// admin and returns its id and secret.
func createEndpoint(t *testing.T, h *harness, tm *team, url string) (uuid.UUID, string) {
	t.Helper()
	rec := h.do(req{method: "POST", path: "/api/v1/developer-accounts/" + tm.acme.String() + "/webhook-endpoints", cookie: tm.admin,
		body: map[string]any{"url": url, "description": "CI", "event_types": []string{"deployment.published"}}})
	wantStatus(t, rec, http.StatusCreated)
	var out struct {
		Endpoint struct {
			ID         uuid.UUID `json:"id"`
			Enabled    bool      `json:"enabled"`
			EventTypes []string  `json:"event_types"`
		} `json:"endpoint"`
		Secret string `json:"secret"`
	}
	decode(t, rec, &out)
	if !strings.HasPrefix(out.Secret, "whsec_") || !out.Endpoint.Enabled || !slices.Equal(out.Endpoint.EventTypes, []string{"deployment.published"}) {
		t.Fatalf("created %s", rec.Body.String())
	}
	return out.Endpoint.ID, out.Secret
}

func TestWebhookAuthorization(t *testing.T) {
	h, tm, _ := newWebhookHarness(t)
	acct := "/api/v1/developer-accounts/" + tm.acme.String()
	ep, _ := createEndpoint(t, h, tm, "https://hooks.example.com/a")
	endpoint := "/api/v1/webhook-endpoints/" + ep.String()
	d, err := h.store.SendWebhookTest(context.Background(), ep)
	if err != nil {
		t.Fatal(err)
	}
	delivery := "/api/v1/webhook-deliveries/" + d.ID.String()
	freshEndpoint := func(t *testing.T) string {
		id, _, err := h.store.CreateWebhookEndpoint(context.Background(), tm.acme, models.WebhookEndpointInput{URL: "https://hooks.example.com/x"}, true)
		if err != nil {
			t.Fatal(err)
		}
		return "/api/v1/webhook-endpoints/" + id.ID.String()
	}

	type want struct{ anonymous, member, admin, outsider int }
	cases := []struct {
		name, method string
		path         func(t *testing.T) string
		body         any
		want         want
	}{
		{"list endpoints", "GET", fixed(acct + "/webhook-endpoints"), nil, want{401, 200, 200, 404}},
		{"create endpoint", "POST", fixed(acct + "/webhook-endpoints"), map[string]any{"url": "https://hooks.example.com/b"}, want{401, 403, 201, 404}},
		{"view endpoint", "GET", fixed(endpoint), nil, want{401, 200, 200, 404}},
		{"update endpoint", "PATCH", fixed(endpoint), map[string]any{"description": "Renamed"}, want{401, 403, 200, 404}},
		{"test endpoint", "POST", fixed(endpoint + "/test"), nil, want{401, 403, 202, 404}},
		{"rotate secret", "POST", fixed(endpoint + "/rotate-secret"), nil, want{401, 403, 200, 404}},
		{"delete endpoint", "DELETE", freshEndpoint, nil, want{401, 403, 204, 404}},
		{"list deliveries", "GET", fixed(acct + "/webhook-deliveries"), nil, want{401, 200, 200, 404}},
		{"list deliveries of an endpoint", "GET", fixed(acct + "/webhook-deliveries?endpoint=" + ep.String()), nil, want{401, 200, 200, 404}},
		{"view delivery", "GET", fixed(delivery), nil, want{401, 200, 200, 404}},
		{"redeliver", "POST", fixed(delivery + "/redeliver"), nil, want{401, 403, 202, 404}},
		{"unknown endpoint", "GET", fixed("/api/v1/webhook-endpoints/" + uuid.NewString()), nil, want{401, 404, 404, 404}},
		{"malformed endpoint id", "PATCH", fixed("/api/v1/webhook-endpoints/nope"), map[string]any{}, want{401, 404, 404, 404}},
		{"unknown delivery", "POST", fixed("/api/v1/webhook-deliveries/" + uuid.NewString() + "/redeliver"), nil, want{401, 404, 404, 404}},
		{"event types", "GET", fixed("/api/v1/webhook-event-types"), nil, want{401, 200, 200, 200}},
	}
	callers := []struct {
		name, session string
		pick          func(want) int
	}{
		{"anonymous", "", func(w want) int { return w.anonymous }},
		{"member", tm.member, func(w want) int { return w.member }},
		{"admin", tm.admin, func(w want) int { return w.admin }},
		{"admin of another account", tm.outsider, func(w want) int { return w.outsider }},
	}
	for _, tc := range cases {
		for _, who := range callers {
			t.Run(tc.name+"/"+who.name, func(t *testing.T) {
				r := req{method: tc.method, path: tc.path(t), body: tc.body, cookie: who.session}
				if who.session == "" && tc.method != "GET" {
					r.headers = map[string]string{"Origin": testOrigin}
				}
				rec := h.do(r)
				if rec.Code != who.pick(tc.want) {
					t.Fatalf("%s %s as %s: %d, want %d; %s", tc.method, r.path, who.name, rec.Code, who.pick(tc.want), rec.Body.String())
				}
				// Strangers learn nothing, not even that the thing exists.
				if who.name == "admin of another account" && rec.Code == 404 && strings.Contains(rec.Body.String(), "admin_required") {
					t.Fatalf("a stranger was told about roles: %s", rec.Body.String())
				}
			})
		}
	}
}

func TestWebhookEndpointAPI(t *testing.T) {
	h, tm, started := newWebhookHarness(t)
	ctx := context.Background()
	acct := "/api/v1/developer-accounts/" + tm.acme.String()
	ep, secret := createEndpoint(t, h, tm, "https://hooks.example.com/a")
	endpoint := "/api/v1/webhook-endpoints/" + ep.String()

	// The secret is stored encrypted and never served again.
	for _, path := range []string{endpoint, acct + "/webhook-endpoints"} {
		rec := h.do(req{method: "GET", path: path, cookie: tm.member})
		wantStatus(t, rec, http.StatusOK)
		if body := rec.Body.String(); strings.Contains(body, secret) || strings.Contains(body, "whsec_") || strings.Contains(body, "ciphertext") {
			t.Fatalf("GET %s reveals the secret: %s", path, body)
		}
	}
	var list struct {
		Items []struct {
			ID  uuid.UUID `json:"id"`
			URL string    `json:"url"`
		} `json:"items"`
		NextCursor *string `json:"next_cursor"`
	}
	decode(t, h.do(req{method: "GET", path: acct + "/webhook-endpoints", cookie: tm.member}), &list)
	if len(list.Items) != 1 || list.Items[0].ID != ep || list.NextCursor == nil {
		t.Fatalf("list %+v", list)
	}

	// Disable, then a test event is refused; enable, and it is started.
	rec := h.do(req{method: "PATCH", path: endpoint, cookie: tm.admin, body: map[string]any{"enabled": false}})
	wantStatus(t, rec, http.StatusOK)
	if !strings.Contains(rec.Body.String(), `"enabled":false`) || !strings.Contains(rec.Body.String(), `"status":"disabled"`) {
		t.Fatalf("disabled: %s", rec.Body.String())
	}
	wantProblem(t, h.do(req{method: "POST", path: endpoint + "/test", cookie: tm.admin}), http.StatusConflict, "webhook_endpoint_disabled")
	wantStatus(t, h.do(req{method: "PATCH", path: endpoint, cookie: tm.admin, body: map[string]any{"enabled": true}}), http.StatusOK)
	rec = h.do(req{method: "POST", path: endpoint + "/test", cookie: tm.admin})
	wantStatus(t, rec, http.StatusAccepted)
	var test struct {
		Delivery struct {
			ID        uuid.UUID `json:"id"`
			EventType string    `json:"event_type"`
			Status    string    `json:"status"`
		} `json:"delivery"`
	}
	decode(t, rec, &test)
	if test.Delivery.EventType != "ping" || test.Delivery.Status != "pending" || !slices.Equal(started.ids, []uuid.UUID{test.Delivery.ID}) {
		t.Fatalf("test event %+v, started %v", test, started.ids)
	}

	// Redeliver: a new delivery naming the original, started too.
	rec = h.do(req{method: "POST", path: "/api/v1/webhook-deliveries/" + test.Delivery.ID.String() + "/redeliver", cookie: tm.admin})
	wantStatus(t, rec, http.StatusAccepted)
	var re struct {
		Delivery models.WebhookDelivery `json:"delivery"`
	}
	decode(t, rec, &re)
	if re.Delivery.ID == test.Delivery.ID || *re.Delivery.RedeliveryOf != test.Delivery.ID || len(started.ids) != 2 || started.ids[1] != re.Delivery.ID {
		t.Fatalf("redelivery %+v, started %v", re.Delivery, started.ids)
	}

	// The delivery with its attempts, and the list filtered by endpoint.
	if _, err := h.store.RecordWebhookAttempt(ctx, models.WebhookAttemptRecord{DeliveryID: test.Delivery.ID, Attempt: 1,
		StatusCode: new(503), LatencyMS: 40, Error: "503 Service Unavailable"}); err != nil {
		t.Fatal(err)
	}
	rec = h.do(req{method: "GET", path: "/api/v1/webhook-deliveries/" + test.Delivery.ID.String(), cookie: tm.member})
	wantStatus(t, rec, http.StatusOK)
	var got models.WebhookDelivery
	decode(t, rec, &got)
	if len(got.Attempts) != 1 || *got.Attempts[0].StatusCode != 503 || got.Attempts[0].LatencyMS != 40 || got.AttemptCount != 1 {
		t.Fatalf("delivery %s", rec.Body.String())
	}
	var page models.WebhookDeliveryPage
	decode(t, h.do(req{method: "GET", path: acct + "/webhook-deliveries?limit=1&endpoint=" + ep.String(), cookie: tm.member}), &page)
	if len(page.Items) != 1 || page.Items[0].ID != re.Delivery.ID || page.NextCursor == "" {
		t.Fatalf("first page %+v", page)
	}
	decode(t, h.do(req{method: "GET", path: acct + "/webhook-deliveries?limit=1&endpoint=" + ep.String() + "&cursor=" + page.NextCursor, cookie: tm.member}), &page)
	if len(page.Items) != 1 || page.Items[0].ID != test.Delivery.ID || len(page.Items[0].Attempts) != 1 || page.NextCursor != "" {
		t.Fatalf("second page %+v", page)
	}

	// Rotation answers a new secret, once.
	rec = h.do(req{method: "POST", path: endpoint + "/rotate-secret", cookie: tm.admin})
	wantStatus(t, rec, http.StatusOK)
	var rotated struct {
		Secret string `json:"secret"`
	}
	decode(t, rec, &rotated)
	if !strings.HasPrefix(rotated.Secret, "whsec_") || rotated.Secret == secret {
		t.Fatalf("rotated %q", rotated.Secret)
	}

	// Deleting takes the deliveries along.
	wantStatus(t, h.do(req{method: "DELETE", path: endpoint, cookie: tm.admin}), http.StatusNoContent)
	wantProblem(t, h.do(req{method: "GET", path: "/api/v1/webhook-deliveries/" + test.Delivery.ID.String(), cookie: tm.admin}),
		http.StatusNotFound, "webhook_delivery_not_found")
	for _, typ := range []models.EventType{models.EventWebhookEndpointAdded, models.EventWebhookEndpointOff, models.EventWebhookEndpointEnabled,
		models.EventWebhookTestSent, models.EventWebhookRedelivered, models.EventWebhookSecretRotated, models.EventWebhookEndpointGone} {
		var n int64
		h.store.Gorm().Model(&models.Event{}).Where("type = ? AND developer_account_id = ?", typ, tm.acme).Count(&n)
		if n != 1 {
			t.Errorf("%d %s events, want 1", n, typ)
		}
	}
}

// Bad input gets a 4xx problem with a stable code and changes nothing.
func TestWebhookBadInput(t *testing.T) {
	h, tm, started := newWebhookHarness(t)
	acct := "/api/v1/developer-accounts/" + tm.acme.String()
	ep, _ := createEndpoint(t, h, tm, "https://hooks.example.com/a")
	endpoint := "/api/v1/webhook-endpoints/" + ep.String()
	counts := func() [3]int64 {
		var out [3]int64
		for i, table := range []string{"webhook_endpoints", "webhook_deliveries", "event_logs"} {
			h.store.Gorm().Table(table).Count(&out[i])
		}
		return out
	}
	before := counts()
	for _, tc := range []struct {
		name, method, path string
		body               any
		headers            map[string]string
		status             int
		code, field        string
	}{
		{"http in production", "POST", acct + "/webhook-endpoints", map[string]any{"url": "http://hooks.example.com"}, nil, 422, "invalid_webhook_endpoint", "url"},
		{"localhost in production", "POST", acct + "/webhook-endpoints", map[string]any{"url": "https://localhost:8443/hook"}, nil, 422, "invalid_webhook_endpoint", "url"},
		{"private address in production", "POST", acct + "/webhook-endpoints", map[string]any{"url": "https://10.0.0.7/hook"}, nil, 422, "invalid_webhook_endpoint", "url"},
		{"not a URL", "POST", acct + "/webhook-endpoints", map[string]any{"url": "hooks"}, nil, 422, "invalid_webhook_endpoint", "url"},
		{"no URL", "POST", acct + "/webhook-endpoints", map[string]any{"description": "x"}, nil, 422, "invalid_webhook_endpoint", "url"},
		{"unknown event", "POST", acct + "/webhook-endpoints", map[string]any{"url": "https://hooks.example.com", "event_types": []string{"deployment.nope"}}, nil, 422, "invalid_webhook_endpoint", "event_types[0]"},
		{"long description", "POST", acct + "/webhook-endpoints", map[string]any{"url": "https://hooks.example.com", "description": strings.Repeat("d", 501)}, nil, 422, "invalid_webhook_endpoint", "description"},
		{"events not a list", "POST", acct + "/webhook-endpoints", map[string]any{"url": "https://hooks.example.com", "event_types": "all"}, nil, 422, "invalid_field_type", "event_types"},
		{"unknown field", "POST", acct + "/webhook-endpoints", map[string]any{"url": "https://hooks.example.com", "secret": "whsec_mine"}, nil, 422, "unknown_field", "secret"},
		{"malformed JSON", "POST", acct + "/webhook-endpoints", `{"url": `, nil, 400, "malformed_json", ""},
		{"not JSON", "POST", acct + "/webhook-endpoints", `url=https://hooks.example.com`, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type", ""},
		{"update to http", "PATCH", endpoint, map[string]any{"url": "http://hooks.example.com", "description": "changed"}, nil, 422, "invalid_webhook_endpoint", "url"},
		{"enabled not a boolean", "PATCH", endpoint, map[string]any{"enabled": "no"}, nil, 422, "invalid_field_type", "enabled"},
		{"endpoint filter not a UUID", "GET", acct + "/webhook-deliveries?endpoint=nope", nil, nil, 422, "invalid_query", "endpoint"},
		{"bad cursor", "GET", acct + "/webhook-deliveries?cursor=nope", nil, nil, 422, "invalid_cursor", "cursor"},
		{"limit too large", "GET", acct + "/webhook-deliveries?limit=1000", nil, nil, 422, "invalid_limit", "limit"},
		{"limit zero", "GET", acct + "/webhook-deliveries?limit=0", nil, nil, 422, "invalid_limit", "limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := wantProblem(t, h.do(req{method: tc.method, path: tc.path, body: tc.body, cookie: tm.admin, headers: tc.headers}), tc.status, tc.code)
			if tc.field != "" && !slices.ContainsFunc(p.Errors, func(e models.FieldError) bool { return e.Field == tc.field }) {
				t.Fatalf("errors %+v do not name %s", p.Errors, tc.field)
			}
		})
	}
	if after := counts(); after != before {
		t.Fatalf("rows (endpoints, deliveries, events) went from %v to %v", before, after)
	}
	if got, _ := h.store.GetWebhookEndpoint(context.Background(), ep); got.Description != "CI" || got.URL != "https://hooks.example.com/a" {
		t.Fatalf("a refused update changed the endpoint: %+v", got)
	}

	// A delivery that cannot be scheduled is answered 503 and not left pending.
	started.err = errors.New("temporal is down")
	wantProblem(t, h.do(req{method: "POST", path: endpoint + "/test", cookie: tm.admin}), http.StatusServiceUnavailable, "webhook_not_scheduled")
	var d models.WebhookDelivery
	if err := h.store.Gorm().Where("endpoint_id = ?", ep).First(&d).Error; err != nil || d.Status != models.WebhookFailed || !strings.Contains(d.LastError, "scheduled") {
		t.Fatalf("unscheduled delivery %+v %v", d, err)
	}
}

// Development accepts http to localhost; a server without Temporal wiring
// refuses test events before writing anything.
func TestWebhookDevelopmentURLsAndNoDriver(t *testing.T) {
	h := newHarness(t, func(c *api.Config) { c.DevMode = true })
	withEncryption(t, h)
	tm := newTeam(t, h)
	ep, _ := createEndpoint(t, h, tm, "http://127.0.0.1:9999/hooks")
	wantProblem(t, h.do(req{method: "POST", path: "/api/v1/webhook-endpoints/" + ep.String() + "/test", cookie: tm.admin}),
		http.StatusServiceUnavailable, "webhooks_unavailable")
	var n int64
	h.store.Gorm().Table("webhook_deliveries").Count(&n)
	if n != 0 {
		t.Fatalf("%d deliveries written", n)
	}
	wantProblem(t, h.do(req{method: "POST", path: "/api/v1/developer-accounts/" + tm.acme.String() + "/webhook-endpoints", cookie: tm.admin,
		body: map[string]any{"url": "http://hooks.example.com"}}), 422, "invalid_webhook_endpoint")
}
