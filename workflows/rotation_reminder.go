package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"appstore/workflows/contract"
)

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

// RotationReminder records oauth.rotation_reminder and mails the admins of
// the app's developer account that it is time to rotate the client secret.
// The client's Schedule (client.Rotations.EnsureReminder) starts it. It
// returns how many mails were sent, and the activity's error once its
// retries run out.
func RotationReminder(ctx workflow.Context, in contract.RotationReminderInput) (int, error) {
	var sent int
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, rotationReminderOptions),
		a.RemindSecretRotation, in).Get(ctx, &sent)
	if err != nil {
		return 0, fmt.Errorf("rotation reminder: %w", err)
	}
	return sent, nil
}
