package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/modeltest"
	"appstore/models/postgres"
)

// webhookFixture is a store with an encryption key and a developer account
// administered by admin.
type webhookFixture struct {
	s     *postgres.Store
	ctx   context.Context // acting as admin
	admin *models.User
	acct  *models.DeveloperAccount
}

func newWebhookFixture(t *testing.T) *webhookFixture {
	t.Helper()
	s := newStore(t)
	s.SetEncrypter(modeltest.NewEncrypter(t))
	admin := createUser(t, s, models.PlatformRoleNone)
	return &webhookFixture{s: s, ctx: models.WithActor(context.Background(), admin.ID), admin: admin, acct: createAccount(t, s, admin)}
}

func (f *webhookFixture) endpoint(t *testing.T, url string, types ...string) (*models.WebhookEndpoint, string) {
	t.Helper()
	ep, secret, err := f.s.CreateWebhookEndpoint(f.ctx, f.acct.ID, models.WebhookEndpointInput{URL: url, EventTypes: types}, true)
	if err != nil {
		t.Fatalf("CreateWebhookEndpoint(%s): %v", url, err)
	}
	return ep, secret
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	de, ok := models.AsError(err)
	if !ok || de.Code != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
}

func TestWebhookEndpointLifecycle(t *testing.T) {
	t.Parallel()
	f := newWebhookFixture(t)
	ep, secret := f.endpoint(t, " https://hooks.example.com/a ", "deployment.published", "deployment.approved", "deployment.published")
	if !strings.HasPrefix(secret, "whsec_") || len(secret) != len("whsec_")+44 {
		t.Fatalf("secret %q is not whsec_ + base64 of 32 bytes", secret)
	}
	if ep.URL != "https://hooks.example.com/a" || !ep.Enabled() || *ep.CreatedBy != f.admin.ID ||
		!slices.Equal(ep.EventTypes, models.JSONList[models.EventType]{"deployment.published", "deployment.approved"}) {
		t.Fatalf("endpoint %+v", ep)
	}
	// Stored encrypted and bound to the row.
	var raw []byte
	f.s.Gorm().Raw(`SELECT secret_ciphertext FROM webhook_endpoints WHERE id = ?`, ep.ID).Row().Scan(&raw)
	if len(raw) == 0 || strings.Contains(string(raw), secret[6:]) {
		t.Fatal("the secret is not stored encrypted")
	}
	d, err := f.s.SendWebhookTest(f.ctx, ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	target, err := f.s.WebhookDeliveryTarget(f.ctx, d.ID)
	if err != nil || target.Secret != secret || target.URL != ep.URL || !target.Enabled {
		t.Fatalf("target %+v, %v", target, err)
	}

	// Bad input changes nothing and names every bad field.
	_, err = f.s.UpdateWebhookEndpoint(f.ctx, ep.ID, models.WebhookEndpointUpdate{
		URL: ptr("http://hooks.example.com"), Description: ptr(strings.Repeat("x", 501)), EventTypes: &[]string{"app.created"}}, true)
	wantCode(t, err, "invalid_webhook_endpoint")
	if de, _ := models.AsError(err); len(de.Fields) != 3 {
		t.Fatalf("field errors %+v, want url, description, event_types[0]", de.Fields)
	}
	if got, _ := f.s.GetWebhookEndpoint(f.ctx, ep.ID); got.URL != ep.URL || got.Description != "" {
		t.Fatalf("a refused update changed %+v", got)
	}

	// Disable, enable, edit: one event each.
	got, err := f.s.UpdateWebhookEndpoint(f.ctx, ep.ID, models.WebhookEndpointUpdate{Enabled: ptr(false)}, true)
	if err != nil || got.Enabled() || got.DisabledReason == "" {
		t.Fatalf("disable: %+v %v", got, err)
	}
	_, err = f.s.SendWebhookTest(f.ctx, ep.ID)
	wantCode(t, err, "webhook_endpoint_disabled")
	got, err = f.s.UpdateWebhookEndpoint(f.ctx, ep.ID, models.WebhookEndpointUpdate{Enabled: ptr(true), EventTypes: &[]string{}, Description: ptr("CI")}, true)
	if err != nil || !got.Enabled() || got.DisabledReason != "" || len(got.EventTypes) != 0 || got.Description != "CI" {
		t.Fatalf("enable: %+v %v", got, err)
	}
	for typ, n := range map[models.EventType]int{
		models.EventWebhookEndpointAdded: 1, models.EventWebhookEndpointOff: 1, models.EventWebhookEndpointEnabled: 1,
		models.EventWebhookEndpointUpdated: 1, models.EventWebhookTestSent: 1,
	} {
		events := eventsOf(t, f.s, typ)
		if len(events) != n || *events[0].DeveloperAccountID != f.acct.ID || *events[0].ActorID != f.admin.ID {
			t.Errorf("%s events: %+v, want %d of the account by the admin", typ, events, n)
		}
	}

	// Rotation: a new secret, which the target now carries.
	_, rotated, err := f.s.RotateWebhookEndpointSecret(f.ctx, ep.ID)
	if err != nil || rotated == secret || !strings.HasPrefix(rotated, "whsec_") {
		t.Fatalf("rotate: %q %v", rotated, err)
	}
	if target, _ := f.s.WebhookDeliveryTarget(f.ctx, d.ID); target.Secret != rotated {
		t.Fatal("the target still carries the old secret")
	}

	// Deleting takes the deliveries with it.
	if err := f.s.DeleteWebhookEndpoint(f.ctx, ep.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.GetWebhookDelivery(f.ctx, d.ID); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("delivery after delete: %v", err)
	}
	if err := f.s.DeleteWebhookEndpoint(f.ctx, ep.ID); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if events := eventsOf(t, f.s, models.EventWebhookEndpointGone); len(events) != 1 || events[0].Data["url"] != ep.URL {
		t.Fatalf("deleted events %+v", events)
	}
}

func TestCreateWebhookEndpointRules(t *testing.T) {
	t.Parallel()
	f := newWebhookFixture(t)
	for _, tc := range []struct {
		in         models.WebhookEndpointInput
		production bool
		code       string
	}{
		{models.WebhookEndpointInput{URL: "http://localhost:9000/hook"}, true, "invalid_webhook_endpoint"},
		{models.WebhookEndpointInput{URL: "http://localhost:9000/hook"}, false, ""},
		{models.WebhookEndpointInput{URL: "http://hooks.example.com/hook"}, false, "invalid_webhook_endpoint"},
		{models.WebhookEndpointInput{URL: "https://hooks.example.com", EventTypes: []string{"deployment.nope"}}, true, "invalid_webhook_endpoint"},
		{models.WebhookEndpointInput{URL: "https://hooks.example.com", EventTypes: []string{"ping"}}, true, "invalid_webhook_endpoint"},
	} {
		_, _, err := f.s.CreateWebhookEndpoint(f.ctx, f.acct.ID, tc.in, tc.production)
		if tc.code == "" && err != nil {
			t.Errorf("%+v (production %v): %v", tc.in, tc.production, err)
		} else if tc.code != "" {
			if de, ok := models.AsError(err); !ok || de.Code != tc.code {
				t.Errorf("%+v (production %v): %v, want %s", tc.in, tc.production, err, tc.code)
			}
		}
	}
	if n := countRows(t, f.s, "webhook_endpoints"); n != 1 {
		t.Fatalf("%d endpoints, want the one valid", n)
	}
	_, _, err := f.s.CreateWebhookEndpoint(f.ctx, uuid.New(), models.WebhookEndpointInput{URL: "https://hooks.example.com"}, true)
	if !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("unknown account: %v", err)
	}
	for i := 1; i < models.MaxWebhookEndpoints; i++ {
		f.endpoint(t, fmt.Sprintf("https://hooks.example.com/%d", i))
	}
	_, _, err = f.s.CreateWebhookEndpoint(f.ctx, f.acct.ID, models.WebhookEndpointInput{URL: "https://hooks.example.com/last"}, true)
	wantCode(t, err, "too_many_webhook_endpoints")
}

// Enqueueing fans out to the enabled, subscribed endpoints, once per
// prefix: a retried caller gets the same ids, even after an endpoint
// changed in between.
func TestEnqueueDeveloperEvent(t *testing.T) {
	t.Parallel()
	f := newWebhookFixture(t)
	all, _ := f.endpoint(t, "https://all.example.com")
	published, _ := f.endpoint(t, "https://published.example.com", "deployment.published")
	f.endpoint(t, "https://approved.example.com", "deployment.approved")
	off, _ := f.endpoint(t, "https://off.example.com")
	if _, err := f.s.UpdateWebhookEndpoint(f.ctx, off.ID, models.WebhookEndpointUpdate{Enabled: ptr(false)}, true); err != nil {
		t.Fatal(err)
	}
	other := createAccount(t, f.s, f.admin)
	if _, _, err := f.s.CreateWebhookEndpoint(f.ctx, other.ID, models.WebhookEndpointInput{URL: "https://other.example.com"}, true); err != nil {
		t.Fatal(err)
	}

	payload := models.JSONMap{"deployment_id": "d1", "version": "1.2.0"}
	ids, err := f.s.EnqueueDeveloperEvent(f.ctx, f.acct.ID, models.EventDeploymentPublished, "deployment.published:d1", payload)
	if err != nil || len(ids) != 2 {
		t.Fatalf("ids %v, %v; want 2", ids, err)
	}
	var got []models.WebhookDelivery
	f.s.Gorm().Where("id IN ?", ids).Order("created_at, id").Find(&got)
	targets := []uuid.UUID{*got[0].EndpointID, *got[1].EndpointID}
	if !slices.Contains(targets, all.ID) || !slices.Contains(targets, published.ID) {
		t.Fatalf("deliveries to %v, want %s and %s", targets, all.ID, published.ID)
	}
	for _, d := range got {
		if d.Status != models.WebhookPending || d.EventType != models.EventDeploymentPublished || d.Payload["version"] != "1.2.0" ||
			d.DeveloperAccountID != f.acct.ID || d.DedupeKey != "deployment.published:d1:"+d.EndpointID.String() {
			t.Fatalf("delivery %+v", d)
		}
	}

	if _, err := f.s.UpdateWebhookEndpoint(f.ctx, published.ID, models.WebhookEndpointUpdate{Enabled: ptr(false)}, true); err != nil {
		t.Fatal(err)
	}
	again, err := f.s.EnqueueDeveloperEvent(f.ctx, f.acct.ID, models.EventDeploymentPublished, "deployment.published:d1", payload)
	if err != nil || !slices.Equal(again, ids) {
		t.Fatalf("retry gave %v (%v), want %v", again, err, ids)
	}
	if n := countRows(t, f.s, "webhook_deliveries"); n != 2 {
		t.Fatalf("%d deliveries after the retry, want 2", n)
	}
	if ids, err := f.s.EnqueueDeveloperEvent(f.ctx, f.acct.ID, models.EventDeploymentRejected, "deployment.rejected:d1", nil); err != nil || len(ids) != 1 {
		t.Fatalf("rejected: %v %v, want one delivery (to the endpoint of every event)", ids, err)
	}
}

func TestEnqueueAppEvent(t *testing.T) {
	t.Parallel()
	f := newWebhookFixture(t)
	app := createApp(t, f.s, f.acct)
	ids, err := f.s.EnqueueAppEvent(f.ctx, app.ID, "app.installed", "install:1", models.JSONMap{"installation_id": "i1"})
	if err != nil || len(ids) != 0 {
		t.Fatalf("app without webhook URL: %v %v", ids, err)
	}
	_, secret, err := f.s.SetAppWebhookURL(f.ctx, app.ID, "https://app.example.com/hooks")
	if err != nil {
		t.Fatal(err)
	}
	ids, err = f.s.EnqueueAppEvent(f.ctx, app.ID, "app.installed", "install:1", models.JSONMap{"installation_id": "i1"})
	if err != nil || len(ids) != 1 {
		t.Fatalf("ids %v %v", ids, err)
	}
	again, err := f.s.EnqueueAppEvent(f.ctx, app.ID, "app.installed", "install:1", models.JSONMap{"installation_id": "i1"})
	if err != nil || !slices.Equal(again, ids) {
		t.Fatalf("retry %v %v, want %v", again, err, ids)
	}
	target, err := f.s.WebhookDeliveryTarget(f.ctx, ids[0])
	if err != nil || target.URL != "https://app.example.com/hooks" || target.Secret != secret || !target.Enabled ||
		*target.Delivery.AppID != app.ID || target.Delivery.EndpointID != nil {
		t.Fatalf("target %+v %v", target, err)
	}
	if _, err := f.s.EnqueueAppEvent(f.ctx, uuid.New(), "app.installed", "install:2", nil); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("unknown app: %v", err)
	}
}

// The activity-facing methods: attempts are recorded once per number,
// finishing is once, 410 disables once.
func TestWebhookAttemptsAndFinish(t *testing.T) {
	t.Parallel()
	f := newWebhookFixture(t)
	ep, _ := f.endpoint(t, "https://hooks.example.com")
	d, err := f.s.SendWebhookTest(f.ctx, ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	next := time.Now().Add(time.Minute).UTC().Truncate(time.Microsecond)
	rec := models.WebhookAttemptRecord{DeliveryID: d.ID, Attempt: 1, StatusCode: ptr(500), LatencyMS: 12, Error: "HTTP 500", NextAttemptAt: &next}
	for i, want := range []bool{true, false} {
		if recorded, err := f.s.RecordWebhookAttempt(f.ctx, rec); err != nil || recorded != want {
			t.Fatalf("record #%d: %v %v, want %v", i, recorded, err, want)
		}
		rec.StatusCode = ptr(502) // a retried activity saw something else: the first record stands
	}
	if _, err := f.s.RecordWebhookAttempt(f.ctx, models.WebhookAttemptRecord{DeliveryID: d.ID, Attempt: 2, Error: "connection refused"}); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.GetWebhookDelivery(f.ctx, d.ID)
	if err != nil || got.AttemptCount != 2 || got.LastStatusCode != nil || got.LastError != "connection refused" || len(got.Attempts) != 2 ||
		*got.Attempts[0].StatusCode != 500 || got.Attempts[0].LatencyMS != 12 || got.Attempts[1].Attempt != 2 {
		t.Fatalf("delivery %+v %v", got, err)
	}
	if a, err := f.s.FindWebhookAttempt(f.ctx, d.ID, 1); err != nil || *a.StatusCode != 500 {
		t.Fatalf("find attempt 1: %+v %v", a, err)
	}
	if _, err := f.s.FindWebhookAttempt(f.ctx, d.ID, 3); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("find attempt 3: %v", err)
	}
	if _, err := f.s.RecordWebhookAttempt(f.ctx, models.WebhookAttemptRecord{DeliveryID: uuid.New(), Attempt: 1}); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("attempt of no delivery: %v", err)
	}

	if ok, err := f.s.FinishWebhookDelivery(f.ctx, d.ID, models.WebhookFailed, "Gone: the endpoint answered 410."); err != nil || !ok {
		t.Fatalf("finish: %v %v", ok, err)
	}
	if ok, err := f.s.FinishWebhookDelivery(f.ctx, d.ID, models.WebhookDelivered, ""); err != nil || ok {
		t.Fatalf("second finish: %v %v, want nothing done", ok, err)
	}
	got, _ = f.s.GetWebhookDelivery(f.ctx, d.ID)
	if got.Status != models.WebhookFailed || got.NextAttemptAt != nil || !strings.HasPrefix(got.LastError, "Gone") {
		t.Fatalf("finished %+v", got)
	}
	for i, want := range []bool{true, false} {
		if ok, err := f.s.DisableWebhookEndpoint(f.ctx, ep.ID, "The receiver answered 410 Gone."); err != nil || ok != want {
			t.Fatalf("disable #%d: %v %v", i, ok, err)
		}
	}
	if events := eventsOf(t, f.s, models.EventWebhookEndpointOff); len(events) != 1 || events[0].Data["endpoint_id"] != ep.ID.String() {
		t.Fatalf("disabled events %+v", events)
	}
	if target, err := f.s.WebhookDeliveryTarget(f.ctx, d.ID); err != nil || target.Enabled || target.Secret != "" {
		t.Fatalf("target of a disabled endpoint %+v %v", target, err)
	}
}

func TestRedeliverAndListWebhookDeliveries(t *testing.T) {
	t.Parallel()
	f := newWebhookFixture(t)
	a, _ := f.endpoint(t, "https://a.example.com")
	b, _ := f.endpoint(t, "https://b.example.com")
	var first *models.WebhookDelivery
	for range 3 {
		d, err := f.s.SendWebhookTest(f.ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		first = cmpOr(first, d)
	}
	if _, err := f.s.SendWebhookTest(f.ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	re, err := f.s.RedeliverWebhook(f.ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if re.ID == first.ID || *re.RedeliveryOf != first.ID || *re.EndpointID != a.ID || re.EventType != models.EventWebhookPing ||
		re.Payload["endpoint_id"] != a.ID.String() || re.Status != models.WebhookPending {
		t.Fatalf("redelivery %+v", re)
	}
	if _, err := f.s.RedeliverWebhook(f.ctx, uuid.New()); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("redeliver nothing: %v", err)
	}

	// Pages of two over the four deliveries of endpoint a, newest first.
	var seen []uuid.UUID
	cursor := ""
	for {
		page, err := f.s.ListWebhookDeliveries(f.ctx, models.WebhookDeliveryFilter{DeveloperAccountID: f.acct.ID, EndpointID: &a.ID,
			Cursor: cursor, Limit: 2, WithAttempts: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range page.Items {
			if *d.EndpointID != a.ID || d.Attempts == nil {
				t.Fatalf("listed %+v", d)
			}
			seen = append(seen, d.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(seen) != 4 || seen[0] != re.ID || seen[3] != first.ID {
		t.Fatalf("listed %v, want 4 newest first", seen)
	}
	page, err := f.s.ListWebhookDeliveries(f.ctx, models.WebhookDeliveryFilter{DeveloperAccountID: f.acct.ID})
	if err != nil || len(page.Items) != 5 || page.Items[0].Attempts != nil {
		t.Fatalf("all deliveries: %d, %v", len(page.Items), err)
	}
	_, err = f.s.ListWebhookDeliveries(f.ctx, models.WebhookDeliveryFilter{DeveloperAccountID: f.acct.ID, Cursor: "nope"})
	wantCode(t, err, "invalid_cursor")
	_, err = f.s.ListWebhookDeliveries(f.ctx, models.WebhookDeliveryFilter{DeveloperAccountID: f.acct.ID, Limit: 1000})
	wantCode(t, err, "invalid_limit")

	if _, err := f.s.UpdateWebhookEndpoint(f.ctx, a.ID, models.WebhookEndpointUpdate{Enabled: ptr(false)}, true); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.RedeliverWebhook(f.ctx, first.ID)
	wantCode(t, err, "webhook_endpoint_disabled")
}

func cmpOr[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}
