package workflows

import (
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// AccountMailGiveUp bounds how long an account mail is retried: by then a
// verification link has expired (a reset link long before), so a later
// mail would carry a dead link.
const AccountMailGiveUp = 24 * time.Hour

// Retries wait out an SMTP outage; the store mails a request once, and
// skips one that was used or has expired meanwhile.
var accountMailOptions = workflow.ActivityOptions{
	StartToCloseTimeout:    2 * time.Minute,
	ScheduleToCloseTimeout: AccountMailGiveUp,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    10 * time.Minute,
	},
}

// AccountMail sends the mail of account mail request requestID (a
// verification link, a reset link, or a note to an account's owner). It
// carries the id only: the link token is made and mailed by the activity.
// It returns the activity's error when the request is unknown or the
// retries run out after AccountMailGiveUp.
func AccountMail(ctx workflow.Context, requestID uuid.UUID) error {
	// The activity's error as it is: the workflow ID names the request, and
	// callers find the ApplicationError's type without unwrapping a wrapper.
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, accountMailOptions),
		a.SendAccountMail, requestID).Get(ctx, nil)
}
