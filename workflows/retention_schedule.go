package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// Retention Schedule identifiers. Runs started by the Schedule get the
// workflow ID followed by the scheduled time.
const (
	RetentionScheduleID = "retention-schedule"
	RetentionWorkflowID = "retention"
)

// EnsureRetentionSchedule makes the Schedule RetentionScheduleID start
// Retention(in) on taskQueue every interval, skipping a run while the last
// one is still going. It creates the Schedule, or, when it exists, replaces
// its spec, action and overlap policy so configuration changes take effect;
// a pause set by an operator is kept. Serve and worker both call it at
// start, so a concurrent caller that loses the race to create updates
// instead. It returns an error for a non-positive interval or an empty task
// queue, and Temporal's error when create or update fails.
func EnsureRetentionSchedule(ctx context.Context, c client.Client, taskQueue string, every time.Duration, in RetentionInput) error {
	if every <= 0 {
		return fmt.Errorf("retention schedule: interval %s must be positive", every)
	}
	if taskQueue == "" {
		return errors.New("retention schedule: task queue is empty")
	}
	spec := client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: every}}}
	action := &client.ScheduleWorkflowAction{
		ID:        RetentionWorkflowID,
		Workflow:  Retention,
		Args:      []any{in},
		TaskQueue: taskQueue,
	}
	schedules := c.ScheduleClient()
	_, err := schedules.Create(ctx, client.ScheduleOptions{
		ID:      RetentionScheduleID,
		Spec:    spec,
		Action:  action,
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
	})
	if err == nil {
		return nil
	}
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return fmt.Errorf("retention schedule: create: %w", err)
	}
	err = schedules.GetHandle(ctx, RetentionScheduleID).Update(ctx, client.ScheduleUpdateOptions{
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
		return fmt.Errorf("retention schedule: update: %w", err)
	}
	return nil
}
