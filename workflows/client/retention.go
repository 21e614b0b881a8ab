package client

import (
	"context"
	"time"

	"appstore/workflows/contract"
)

// EnsureRetentionSchedule makes the Schedule contract.RetentionScheduleID
// start Retention(in) on taskQueue every interval (EnsureSchedule); every
// worker calls it at start. It returns an error for a non-positive
// interval or an empty task queue, and Temporal's error when create or
// update fails.
func (c *Client) EnsureRetentionSchedule(ctx context.Context, taskQueue string, every time.Duration, in contract.RetentionInput) error {
	return c.EnsureSchedule(ctx, Schedule{
		ID:         contract.RetentionScheduleID,
		Every:      every,
		Workflow:   contract.RetentionWorkflow,
		WorkflowID: contract.RetentionWorkflowID,
		Input:      in,
		TaskQueue:  taskQueue,
	})
}
