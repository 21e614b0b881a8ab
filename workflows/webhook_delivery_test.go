package workflows_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"appstore/activities"
	"appstore/models"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
	"appstore/workflows"
	"appstore/workflows/contract"
	"appstore/workflows/temporaltest"
)

// hookReceiver is a local webhook receiver answering with the statuses of
// its script in turn (the last repeats); it verifies every signature with
// the endpoint's secret and records what it saw.
type hookReceiver struct {
	*httptest.Server
	secret string
	mu     sync.Mutex
	script []int
	header http.Header // added to every answer
	seen   []seenWebhook
}

type seenWebhook struct {
	id       string
	verified bool
	status   int
}

func newHookReceiver(t *testing.T, script ...int) *hookReceiver {
	t.Helper()
	r := &hookReceiver{script: script, header: http.Header{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		status := r.script[min(len(r.seen), len(r.script)-1)]
		verified := models.VerifyWebhook(r.secret, req.Header, body, time.Now(), 0) == nil
		r.seen = append(r.seen, seenWebhook{id: req.Header.Get(models.WebhookIDHeader), verified: verified, status: status})
		for k, v := range r.header {
			w.Header()[k] = v
		}
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *hookReceiver) requests() []seenWebhook {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seenWebhook(nil), r.seen...)
}

// webhookFixture is a store with an account whose endpoint points at a
// receiver, and one pending delivery to it.
type webhookFixture struct {
	store    *postgres.Store
	endpoint *models.WebhookEndpoint
	rcv      *hookReceiver
	delivery uuid.UUID
}

var loopback = func() []*net.IPNet {
	var out []*net.IPNet
	for _, c := range []string{"127.0.0.0/8", "::1/128"} {
		_, n, _ := net.ParseCIDR(c)
		out = append(out, n)
	}
	return out
}()

func newWebhookFixture(t *testing.T, rcv *hookReceiver) *webhookFixture {
	t.Helper()
	ctx := context.Background()
	store := postgres.NewStore(pgtest.New(t))
	enc, err := models.NewEncrypter([]byte(strings.Repeat("h", 32)))
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
	ep, secret, err := store.CreateWebhookEndpoint(ctx, acct.ID, models.WebhookEndpointInput{URL: rcv.URL + "/hooks"}, false)
	if err != nil {
		t.Fatal(err)
	}
	rcv.secret = secret
	ids, err := store.EnqueueDeveloperEvent(ctx, acct.ID, models.EventDeploymentPublished, "deployment.published:d1",
		models.JSONMap{"deployment_id": "d1", "version": "1.0.0"})
	if err != nil || len(ids) != 1 {
		t.Fatalf("enqueue: %v %v", ids, err)
	}
	return &webhookFixture{store: store, endpoint: ep, rcv: rcv, delivery: ids[0]}
}

// testSchedule is short, but time skipping makes a long one as cheap.
var testSchedule = []time.Duration{0, time.Minute, 5 * time.Minute, 30 * time.Minute, time.Hour}

// deliveryEnv is a test environment with the real activities over f's
// store, recording the duration of every timer the workflow starts.
func deliveryEnv(t *testing.T, f *webhookFixture, timers *[]time.Duration) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(temporaltest.Logger(t))
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	workflows.Register(env, &activities.Activities{Store: f.store, WebhookSchedule: testSchedule,
		HTTPClient: activities.NewOutboundClient(loopback), OutboundAllow: loopback})
	env.OnUpsertTypedSearchAttributes(mock.Anything).Return(nil)
	if timers != nil {
		env.SetOnTimerScheduledListener(func(_ string, d time.Duration) { *timers = append(*timers, d) })
	}
	return env
}

// runDelivery runs the delivery of f to the end and returns its result and
// its row with the attempts.
func runDelivery(t *testing.T, f *webhookFixture, timers *[]time.Duration) (*workflows.WebhookDeliveryResult, *models.WebhookDelivery) {
	t.Helper()
	env := deliveryEnv(t, f, timers)
	env.ExecuteWorkflow(workflows.WebhookDelivery, contract.WebhookDeliveryInput{DeliveryID: f.delivery})
	if !env.IsWorkflowCompleted() {
		t.Fatal("the workflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow error: %v", err)
	}
	var res workflows.WebhookDeliveryResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	d, err := f.store.GetWebhookDelivery(context.Background(), f.delivery)
	if err != nil {
		t.Fatal(err)
	}
	return &res, d
}

// attemptStatuses lists the recorded status code of each attempt.
func attemptStatuses(d *models.WebhookDelivery) []int {
	var out []int
	for i, a := range d.Attempts {
		if a.Attempt != i+1 {
			return append(out, -1) // a gap or a duplicate
		}
		code := 0
		if a.StatusCode != nil {
			code = *a.StatusCode
		}
		out = append(out, code)
	}
	return out
}

func wantAttempts(t *testing.T, d *models.WebhookDelivery, want ...int) {
	t.Helper()
	got := attemptStatuses(d)
	if len(got) != len(want) {
		t.Fatalf("attempts %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("attempts %v, want %v", got, want)
		}
	}
	if d.AttemptCount != len(want) {
		t.Fatalf("attempt_count %d, want %d", d.AttemptCount, len(want))
	}
}

func TestWebhookDeliveryFirstTry(t *testing.T) {
	f := newWebhookFixture(t, newHookReceiver(t, http.StatusOK))
	var timers []time.Duration
	res, d := runDelivery(t, f, &timers)
	if res.Status != models.WebhookDelivered || res.Reason != workflows.WebhookEndDelivered || res.Attempts != 1 || res.LastStatusCode != 200 {
		t.Fatalf("result %+v", res)
	}
	if d.Status != models.WebhookDelivered || d.DeliveredAt == nil || d.NextAttemptAt != nil {
		t.Fatalf("delivery %+v", d)
	}
	wantAttempts(t, d, 200)
	if len(timers) != 0 {
		t.Fatalf("timers %v before a first attempt due at once", timers)
	}
	if seen := f.rcv.requests(); len(seen) != 1 || !seen[0].verified || seen[0].id != f.delivery.String() {
		t.Fatalf("receiver saw %+v", seen)
	}
}

// Three 500s, then a 204: four attempts, each after its scheduled delay
// plus at most 10% jitter.
func TestWebhookDeliveryRetriesThenDelivers(t *testing.T) {
	f := newWebhookFixture(t, newHookReceiver(t, 500, 500, 500, 204))
	var timers []time.Duration
	res, d := runDelivery(t, f, &timers)
	if res.Status != models.WebhookDelivered || res.Attempts != 4 || res.LastStatusCode != 204 {
		t.Fatalf("result %+v", res)
	}
	wantAttempts(t, d, 500, 500, 500, 204)
	if d.Status != models.WebhookDelivered {
		t.Fatalf("status %s", d.Status)
	}
	if len(timers) != 3 {
		t.Fatalf("timers %v, want 3", timers)
	}
	for i, got := range timers {
		planned := testSchedule[i+1]
		if got < planned || got >= planned+planned/10 {
			t.Errorf("timer before attempt %d: %s, want %s plus less than 10%%", i+2, got, planned)
		}
	}
	seen := f.rcv.requests()
	for _, s := range seen {
		if !s.verified || s.id != f.delivery.String() {
			t.Fatalf("receiver saw %+v: every attempt carries the same webhook-id and a valid signature", seen)
		}
	}
}

func TestWebhookDeliveryGoneDisablesEndpoint(t *testing.T) {
	f := newWebhookFixture(t, newHookReceiver(t, 500, http.StatusGone))
	res, d := runDelivery(t, f, nil)
	if res.Status != models.WebhookFailed || res.Reason != workflows.WebhookEndGone || res.Attempts != 2 {
		t.Fatalf("result %+v", res)
	}
	wantAttempts(t, d, 500, 410)
	if d.Status != models.WebhookFailed || !strings.Contains(d.LastError, "410") {
		t.Fatalf("delivery %+v", d)
	}
	ep, err := f.store.GetWebhookEndpoint(context.Background(), f.endpoint.ID)
	if err != nil || ep.Enabled() || !strings.Contains(ep.DisabledReason, "410") {
		t.Fatalf("endpoint %+v %v", ep, err)
	}
	var n int64
	f.store.Gorm().Model(&models.Event{}).Where("type = ?", models.EventWebhookEndpointOff).Count(&n)
	if n != 1 {
		t.Fatalf("%d webhook_endpoint.disabled events, want 1", n)
	}
}

func TestWebhookDeliveryPermanentClientError(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusNotFound} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			f := newWebhookFixture(t, newHookReceiver(t, status, 200))
			res, d := runDelivery(t, f, nil)
			if res.Status != models.WebhookFailed || res.Reason != workflows.WebhookEndRejected || res.Attempts != 1 {
				t.Fatalf("result %+v", res)
			}
			wantAttempts(t, d, status)
			if ep, _ := f.store.GetWebhookEndpoint(context.Background(), f.endpoint.ID); !ep.Enabled() {
				t.Fatal("a 4xx other than 410 disabled the endpoint")
			}
		})
	}
}

// 408 and 429 are worth another try; Retry-After makes the next wait at
// least what it asks (here 2 h, past the planned minute).
func TestWebhookDeliveryHonoursRetryAfter(t *testing.T) {
	rcv := newHookReceiver(t, http.StatusTooManyRequests, http.StatusRequestTimeout, 200)
	rcv.header.Set("Retry-After", "7200")
	f := newWebhookFixture(t, rcv)
	var timers []time.Duration
	res, d := runDelivery(t, f, &timers)
	if res.Status != models.WebhookDelivered || res.Attempts != 3 {
		t.Fatalf("result %+v", res)
	}
	wantAttempts(t, d, 429, 408, 200)
	if len(timers) != 2 || timers[0] < 2*time.Hour || timers[1] < 2*time.Hour {
		t.Fatalf("timers %v, want both at least the 2 h of Retry-After", timers)
	}
}

func TestWebhookDeliveryExhausted(t *testing.T) {
	f := newWebhookFixture(t, newHookReceiver(t, http.StatusServiceUnavailable))
	res, d := runDelivery(t, f, nil)
	if res.Status != models.WebhookFailed || res.Reason != workflows.WebhookEndExhausted || res.Attempts != len(testSchedule) {
		t.Fatalf("result %+v", res)
	}
	wantAttempts(t, d, 503, 503, 503, 503, 503)
	if d.Status != models.WebhookFailed || d.NextAttemptAt != nil || !strings.HasPrefix(d.LastError, "503") {
		t.Fatalf("delivery %+v", d)
	}
}

// A developer disabling the endpoint between attempts stops the delivery
// before the next POST.
func TestWebhookDeliveryEndpointDisabledMeanwhile(t *testing.T) {
	f := newWebhookFixture(t, newHookReceiver(t, 500))
	env := deliveryEnv(t, f, nil)
	env.RegisterDelayedCallback(func() {
		off := false
		if _, err := f.store.UpdateWebhookEndpoint(context.Background(), f.endpoint.ID, models.WebhookEndpointUpdate{Enabled: &off}, false); err != nil {
			t.Error(err)
		}
	}, 10*time.Second)
	env.ExecuteWorkflow(workflows.WebhookDelivery, contract.WebhookDeliveryInput{DeliveryID: f.delivery})
	var res workflows.WebhookDeliveryResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Reason != workflows.WebhookEndSkipped || res.Attempts != 1 || len(f.rcv.requests()) != 1 {
		t.Fatalf("result %+v after %d requests", res, len(f.rcv.requests()))
	}
	d, _ := f.store.GetWebhookDelivery(context.Background(), f.delivery)
	if d.Status != models.WebhookFailed || !strings.Contains(d.LastError, "disabled") {
		t.Fatalf("delivery %+v", d)
	}
}

// Pure workflow logic, activities mocked: an infrastructure error is
// retried by Temporal, a delivery already finished is left alone.
func TestWebhookDeliveryActivityRetriesAndSkips(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(temporaltest.Logger(t))
	env := suite.NewTestWorkflowEnvironment()
	workflows.Register(env, &activities.Activities{})
	id := uuid.Must(uuid.NewV7())
	env.OnActivity("WebhookDeliveryPlan", mock.Anything, id).Return(&activities.WebhookPlan{Found: true,
		Status: models.WebhookPending, Schedule: []time.Duration{0, time.Second}}, nil)
	env.OnUpsertTypedSearchAttributes(mock.Anything).Return(nil)
	calls := 0
	env.OnActivity("AttemptWebhook", mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.WebhookAttemptInput) (*activities.WebhookAttemptResult, error) {
			calls++
			if calls == 1 {
				return nil, errors.New("database is down")
			}
			if in.Attempt != 1 {
				t.Errorf("retry made attempt %d, want attempt 1 again", in.Attempt)
			}
			return &activities.WebhookAttemptResult{StatusCode: 202}, nil
		})
	var finished activities.FinishWebhookInput
	env.OnActivity("FinishWebhookDelivery", mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.FinishWebhookInput) error {
		finished = in
		return nil
	})
	env.ExecuteWorkflow(workflows.WebhookDelivery, contract.WebhookDeliveryInput{DeliveryID: id})
	var res workflows.WebhookDeliveryResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if calls != 2 || res.Status != models.WebhookDelivered || finished.Status != models.WebhookDelivered || finished.DeliveryID != id {
		t.Fatalf("%d calls, result %+v, finished %+v", calls, res, finished)
	}

	env = suite.NewTestWorkflowEnvironment()
	workflows.Register(env, &activities.Activities{})
	env.OnActivity("WebhookDeliveryPlan", mock.Anything, id).Return(&activities.WebhookPlan{Found: true, Status: models.WebhookDelivered}, nil)
	env.ExecuteWorkflow(workflows.WebhookDelivery, contract.WebhookDeliveryInput{DeliveryID: id})
	if err := env.GetWorkflowResult(&res); err != nil || res.Reason != workflows.WebhookEndSkipped || res.Status != models.WebhookDelivered {
		t.Fatalf("finished delivery: %+v %v", res, err)
	}

	env = suite.NewTestWorkflowEnvironment()
	workflows.Register(env, &activities.Activities{})
	env.ExecuteWorkflow(workflows.WebhookDelivery, contract.WebhookDeliveryInput{})
	var appErr *temporal.ApplicationError
	if err := env.GetWorkflowError(); !errors.As(err, &appErr) || appErr.Type() != contract.ErrTypeInvalidWebhookDelivery {
		t.Fatalf("nil id: %v", err)
	}
}

// deliverAll is a parent workflow as the Promotion workflow uses the
// helper: it starts deliveries and ends without waiting for them.
func deliverAll(ctx workflow.Context, ids []uuid.UUID) error {
	return workflows.StartWebhookDeliveries(ctx, ids)
}

// StartWebhookDeliveries starts each delivery once: an id listed twice, as
// a replayed parent would, is already started, not an error.
func TestStartWebhookDeliveries(t *testing.T) {
	f := newWebhookFixture(t, newHookReceiver(t, 204))
	second, err := f.store.SendWebhookTest(context.Background(), f.endpoint.ID)
	if err != nil {
		t.Fatal(err)
	}
	env := deliveryEnv(t, f, nil)
	env.RegisterWorkflow(deliverAll)
	env.ExecuteWorkflow(deliverAll, []uuid.UUID{f.delivery, second.ID, f.delivery})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	for _, id := range []uuid.UUID{f.delivery, second.ID} {
		d, err := f.store.GetWebhookDelivery(context.Background(), id)
		if err != nil || d.Status != models.WebhookDelivered || len(d.Attempts) != 1 {
			t.Fatalf("delivery %s: %+v %v", id, d, err)
		}
	}
	if n := len(f.rcv.requests()); n != 2 {
		t.Fatalf("receiver saw %d requests, want 2", n)
	}
}
