package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// Schedule is a Temporal Schedule that starts one workflow every interval
// and skips a run while the last one is still going.
type Schedule struct {
	ID         string
	Every      time.Duration
	Workflow   string // the workflow type, a contract name
	WorkflowID string // runs get it followed by the scheduled time
	Input      any    // the workflow's one argument
	TaskQueue  string
	// KeepExisting leaves a Schedule that exists as it is. Otherwise its
	// spec, action and overlap policy are replaced, so configuration
	// changes take effect; a pause set by an operator is kept either way.
	KeepExisting bool
}

// EnsureSchedule creates s, or, when it exists, updates it (unless
// s.KeepExisting). Calling it again, also concurrently, is safe: a caller
// that loses the race to create updates instead. It returns an error for a
// non-positive interval or an empty id, workflow or task queue, and
// Temporal's error when create or update fails.
func (c *Client) EnsureSchedule(ctx context.Context, s Schedule) error {
	if s.Every <= 0 {
		return fmt.Errorf("schedule %s: interval %s must be positive", s.ID, s.Every)
	}
	if s.ID == "" || s.Workflow == "" || s.TaskQueue == "" {
		return fmt.Errorf("schedule %q: id, workflow and task queue are required", s.ID)
	}
	spec := sdkclient.ScheduleSpec{Intervals: []sdkclient.ScheduleIntervalSpec{{Every: s.Every}}}
	action := &sdkclient.ScheduleWorkflowAction{
		ID:        s.WorkflowID,
		Workflow:  s.Workflow,
		Args:      []any{s.Input},
		TaskQueue: s.TaskQueue,
	}
	schedules := c.Temporal.ScheduleClient()
	_, err := schedules.Create(ctx, sdkclient.ScheduleOptions{
		ID:      s.ID,
		Spec:    spec,
		Action:  action,
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
	})
	if err == nil {
		return nil
	}
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return fmt.Errorf("schedule %s: create: %w", s.ID, err)
	}
	if s.KeepExisting {
		return nil
	}
	err = schedules.GetHandle(ctx, s.ID).Update(ctx, sdkclient.ScheduleUpdateOptions{
		DoUpdate: func(cur sdkclient.ScheduleUpdateInput) (*sdkclient.ScheduleUpdate, error) {
			sched := cur.Description.Schedule
			sched.Spec = &spec
			sched.Action = action
			if sched.Policy == nil {
				sched.Policy = &sdkclient.SchedulePolicies{}
			}
			sched.Policy.Overlap = enumspb.SCHEDULE_OVERLAP_POLICY_SKIP
			return &sdkclient.ScheduleUpdate{Schedule: &sched}, nil
		},
	})
	if err != nil {
		return fmt.Errorf("schedule %s: update: %w", s.ID, err)
	}
	return nil
}

// DeleteSchedule deletes Schedule id; one that does not exist is already
// deleted. It returns Temporal's error otherwise.
func (c *Client) DeleteSchedule(ctx context.Context, id string) error {
	err := c.Temporal.ScheduleClient().GetHandle(ctx, id).Delete(ctx)
	var notFound *serviceerror.NotFound
	if err != nil && !errors.As(err, &notFound) {
		return fmt.Errorf("schedule %s: delete: %w", id, err)
	}
	return nil
}
