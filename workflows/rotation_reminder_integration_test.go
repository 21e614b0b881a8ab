package workflows_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"appstore/activities"
	"appstore/models"
	"appstore/workflows"
	wfclient "appstore/workflows/client"
	"appstore/workflows/contract"
	"appstore/workflows/temporaltest"
)

func TestRotationScheduleIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := temporaltest.DevServer(t).Client()
	o := newOAuthClient(t)
	// A second admin and a member: only admins are reminded.
	acct := o.app.DeveloperAccountID
	for _, u := range []struct {
		email string
		role  models.DeveloperRole
	}{{"grace@example.com", models.DevRoleAdmin}, {"mel@example.com", models.DevRoleMember}} {
		user, err := o.store.CreateUser(ctx, models.NewUser{Email: u.email, Name: u.email, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		if err := o.store.AddDeveloperAccountMember(ctx, acct, user.ID, u.role); err != nil {
			t.Fatal(err)
		}
	}

	taskQueue := "rotation-test-" + uuid.NewString()
	w := worker.New(c, taskQueue, worker.Options{})
	workflows.Register(w, &activities.Activities{Store: o.store, Mailer: activities.OutboxMailer{Store: o.store}, BaseURL: "https://appstore.test"})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)

	// Intervals of years keep the Schedule from firing by itself mid-test.
	const firstEvery, every = 2 * 365 * 24 * time.Hour, 3 * 365 * 24 * time.Hour
	rotations := &wfclient.Rotations{Client: c, TaskQueue: taskQueue}
	// Two enables of the same app at once: neither may fail.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() {
			errs[i] = rotations.EnsureReminder(ctx, o.id, o.app.ID, firstEvery)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("concurrent ensure: %v", err)
		}
	}
	handle := c.ScheduleClient().GetHandle(ctx, contract.RotationScheduleID(o.id))
	t.Cleanup(func() { handle.Delete(context.Background()) })
	// Ensuring again with a new interval updates the Schedule in place.
	if err := rotations.EnsureReminder(ctx, o.id, o.app.ID, every); err != nil {
		t.Fatalf("ensure again: %v", err)
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
	if !ok || action.Workflow != "RotationReminder" || action.ID != contract.RotationReminderWorkflowID(o.id) || action.TaskQueue != taskQueue {
		t.Fatalf("action = %+v, want RotationReminder on %s", desc.Schedule.Action, taskQueue)
	}

	if err := handle.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	run := waitForScheduledRun(ctx, t, handle)
	var sent int
	if err := c.GetWorkflow(ctx, run.WorkflowID, run.FirstExecutionRunID).Get(ctx, &sent); err != nil {
		t.Fatalf("reminder run %s: %v", run.WorkflowID, err)
	}
	if sent != 2 {
		t.Errorf("sent %d reminders, want 2 (the admins)", sent)
	}
	mails, err := o.store.ListDevMails(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var to []string
	for _, m := range mails {
		if !strings.Contains(m.Subject, "Time to rotate the client secret of Rotating App") || !strings.Contains(m.Text, o.id) {
			t.Errorf("mail %q: %s", m.Subject, m.Text)
		}
		to = append(to, m.To)
	}
	if len(to) != 2 || strings.Contains(strings.Join(to, " "), "mel@") {
		t.Errorf("mailed %v, want the two admins", to)
	}
	page, err := o.store.ListEvents(ctx, models.EventViewer{Role: models.PlatformRoleStaffAdmin},
		models.EventFilter{Types: []models.EventType{models.EventOAuthRotationReminder}})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 1 || page.Events[0].Data["client_id"] != o.id {
		t.Errorf("rotation reminder events = %+v, want one for %s", page.Events, o.id)
	}

	// Removing is idempotent too.
	for range 2 {
		if err := rotations.RemoveReminder(ctx, o.id); err != nil {
			t.Fatalf("remove: %v", err)
		}
	}
	if _, err := handle.Describe(ctx); err == nil {
		t.Fatal("the Schedule survived its removal")
	}
}
