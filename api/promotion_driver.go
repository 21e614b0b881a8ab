package api

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"appstore/activities"
	"appstore/models"
	"appstore/workflows"
)

// Promotions is how handlers drive Promotion runs: promote with
// Update-With-Start (a double click attaches to the same run), then review
// moves as validated Updates, and the status Query.
type Promotions interface {
	Promote(ctx context.Context, in workflows.PromotionInput, args activities.ReviewArgs, updateID string) (*workflows.ReviewState, error)
	Move(ctx context.Context, devDeploymentID uuid.UUID, action models.ReviewAction, args activities.ReviewArgs, updateID string) (*workflows.ReviewState, error)
	Status(ctx context.Context, devDeploymentID uuid.UUID) (*workflows.ReviewState, error)
}

// TemporalPromotions implements Promotions with a Temporal client.
type TemporalPromotions struct {
	Client        client.Client
	TaskQueue     string
	ReminderAfter time.Duration
}

// errPromotionClosed means the run ended (its deployment is deprecated) or
// never started; callers answer from the database.
var errPromotionClosed = errors.New("promotion run closed or missing")

// Promote starts promotion-<devID> if it is not running and sends it the
// promote Update in one call.
func (t *TemporalPromotions) Promote(ctx context.Context, in workflows.PromotionInput, args activities.ReviewArgs, updateID string) (*workflows.ReviewState, error) {
	in.ReminderAfter = t.ReminderAfter
	start := t.Client.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:        workflows.PromotionWorkflowID(in.DevDeploymentID),
		TaskQueue: t.TaskQueue,
		// A running run takes the Update; a finished one (deprecated) is
		// not restarted: the deployment it made is over.
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes:    workflows.PromotionSearchAttributes(in),
	}, workflows.Promotion, in)
	handle, err := t.Client.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateID:     updateID,
			UpdateName:   workflows.PromotionPromoteUpdate,
			Args:         []any{args},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	return t.result(ctx, handle, err, "promote "+in.DevDeploymentID.String())
}

// Move sends one review Update to the run of devDeploymentID.
func (t *TemporalPromotions) Move(ctx context.Context, devDeploymentID uuid.UUID, action models.ReviewAction, args activities.ReviewArgs, updateID string) (*workflows.ReviewState, error) {
	handle, err := t.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.PromotionWorkflowID(devDeploymentID),
		UpdateID:     updateID,
		UpdateName:   string(action),
		Args:         []any{args},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	return t.result(ctx, handle, err, string(action)+" "+devDeploymentID.String())
}

func (t *TemporalPromotions) result(ctx context.Context, handle client.WorkflowUpdateHandle, err error, op string) (*workflows.ReviewState, error) {
	return updateOutcome[workflows.ReviewState](ctx, handle, err, errPromotionClosed, "promotion "+op)
}

// Status answers the run's status Query.
func (t *TemporalPromotions) Status(ctx context.Context, devDeploymentID uuid.UUID) (*workflows.ReviewState, error) {
	v, err := t.Client.QueryWorkflow(ctx, workflows.PromotionWorkflowID(devDeploymentID), "", workflows.PromotionStatusQuery)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return nil, errPromotionClosed
	}
	if err != nil {
		return nil, fmt.Errorf("promotion status %s: %w", devDeploymentID, err)
	}
	var st workflows.ReviewState
	if err := v.Get(&st); err != nil {
		return nil, fmt.Errorf("promotion status %s: %w", devDeploymentID, err)
	}
	return &st, nil
}
