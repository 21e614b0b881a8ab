package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"appstore/activities"
)

// DefaultRotationReminderEvery is how often developers are reminded to
// rotate an app's client secret unless configuration says otherwise.
const DefaultRotationReminderEvery = 90 * 24 * time.Hour

// The Schedule is the outer retry: a reminder that keeps failing shows as
// failed in the Temporal UI, and the next one comes at the next interval.
// Retries still wait out a short mail outage.
var rotationReminderOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 2 * time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    10 * time.Minute,
		MaximumAttempts:    10,
	},
}

// RotationScheduleID is the ID of client clientID's reminder Schedule.
func RotationScheduleID(clientID string) string { return "rotation-schedule-" + clientID }

// RotationReminderWorkflowID is the workflow ID the Schedule gives its
// runs (Temporal appends the scheduled time).
func RotationReminderWorkflowID(clientID string) string { return "rotation-reminder-" + clientID }

// RotationReminderInput names the client whose developers are reminded.
type RotationReminderInput = activities.RotationReminderInput

// RotationReminder records oauth.rotation_reminder and mails the admins of
// the app's developer account that it is time to rotate the client secret.
// It returns how many mails were sent, and the activity's error once its
// retries run out.
func RotationReminder(ctx workflow.Context, in RotationReminderInput) (int, error) {
	var sent int
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, rotationReminderOptions),
		a.RemindSecretRotation, in).Get(ctx, &sent)
	if err != nil {
		return 0, fmt.Errorf("rotation reminder: %w", err)
	}
	return sent, nil
}

// EnsureRotationSchedule makes the Schedule RotationScheduleID(clientID)
// start RotationReminder for the client on taskQueue every interval,
// skipping a run while the last one is still going. It creates the
// Schedule, or, when it exists, replaces its spec, action and overlap
// policy (keeping a pause set by an operator), so calling it again — also
// concurrently — is safe. It returns an error for a non-positive interval,
// an empty task queue or client id, and Temporal's error when create or
// update fails.
func EnsureRotationSchedule(ctx context.Context, c client.Client, taskQueue, clientID string, appID uuid.UUID, every time.Duration) error {
	if every <= 0 {
		return fmt.Errorf("rotation schedule: interval %s must be positive", every)
	}
	if taskQueue == "" || clientID == "" {
		return errors.New("rotation schedule: task queue and client id are required")
	}
	id := RotationScheduleID(clientID)
	spec := client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: every}}}
	action := &client.ScheduleWorkflowAction{
		ID:        RotationReminderWorkflowID(clientID),
		Workflow:  RotationReminder,
		Args:      []any{RotationReminderInput{ClientID: clientID, AppID: appID}},
		TaskQueue: taskQueue,
	}
	schedules := c.ScheduleClient()
	_, err := schedules.Create(ctx, client.ScheduleOptions{
		ID:      id,
		Spec:    spec,
		Action:  action,
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
	})
	if err == nil {
		return nil
	}
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return fmt.Errorf("rotation schedule %s: create: %w", id, err)
	}
	err = schedules.GetHandle(ctx, id).Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(cur client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			s := cur.Description.Schedule
			s.Spec = &spec
			s.Action = action
			if s.Policy == nil {
				s.Policy = &client.SchedulePolicies{}
			}
			s.Policy.Overlap = enumspb.SCHEDULE_OVERLAP_POLICY_SKIP
			return &client.ScheduleUpdate{Schedule: &s}, nil
		},
	})
	if err != nil {
		return fmt.Errorf("rotation schedule %s: update: %w", id, err)
	}
	return nil
}

// RemoveRotationSchedule deletes client clientID's reminder Schedule; one
// that does not exist is already removed. It returns Temporal's error
// otherwise.
func RemoveRotationSchedule(ctx context.Context, c client.Client, clientID string) error {
	err := c.ScheduleClient().GetHandle(ctx, RotationScheduleID(clientID)).Delete(ctx)
	var notFound *serviceerror.NotFound
	if err != nil && !errors.As(err, &notFound) {
		return fmt.Errorf("rotation schedule %s: delete: %w", RotationScheduleID(clientID), err)
	}
	return nil
}
