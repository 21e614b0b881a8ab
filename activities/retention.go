package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"appstore/models"
)

// ErrTypeInvalidBatchSize is the application error type of a PurgeEvents call
// with a batch size below one; retrying it cannot succeed.
const ErrTypeInvalidBatchSize = "InvalidBatchSize"

// PurgeEventsInput selects the events PurgeEvents deletes.
type PurgeEventsInput struct {
	Cutoff    time.Time // events created strictly before it are deleted
	BatchSize int       // rows per DELETE statement, at least 1
}

// RetentionResult is what one retention run deleted.
type RetentionResult struct {
	LoginTokensDeleted         int64
	AccountMailRequestsDeleted int64
	EventsDeleted              int64
	Cutoff                     time.Time // events created before it were deleted
}

// PurgeLoginTokens deletes login tokens, used or not, that expired before
// cutoff and returns how many. Running it twice deletes nothing more. It
// returns the store's error, which Temporal retries.
func (a *Activities) PurgeLoginTokens(ctx context.Context, cutoff time.Time) (int64, error) {
	n, err := a.Store.DeleteExpiredLoginTokens(ctx, cutoff)
	if err != nil {
		return 0, fmt.Errorf("purge login tokens: %w", err)
	}
	return n, nil
}

// PurgeAccountMailRequests deletes account mail requests (verification and
// reset links, used or not) that expired more than
// models.AccountMailRetention before now, and returns how many. Running it
// twice deletes nothing more. It returns the store's error, which Temporal retries.
func (a *Activities) PurgeAccountMailRequests(ctx context.Context, now time.Time) (int64, error) {
	n, err := a.Store.DeleteExpiredAccountMailRequests(ctx, now.Add(-models.AccountMailRetention))
	if err != nil {
		return 0, fmt.Errorf("purge account mail requests: %w", err)
	}
	return n, nil
}

// PurgeEvents deletes every event created before in.Cutoff, in batches of
// in.BatchSize, and returns how many it deleted. It heartbeats the running
// total after each batch: a retried attempt starts from that total, and the
// rows already gone are simply not found again. It returns a non-retryable
// ErrTypeInvalidBatchSize error for a batch size below one, the context's
// error when cancelled, and the store's error otherwise.
func (a *Activities) PurgeEvents(ctx context.Context, in PurgeEventsInput) (int64, error) {
	if in.BatchSize < 1 {
		return 0, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("purge events: batch size %d is below 1", in.BatchSize), ErrTypeInvalidBatchSize, nil)
	}
	var total int64
	if activity.HasHeartbeatDetails(ctx) {
		// A failed detail read only loses the count of an earlier attempt,
		// not rows, so it is not worth failing the purge over.
		if err := activity.GetHeartbeatDetails(ctx, &total); err != nil {
			activity.GetLogger(ctx).Warn("Ignoring unreadable heartbeat details", "Error", err)
			total = 0
		}
	}
	for {
		n, err := a.Store.DeleteEventsBefore(ctx, in.Cutoff, in.BatchSize)
		if err != nil {
			return 0, fmt.Errorf("purge events: %w", err)
		}
		total += n
		if n < int64(in.BatchSize) {
			return total, nil
		}
		// Heartbeating also delivers cancellation, which ctx then carries.
		activity.RecordHeartbeat(ctx, total)
		if err := ctx.Err(); err != nil {
			return 0, err
		}
	}
}

// RecordRetentionRun writes one retention.purged event with the counts of
// res. The event ID is derived from the workflow run, so a retried attempt
// finds the event already written and adds none. It returns the store's
// error, which Temporal retries.
func (a *Activities) RecordRetentionRun(ctx context.Context, res RetentionResult) error {
	info := activity.GetInfo(ctx)
	id := uuid.NewSHA1(uuid.NameSpaceURL, []byte("temporal:retention:"+info.Namespace+"/"+
		info.WorkflowExecution.ID+"/"+info.WorkflowExecution.RunID))
	err := a.Store.RecordEventOnce(ctx, models.Event{
		ID:   id,
		Type: models.EventRetentionPurged,
		Data: models.JSONMap{
			"login_tokens_deleted":          res.LoginTokensDeleted,
			"account_mail_requests_deleted": res.AccountMailRequestsDeleted,
			"events_deleted":                res.EventsDeleted,
			"cutoff":                        res.Cutoff.UTC().Format(time.RFC3339),
		},
	})
	if err != nil {
		return fmt.Errorf("record retention run: %w", err)
	}
	return nil
}
