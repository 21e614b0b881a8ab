package api

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"appstore/activities"
)

// updateOutcome reads the result of a workflow Update sent with
// WaitForStage completed (or the error of sending it) the way every
// driver needs it: a refusal by a validator or an activity becomes its
// *models.Error; a run that is missing, ended, or was not started again
// becomes closed, for the caller to answer from the database; anything else
// is wrapped with op.
func updateOutcome[T any](ctx context.Context, handle client.WorkflowUpdateHandle, err error, closed error, op string) (*T, error) {
	if err == nil {
		var out T
		if err = handle.Get(ctx, &out); err == nil {
			return &out, nil
		}
	}
	if me, ok := activities.ModelError(err); ok {
		return nil, me
	}
	var notFound *serviceerror.NotFound
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &notFound) || errors.As(err, &started) || strings.Contains(err.Error(), "already completed") {
		return nil, closed
	}
	return nil, fmt.Errorf("%s: %w", op, err)
}
