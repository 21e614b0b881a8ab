package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"appstore/activities"
	"appstore/workflows/contract"
)

// Revocation has no caller waiting and must happen eventually, so it
// retries until the database is back; it is idempotent by generation.
var revokeSecretOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    10 * time.Minute,
	},
}

// SecretRotation waits out the grace period of a rotation on a durable
// timer, then revokes the previous generation (in.Generation-1) of the
// client's secret. A later rotation that already revoked it makes the
// revocation a no-op, so overlapping runs never revoke the wrong secret.
// The result says whether this run revoked it. It returns an
// ErrTypeInvalidSecretRotation error for a generation below 2 or a negative
// grace, and the context's error when the run is cancelled.
func SecretRotation(ctx workflow.Context, in contract.SecretRotationInput) (bool, error) {
	if in.ClientID == "" || in.Generation < 2 || in.Grace < 0 {
		return false, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("secret rotation: invalid input %+v", in), contract.ErrTypeInvalidSecretRotation, nil)
	}
	if in.Grace > 0 {
		err := workflow.NewTimerWithOptions(ctx, in.Grace, workflow.TimerOptions{Summary: "Secret grace period"}).Get(ctx, nil)
		if err != nil {
			return false, err
		}
	}
	var revoked bool
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, revokeSecretOptions), a.RevokePreviousSecret,
		activities.RevokePreviousSecretInput{ClientID: in.ClientID, Generation: in.Generation - 1}).Get(ctx, &revoked)
	if err != nil {
		return false, fmt.Errorf("secret rotation: revoke generation %d: %w", in.Generation-1, err)
	}
	return revoked, nil
}
