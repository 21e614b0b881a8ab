package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"appstore/activities"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
	"appstore/workflows"
	wfclient "appstore/workflows/client"
	"appstore/workflows/contract"
	"appstore/workflows/temporaltest"
)

// newWorker runs the real workflows and activities on a task queue of
// the test's own, on the test binary's dev server.
func newWorker(t *testing.T) (*postgres.Store, sdkclient.Client, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the Temporal dev server: skipped with -short")
	}
	store := postgres.NewStore(pgtest.New(t))
	c := temporaltest.DevServer(t).Client()
	queue := "client-test-" + uuid.NewString()
	w := worker.New(c, queue, worker.Options{})
	workflows.Register(w, &activities.Activities{Store: store, Mailer: activities.OutboxMailer{Store: store},
		BaseURL: "https://appstore.test", Temporal: wfclient.New(c)})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return store, c, queue
}

// TestRunErrors checks the SDK's errors come back as contract's: a
// workflow that never ran is ErrNotFound, one whose run has ended
// ErrAlreadyCompleted, for an Update, an Update-With-Start and a Query.
func TestRunErrors(t *testing.T) {
	store, sdk, queue := newWorker(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := store.SignUp(ctx, "ola@example.test", "Ola", "violet-otter-lamp")
	if err != nil {
		t.Fatal(err)
	}
	if err := (&wfclient.AccountMails{Client: sdk, TaskQueue: queue}).Send(ctx, res.MailRequestID); err != nil {
		t.Fatal(err)
	}
	ended := contract.AccountMailWorkflowID(res.MailRequestID)
	if err := sdk.GetWorkflow(ctx, ended, "").Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	missing := "client-test-missing-" + uuid.NewString()
	c := wfclient.New(sdk)
	for name, tt := range map[string]struct {
		err  error
		want error
	}{
		"update of a missing run": {c.Update(ctx, wfclient.Update{WorkflowID: missing, Name: "any"}, nil), contract.ErrNotFound},
		"update of an ended run":  {c.Update(ctx, wfclient.Update{WorkflowID: ended, Name: "any"}, nil), contract.ErrAlreadyCompleted},
		"update-with-start of an ended run": {c.UpdateWithStart(ctx, wfclient.Start{Workflow: contract.AccountMailWorkflow, ID: ended,
			TaskQueue: queue, Input: res.MailRequestID}, wfclient.Update{Name: "any"}, nil), contract.ErrAlreadyCompleted},
		"query of a missing run": {c.Query(ctx, missing, "any", nil), contract.ErrNotFound},
	} {
		if !errors.Is(tt.err, tt.want) {
			t.Errorf("%s: error = %v, want %v", name, tt.err, tt.want)
		}
	}
}

// TestEnsureSchedule creates a Schedule, keeps or updates it as asked, and
// deletes it, twice.
func TestEnsureSchedule(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the Temporal dev server: skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sdk := temporaltest.DevServer(t).Client()
	c := wfclient.New(sdk)
	// Intervals of years keep the Schedule from firing by itself mid-test.
	const year = 365 * 24 * time.Hour
	s := wfclient.Schedule{ID: "client-test-" + uuid.NewString(), Every: 2 * year, Workflow: contract.RetentionWorkflow,
		WorkflowID: "client-test-retention", Input: contract.RetentionInput{}, TaskQueue: "client-test"}
	handle := sdk.ScheduleClient().GetHandle(ctx, s.ID)
	every := func() time.Duration {
		t.Helper()
		desc, err := handle.Describe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return desc.Schedule.Spec.Intervals[0].Every
	}
	steps := []struct {
		every time.Duration
		keep  bool
		want  time.Duration
	}{
		{2 * year, false, 2 * year}, // created
		{3 * year, true, 2 * year},  // kept
		{3 * year, false, 3 * year}, // updated
	}
	for i, st := range steps {
		s.Every, s.KeepExisting = st.every, st.keep
		if err := c.EnsureSchedule(ctx, s); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := every(); got != st.want {
			t.Errorf("step %d: interval %s, want %s", i, got, st.want)
		}
	}
	s.Every = 0
	if err := c.EnsureSchedule(ctx, s); err == nil {
		t.Error("a zero interval was accepted")
	}
	for range 2 {
		if err := c.DeleteSchedule(ctx, s.ID); err != nil {
			t.Fatalf("delete: %v", err)
		}
	}
	if _, err := handle.Describe(ctx); err == nil {
		t.Fatal("the Schedule survived its deletion")
	}
}
