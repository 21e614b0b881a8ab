package client

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	sdkclient "go.temporal.io/sdk/client"

	"appstore/models"
	"appstore/workflows/contract"
)

// Promotions drives Promotion runs for the API: promote with
// Update-With-Start (a double click attaches to the same run), review moves
// as validated Updates, and the status Query. A refusal is its
// *models.Error; a run that never started is contract.ErrNotFound, one
// that ended (its deployment is deprecated) contract.ErrAlreadyCompleted.
type Promotions struct {
	Client        sdkclient.Client
	TaskQueue     string
	ReminderAfter time.Duration
}

// Promote starts promotion-<devID> if it is not running and sends it the
// promote Update in one call. A finished run (deprecated) is not
// restarted: the deployment it made is over.
func (p *Promotions) Promote(ctx context.Context, in contract.PromotionInput, args contract.ReviewArgs, updateID string) (*contract.ReviewState, error) {
	in.ReminderAfter = p.ReminderAfter
	var st contract.ReviewState
	err := New(p.Client).UpdateWithStart(ctx, Start{
		Workflow:   contract.PromotionWorkflow,
		ID:         contract.PromotionWorkflowID(in.DevDeploymentID),
		TaskQueue:  p.TaskQueue,
		Input:      in,
		Attributes: contract.PromotionSearchAttributes(in),
	}, Update{ID: updateID, Name: contract.PromotionPromoteUpdate, Arg: args}, &st)
	return result(&st, err, "promotion promote %s", in.DevDeploymentID)
}

// Move sends the review Update of action to the run of devDeploymentID.
func (p *Promotions) Move(ctx context.Context, devDeploymentID uuid.UUID, action models.ReviewAction, args contract.ReviewArgs, updateID string) (*contract.ReviewState, error) {
	var st contract.ReviewState
	err := New(p.Client).Update(ctx, Update{
		WorkflowID: contract.PromotionWorkflowID(devDeploymentID),
		ID:         updateID,
		Name:       contract.PromotionReviewUpdate(action),
		Arg:        args,
	}, &st)
	return result(&st, err, "promotion %s %s", action, devDeploymentID)
}

// Status answers the run's status Query.
func (p *Promotions) Status(ctx context.Context, devDeploymentID uuid.UUID) (*contract.ReviewState, error) {
	var st contract.ReviewState
	err := New(p.Client).Query(ctx, contract.PromotionWorkflowID(devDeploymentID), contract.PromotionStatusQuery, &st)
	return result(&st, err, "promotion status %s", devDeploymentID)
}

// Deprecate sends the deprecate Update, as the platform, to the Promotion
// run of devDeploymentID, whose deployment a newer publication replacedBy
// makes obsolete. The update id is derived from replacedBy, so a retry is
// answered from the first attempt's result. Errors are those of Update.
func (c *Client) Deprecate(ctx context.Context, devDeploymentID, replacedBy uuid.UUID) error {
	return c.Update(ctx, Update{
		WorkflowID: contract.PromotionWorkflowID(devDeploymentID),
		ID:         "deprecate-by-" + replacedBy.String(),
		Name:       contract.PromotionReviewUpdate(models.ReviewDeprecate),
		Arg:        contract.ReviewArgs{System: true},
	}, nil)
}

// result is out, or err: a *models.Error as it is, anything else wrapped
// with the operation that format and args name.
func result[T any](out *T, err error, format string, args ...any) (*T, error) {
	if err == nil {
		return out, nil
	}
	if _, ok := err.(*models.Error); ok {
		return nil, err
	}
	return nil, fmt.Errorf(format+": %w", append(args, err)...)
}
