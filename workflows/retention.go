package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"appstore/activities"
	"appstore/workflows/contract"
)

// The retry policy is bounded because the Schedule is the outer retry: a run
// that keeps failing shows as failed in the Temporal UI, and the next
// scheduled run starts over.
var retentionRetry = &temporal.RetryPolicy{
	InitialInterval:    time.Second,
	BackoffCoefficient: 2,
	MaximumInterval:    time.Minute,
	MaximumAttempts:    5,
}

// retentionOptions suit the single-statement activities.
var retentionOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 5 * time.Minute,
	RetryPolicy:         retentionRetry,
}

// purgeEventsOptions allow a long purge but expect a heartbeat per batch, so
// a worker that dies mid-purge is noticed within a minute, not an hour.
var purgeEventsOptions = workflow.ActivityOptions{
	StartToCloseTimeout: time.Hour,
	HeartbeatTimeout:    time.Minute,
	RetryPolicy:         retentionRetry,
}

var a *activities.Activities

// RetentionResult is what one retention run deleted. It is the activities'
// type, so the workflow can hand it to RecordRetentionRun unchanged.
type RetentionResult = activities.RetentionResult

// retentionDefaults fills zero fields of in and rejects negative ones.
func retentionDefaults(in contract.RetentionInput) (contract.RetentionInput, error) {
	if in.EventRetention < 0 || in.BatchSize < 0 {
		return in, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("retention: negative input %+v", in), contract.ErrTypeInvalidRetentionInput, nil)
	}
	if in.EventRetention == 0 {
		in.EventRetention = contract.DefaultEventRetention
	}
	if in.BatchSize == 0 {
		in.BatchSize = contract.DefaultRetentionBatch
	}
	return in, nil
}

// Retention deletes login tokens that have expired, account mail requests
// that expired more than a day ago and events older than
// in.EventRetention, then records a retention.purged event with the counts.
// A Schedule (client.EnsureRetentionSchedule) starts it. It returns an
// InvalidRetentionInput application error for negative input, and the
// activity error of the first step whose retries run out.
func Retention(ctx workflow.Context, in contract.RetentionInput) (RetentionResult, error) {
	in, err := retentionDefaults(in)
	if err != nil {
		return RetentionResult{}, err
	}
	now := workflow.Now(ctx)
	res := RetentionResult{Cutoff: now.Add(-in.EventRetention)}

	err = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, retentionOptions),
		a.PurgeLoginTokens, now).Get(ctx, &res.LoginTokensDeleted)
	if err != nil {
		return RetentionResult{}, fmt.Errorf("retention: purge login tokens: %w", err)
	}
	// Runs started before account mail existed replay without this step.
	if workflow.GetVersion(ctx, "purge-account-mail-requests", workflow.DefaultVersion, 1) == 1 {
		err = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, retentionOptions),
			a.PurgeAccountMailRequests, now).Get(ctx, &res.AccountMailRequestsDeleted)
		if err != nil {
			return RetentionResult{}, fmt.Errorf("retention: purge account mail requests: %w", err)
		}
	}
	err = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, purgeEventsOptions),
		a.PurgeEvents, activities.PurgeEventsInput{Cutoff: res.Cutoff, BatchSize: in.BatchSize}).Get(ctx, &res.EventsDeleted)
	if err != nil {
		return RetentionResult{}, fmt.Errorf("retention: purge events: %w", err)
	}
	err = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, retentionOptions),
		a.RecordRetentionRun, res).Get(ctx, nil)
	if err != nil {
		return RetentionResult{}, fmt.Errorf("retention: record run: %w", err)
	}
	return res, nil
}
