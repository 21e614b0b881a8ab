package workflows_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
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

func TestRetentionScheduleIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := temporaltest.DevServer(t).Client()
	store := postgres.NewStore(pgtest.New(t))

	now := time.Now().UTC()
	oldIDs := recordEvents(t, store, now.Add(-100*24*time.Hour), now.Add(-95*24*time.Hour), now.Add(-91*24*time.Hour))
	keptIDs := recordEvents(t, store, now.Add(-89*24*time.Hour), now.Add(-time.Hour))
	user, err := store.CreateUser(ctx, models.NewUser{Email: "ops@example.com", Name: "Ops", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	err = store.Gorm().Exec(`INSERT INTO login_tokens (token_hash, user_id, expires_at) VALUES
		(?, ?, now() - interval '1 day'), (?, ?, now() + interval '1 hour')`,
		models.HashToken("expired"), user.ID, models.HashToken("valid"), user.ID).Error
	if err != nil {
		t.Fatal(err)
	}
	// Account mail requests go a day after they expire.
	err = store.Gorm().Exec(`INSERT INTO account_mail_requests (id, user_id, purpose, expires_at) VALUES
		(?, ?, 'verify_email', now() - interval '25 hours'), (?, ?, 'password_reset', now() - interval '23 hours')`,
		uuid.New(), user.ID, uuid.New(), user.ID).Error
	if err != nil {
		t.Fatal(err)
	}

	taskQueue := "retention-test-" + uuid.NewString()
	w := worker.New(c, taskQueue, worker.Options{})
	workflows.Register(w, &activities.Activities{Store: store})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)

	// Intervals of years keep the Schedule from firing by itself mid-test.
	const firstEvery, every = 2 * 365 * 24 * time.Hour, 3 * 365 * 24 * time.Hour
	in := contract.RetentionInput{BatchSize: 2}
	// Serve and worker call it at the same time on start: neither may fail.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() {
			errs[i] = wfclient.New(c).EnsureRetentionSchedule(ctx, taskQueue, firstEvery, contract.RetentionInput{})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("concurrent ensure: %v", err)
		}
	}
	handle := c.ScheduleClient().GetHandle(ctx, contract.RetentionScheduleID)
	t.Cleanup(func() { handle.Delete(context.Background()) })
	// A restart with new configuration updates the existing Schedule.
	if err := wfclient.New(c).EnsureRetentionSchedule(ctx, taskQueue, every, in); err != nil {
		t.Fatalf("ensure with new config: %v", err)
	}

	desc, err := handle.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if iv := desc.Schedule.Spec.Intervals; len(iv) != 1 || iv[0].Every != every {
		t.Errorf("intervals = %+v, want one of %s", iv, every)
	}
	if got := desc.Schedule.Policy.Overlap; got != enumspb.SCHEDULE_OVERLAP_POLICY_SKIP {
		t.Errorf("overlap = %s, want skip", got)
	}
	action, ok := desc.Schedule.Action.(*client.ScheduleWorkflowAction)
	if !ok {
		t.Fatalf("action = %T, want a workflow action", desc.Schedule.Action)
	}
	if action.Workflow != "Retention" || action.ID != contract.RetentionWorkflowID || action.TaskQueue != taskQueue {
		t.Errorf("action = %s id %s on %s, want Retention id %s on %s",
			action.Workflow, action.ID, action.TaskQueue, contract.RetentionWorkflowID, taskQueue)
	}

	if err := handle.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	run := waitForScheduledRun(ctx, t, handle)
	var res workflows.RetentionResult
	if err := c.GetWorkflow(ctx, run.WorkflowID, run.FirstExecutionRunID).Get(ctx, &res); err != nil {
		t.Fatalf("retention run %s: %v", run.WorkflowID, err)
	}
	// The triggered run carries the updated input: batches of 2, default retention.
	if res.EventsDeleted != int64(len(oldIDs)) || res.LoginTokensDeleted != 1 || res.AccountMailRequestsDeleted != 1 {
		t.Errorf("result = %+v, want %d events, 1 login token and 1 account mail request", res, len(oldIDs))
	}
	if d := now.Add(-contract.DefaultEventRetention).Sub(res.Cutoff); d > time.Minute || d < -time.Minute {
		t.Errorf("cutoff = %s, want about %s", res.Cutoff, now.Add(-contract.DefaultEventRetention))
	}

	var left []uuid.UUID
	if err := store.Gorm().Raw(`SELECT id FROM event_logs WHERE id IN ? ORDER BY created_at`, append(oldIDs, keptIDs...)).Scan(&left).Error; err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(left, keptIDs) {
		t.Errorf("events left = %v, want exactly %v", left, keptIDs)
	}
	var tokens int64
	if err := store.Gorm().Raw(`SELECT count(*) FROM login_tokens WHERE expires_at < now()`).Scan(&tokens).Error; err != nil {
		t.Fatal(err)
	}
	if tokens != 0 {
		t.Errorf("%d expired login tokens left, want 0", tokens)
	}
	page, err := store.ListEvents(ctx, models.EventViewer{Role: models.PlatformRoleStaffAdmin},
		models.EventFilter{Types: []models.EventType{models.EventRetentionPurged}})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 1 || page.Events[0].Data["events_deleted"] != float64(len(oldIDs)) {
		t.Errorf("retention.purged events = %+v, want one with events_deleted %d", page.Events, len(oldIDs))
	}
}

// TestSearchAttributesRegistered checks the dev server the tests (and
// `appstore dev`) start knows every search attribute, as Keyword.
func TestSearchAttributesRegistered(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server")
	}
	c := temporaltest.DevServer(t).Client()
	resp, err := c.OperatorService().ListSearchAttributes(context.Background(),
		&operatorservice.ListSearchAttributesRequest{Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range contract.SearchAttributeNames {
		if got := resp.GetCustomAttributes()[name]; got != enumspb.INDEXED_VALUE_TYPE_KEYWORD {
			t.Errorf("search attribute %s = %s, want Keyword", name, got)
		}
	}
}

// recordEvents writes one event per time and returns their IDs.
func recordEvents(t *testing.T, store *postgres.Store, times ...time.Time) []uuid.UUID {
	t.Helper()
	var ids []uuid.UUID
	for _, at := range times {
		id := uuid.Must(uuid.NewV7())
		if err := store.RecordEvent(context.Background(), models.Event{ID: id, Type: models.EventLogin, CreatedAt: at}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// waitForScheduledRun waits until the Schedule has started a run and
// returns it.
func waitForScheduledRun(ctx context.Context, t *testing.T, handle client.ScheduleHandle) client.ScheduleWorkflowExecution {
	t.Helper()
	for {
		desc, err := handle.Describe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if a := desc.Info.RecentActions; len(a) > 0 && a[len(a)-1].StartWorkflowResult != nil {
			return *a[len(a)-1].StartWorkflowResult
		}
		select {
		case <-ctx.Done():
			t.Fatal("the Schedule started no run")
		case <-time.After(100 * time.Millisecond):
		}
	}
}
