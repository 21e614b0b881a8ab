package workflows_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"appstore/activities"
	"appstore/models"
	"appstore/workflows"
	"appstore/workflows/contract"
	"appstore/workflows/temporaltest"
)

// flakyReceiver answers 500 to its first three requests; after that it
// verifies the Standard Webhooks signature, dedupes by webhook-id as a
// receiver should, and answers 204.
type flakyReceiver struct {
	secret    string
	mu        sync.Mutex
	requests  int
	processed map[string]int // verified deliveries processed, by webhook-id
	refused   int            // requests past the third that failed verification
}

func (r *flakyReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	if r.requests <= 3 {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	if err := models.VerifyWebhook(r.secret, req.Header, body, time.Now(), 0); err != nil {
		r.refused++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	r.processed[req.Header.Get(models.WebhookIDHeader)]++
	w.WriteHeader(http.StatusNoContent)
}

// TestWebhookDeliveryIntegration runs the real workflow, activities and
// outbound client on the dev server against a local receiver that fails
// three times: the event is delivered once, after four recorded attempts.
// A parent workflow starts the delivery through StartWebhookDeliveries
// and ends at once: the child runs on (ABANDON).
func TestWebhookDeliveryIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := temporaltest.DevServer(t).Client()

	rcv := &flakyReceiver{processed: map[string]int{}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	f := newWebhookFixture(t, newHookReceiver(t, 200)) // its own receiver is not used
	if _, err := f.store.UpdateWebhookEndpoint(ctx, f.endpoint.ID, models.WebhookEndpointUpdate{URL: &srv.URL}, false); err != nil {
		t.Fatal(err)
	}
	rcv.secret = f.rcv.secret

	queue := "webhook-test-" + uuid.NewString()
	w := worker.New(c, queue, worker.Options{})
	workflows.Register(w, &activities.Activities{Store: f.store, OutboundAllow: loopback,
		HTTPClient:      activities.NewOutboundClient(loopback),
		WebhookSchedule: []time.Duration{0, time.Second, time.Second, time.Second, time.Second}})
	w.RegisterWorkflow(deliverAll)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	parent, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "deliver-all-" + uuid.NewString(), TaskQueue: queue},
		deliverAll, []uuid.UUID{f.delivery})
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.Get(ctx, nil); err != nil {
		t.Fatalf("parent: %v", err)
	}
	var res workflows.WebhookDeliveryResult
	if err := c.GetWorkflow(ctx, contract.WebhookDeliveryWorkflowID(f.delivery), "").Get(ctx, &res); err != nil {
		t.Fatalf("delivery run: %v", err)
	}
	if res.Status != models.WebhookDelivered || res.Attempts != 4 || res.LastStatusCode != 204 {
		t.Fatalf("result %+v", res)
	}

	rcv.mu.Lock()
	if rcv.requests != 4 || rcv.refused != 0 || len(rcv.processed) != 1 || rcv.processed[f.delivery.String()] != 1 {
		t.Errorf("receiver: %d requests, %d refused, processed %v; want 4, 0, the delivery once", rcv.requests, rcv.refused, rcv.processed)
	}
	rcv.mu.Unlock()
	d, err := f.store.GetWebhookDelivery(ctx, f.delivery)
	if err != nil {
		t.Fatal(err)
	}
	wantAttempts(t, d, 500, 500, 500, 204)
	if d.Status != models.WebhookDelivered || d.DeliveredAt == nil {
		t.Fatalf("delivery %+v", d)
	}
	for i := 1; i < len(d.Attempts); i++ {
		if gap := d.Attempts[i].CreatedAt.Sub(d.Attempts[i-1].CreatedAt); gap < 900*time.Millisecond {
			t.Errorf("attempt %d came %s after the previous one, before its 1 s delay", i+1, gap)
		}
	}

	// Ops find the run by the developer account.
	desc, err := c.DescribeWorkflowExecution(ctx, contract.WebhookDeliveryWorkflowID(f.delivery), "")
	if err != nil {
		t.Fatal(err)
	}
	if sa := desc.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()["DeveloperAccount"]; sa == nil || string(sa.GetData()) != `"hook-labs"` {
		t.Errorf("DeveloperAccount search attribute = %v", sa)
	}

	// Starting it again (a replayed parent) is harmless: nothing is resent.
	again, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "deliver-all-" + uuid.NewString(), TaskQueue: queue},
		deliverAll, []uuid.UUID{f.delivery})
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Get(ctx, nil); err != nil {
		t.Fatalf("second parent: %v", err)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if rcv.requests != 4 {
		t.Fatalf("%d requests after starting the delivery again, want still 4", rcv.requests)
	}
}
