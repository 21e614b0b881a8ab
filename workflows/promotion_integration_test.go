package workflows_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"

	"appstore/activities"
	"appstore/models"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
	"appstore/workflows"
	wfclient "appstore/workflows/client"
	"appstore/workflows/contract"
	"appstore/workflows/temporaltest"
)

const promotionHistory = "testdata/promotion_history.json"

// dieAfterPromote lets the first PromoteDeployment attempt commit its
// database work and then never report back, as a worker killed at that
// moment would: the test stops the worker while the attempt hangs.
type dieAfterPromote struct {
	interceptor.WorkerInterceptorBase
	committed chan struct{}
	once      sync.Once
}

func (d *dieAfterPromote) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &dyingActivity{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, d: d}
}

type dyingActivity struct {
	interceptor.ActivityInboundInterceptorBase
	d *dieAfterPromote
}

func (a *dyingActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	res, err := a.Next.ExecuteActivity(ctx, in)
	if activity.GetInfo(ctx).ActivityType.Name != "PromoteDeployment" || err != nil {
		return res, err
	}
	first := false
	a.d.once.Do(func() { first = true })
	if !first {
		return res, err
	}
	close(a.d.committed)
	<-ctx.Done() // the worker is being killed; this result is never reported
	return nil, ctx.Err()
}

// eventReceiver records verified deployment events by webhook-id.
type eventReceiver struct {
	secret string
	mu     sync.Mutex
	seen   map[string]string // webhook-id -> event type
	types  []string
}

func (r *eventReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := models.VerifyWebhook(r.secret, req.Header, body, time.Now(), 0); err != nil {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var ev struct{ Type string }
	_ = json.Unmarshal(body, &ev)
	id := req.Header.Get(models.WebhookIDHeader)
	if _, dup := r.seen[id]; !dup {
		r.seen[id] = ev.Type
		r.types = append(r.types, ev.Type)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (r *eventReceiver) received() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.types...)
}

// TestPromotionIntegration runs a promotion on the dev server with the real
// activities and database, kills the worker after the production
// deployment was committed but before the activity reported back, and
// restarts it: the promotion completes once (one row, version 0.1.0, one
// deployment.promoted event and webhook). Then the deployment goes through
// review to publication and deprecation, with every event delivered,
// signed, to the account's endpoint. -record saves the run's history for
// TestPromotionReplay.
func TestPromotionIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c := temporaltest.DevServer(t).Client()
	store := postgres.NewStore(pgtest.New(t))
	enc, err := models.NewEncrypter([]byte(strings.Repeat("p", 32)))
	if err != nil {
		t.Fatal(err)
	}
	store.SetEncrypter(enc)

	dev, err := store.CreateUser(ctx, models.NewUser{Email: "dev@promo.test", Name: "Dev", Password: "correct horse battery", Verified: true})
	if err != nil {
		t.Fatal(err)
	}
	reviewer, err := store.CreateUser(ctx, models.NewUser{Email: "rev@promo.test", Name: "Rev", Password: "correct horse battery",
		PlatformRole: models.PlatformRoleReviewer, Verified: true})
	if err != nil {
		t.Fatal(err)
	}
	acct, err := store.CreateDeveloperAccount(ctx, "promo-labs", "Promo Labs", dev.ID)
	if err != nil {
		t.Fatal(err)
	}
	org, err := store.CreateOrganization(ctx, "Promo Sandbox", dev.ID)
	if err != nil {
		t.Fatal(err)
	}
	app, err := store.CreateApp(ctx, acct.ID, "promo-widget", "Promo Widget")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Repeat("words ", 20)
	cat, site := "analytics", "https://example.com"
	if _, err := store.UpdateAppListing(ctx, app.ID, models.AppListingUpdate{Category: &cat, Description: &text, Overview: &text,
		ContentHowItWorks: &text, ContentConfigure: &text, WebsiteURL: &site, DocsURL: &site, ContactURL: &site, TermsURL: &site}); err != nil {
		t.Fatal(err)
	}
	rcv := &eventReceiver{seen: map[string]string{}}
	hooks := httptest.NewServer(rcv)
	defer hooks.Close()
	if _, rcv.secret, err = store.CreateWebhookEndpoint(ctx, acct.ID, models.WebhookEndpointInput{URL: hooks.URL}, false); err != nil {
		t.Fatal(err)
	}
	devDeployment, _, err := store.CreateDevelopmentDeployment(models.WithActor(ctx, dev.ID), app.ID,
		models.DevelopmentDeploymentInput{TargetOrganizationID: org.ID})
	if err != nil {
		t.Fatal(err)
	}

	queue := "promotion-test-" + uuid.NewString()
	acts := &activities.Activities{Store: store, Temporal: wfclient.New(c), Mailer: &activities.OutboxMailer{Store: store},
		HTTPClient: activities.NewOutboundClient(loopback), OutboundAllow: loopback,
		WebhookSchedule: []time.Duration{0, time.Second, time.Second}}
	dying := &dieAfterPromote{committed: make(chan struct{})}
	w1 := worker.New(c, queue, worker.Options{Interceptors: []interceptor.WorkerInterceptor{dying}})
	workflows.Register(w1, acts)
	if err := w1.Start(); err != nil {
		t.Fatal(err)
	}

	promotions := &wfclient.Promotions{Client: c, TaskQueue: queue, ReminderAfter: time.Hour}
	in := contract.PromotionInput{DevDeploymentID: devDeployment.ID, AppID: app.ID, AppSlug: app.Slug, DeveloperAccountID: acct.ID, DeveloperAccountSlug: acct.Slug}
	type answer struct {
		st  *contract.ReviewState
		err error
	}
	done := make(chan answer, 1)
	go func() {
		st, err := promotions.Promote(ctx, in, contract.ReviewArgs{ActorID: dev.ID, ReleaseNotes: "First"}, "")
		done <- answer{st, err}
	}()
	select {
	case <-dying.committed:
	case <-ctx.Done():
		t.Fatal("the first PromoteDeployment attempt never ran")
	}
	w1.Stop() // killed mid-promotion: the attempt's result is lost

	var attempts atomic.Int32
	w2 := worker.New(c, queue, worker.Options{Interceptors: []interceptor.WorkerInterceptor{&countPromotes{n: &attempts}}})
	workflows.Register(w2, acts)
	if err := w2.Start(); err != nil {
		t.Fatal(err)
	}
	defer w2.Stop()

	var got answer
	select {
	case got = <-done:
	case <-ctx.Done():
		t.Fatal("the promotion did not complete after the restart")
	}
	if got.err != nil {
		t.Fatalf("promote: %v", got.err)
	}
	if got.st.Version != "0.1.0" || got.st.Status != models.DeploymentActive {
		t.Fatalf("promotion answered %+v", got.st)
	}
	if attempts.Load() < 1 {
		t.Fatal("the restarted worker never retried PromoteDeployment")
	}
	var rows, promotedEvents int64
	store.Gorm().Model(&models.Deployment{}).Where("source_deployment_id = ?", devDeployment.ID).Count(&rows)
	store.Gorm().Model(&models.Event{}).Where("type = ? AND app_id = ?", models.EventDeploymentPromoted, app.ID).Count(&promotedEvents)
	if rows != 1 || promotedEvents != 1 {
		t.Fatalf("%d production rows and %d deployment.promoted events, want 1 and 1", rows, promotedEvents)
	}
	// Promoting again answers the same deployment.
	again, err := promotions.Promote(ctx, in, contract.ReviewArgs{ActorID: dev.ID}, "")
	if err != nil || again.DeploymentID != got.st.DeploymentID {
		t.Fatalf("second promote: %+v %v", again, err)
	}

	staff := contract.ReviewArgs{ActorID: reviewer.ID}
	for _, step := range []struct {
		action models.ReviewAction
		args   contract.ReviewArgs
		want   models.DeploymentStatus
	}{
		{models.ReviewSubmit, contract.ReviewArgs{ActorID: dev.ID}, models.DeploymentPendingReview},
		{models.ReviewClaim, staff, models.DeploymentInReview},
		{models.ReviewReject, contract.ReviewArgs{ActorID: reviewer.ID, Reasons: []models.RejectionReason{{Code: "broken-ui", Message: "Blank"}}}, models.DeploymentRejected},
		{models.ReviewSubmit, contract.ReviewArgs{ActorID: dev.ID}, models.DeploymentPendingReview},
		{models.ReviewClaim, staff, models.DeploymentInReview},
		{models.ReviewApprove, staff, models.DeploymentApproved},
		{models.ReviewPublish, contract.ReviewArgs{ActorID: dev.ID}, models.DeploymentPublished},
		{models.ReviewDeprecate, contract.ReviewArgs{ActorID: dev.ID}, models.DeploymentDeprecated},
	} {
		st, err := promotions.Move(ctx, devDeployment.ID, step.action, step.args, "")
		if err != nil {
			t.Fatalf("%s: %v", step.action, err)
		}
		if st.Status != step.want {
			t.Fatalf("%s gave %s, want %s", step.action, st.Status, step.want)
		}
	}
	run := c.GetWorkflow(ctx, contract.PromotionWorkflowID(devDeployment.ID), "")
	var final contract.ReviewState
	if err := run.Get(ctx, &final); err != nil {
		t.Fatalf("run result: %v", err)
	}
	if final.Status != models.DeploymentDeprecated || len(final.History) != 9 {
		t.Fatalf("final state %+v", final)
	}

	// Ops find the run by its search attributes, kept current to the end.
	desc, err := c.DescribeWorkflowExecution(ctx, contract.PromotionWorkflowID(devDeployment.ID), "")
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{}
	for name, p := range desc.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields() {
		var v string
		if converter.GetDefaultDataConverter().FromPayload(p, &v) == nil {
			attrs[name] = v
		}
	}
	for name, want := range map[string]string{"AppSlug": app.Slug, "DeveloperAccount": acct.Slug, "ReviewStatus": "deprecated",
		"Version": "0.1.0", "DeploymentID": got.st.DeploymentID.String()} {
		if attrs[name] != want {
			t.Errorf("search attribute %s = %q, want %q", name, attrs[name], want)
		}
	}

	want := []string{"deployment.promoted", "deployment.submitted", "deployment.claimed", "deployment.rejected",
		"deployment.submitted", "deployment.claimed", "deployment.approved", "deployment.published", "deployment.deprecated"}
	deadline := time.Now().Add(30 * time.Second)
	for len(rcv.received()) < len(want) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if got := rcv.received(); !sameMultiset(got, want) {
		t.Fatalf("the endpoint received %v, want each of %v once", got, want)
	}

	if *record {
		saveHistory(t, promotionHistory, fetchHistory(ctx, t, c, contract.PromotionWorkflowID(devDeployment.ID), ""))
	}
}

// countPromotes counts PromoteDeployment attempts on the restarted worker.
type countPromotes struct {
	interceptor.WorkerInterceptorBase
	n *atomic.Int32
}

func (c *countPromotes) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &countingActivity{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, n: c.n}
}

type countingActivity struct {
	interceptor.ActivityInboundInterceptorBase
	n *atomic.Int32
}

func (a *countingActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	if activity.GetInfo(ctx).ActivityType.Name == "PromoteDeployment" {
		a.n.Add(1)
	}
	return a.Next.ExecuteActivity(ctx, in)
}

// sameMultiset reports whether a and b hold the same strings as often.
func sameMultiset(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
