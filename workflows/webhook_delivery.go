package workflows

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"appstore/activities"
	"appstore/models"
	"appstore/workflows/contract"
)

// The plan is read once, locally: the schedule then lives in the history,
// and a configuration change never alters a running delivery.
var webhookPlanOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout: 10 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

// HTTP outcomes come back as results, so Temporal retries an attempt only
// for what the receiver cannot cause (the database is down): until it is
// back, since the attempt number keeps the retry idempotent. The start to
// close timeout covers the 10 s request and the database writes.
var webhookAttemptOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    5 * time.Minute,
	},
}

// Why a WebhookDelivery run ended, in WebhookDeliveryResult.Reason.
const (
	WebhookEndDelivered = "delivered"
	WebhookEndGone      = "gone"      // 410: the endpoint was disabled
	WebhookEndRejected  = "rejected"  // a permanent 4xx
	WebhookEndExhausted = "exhausted" // the schedule ran out
	WebhookEndSkipped   = "skipped"   // nothing to send: gone, finished, or endpoint disabled
)

// WebhookDeliveryResult is how a delivery ended.
type WebhookDeliveryResult struct {
	Status         models.WebhookDeliveryStatus `json:"status"` // delivered or failed; "" when the row is gone
	Reason         string                       `json:"reason"`
	Attempts       int                          `json:"attempts"`         // POSTs made by this run
	LastStatusCode int                          `json:"last_status_code"` // 0: none or no response
}

// WebhookDelivery delivers one event to one target (DESIGN §6). Attempt i
// waits schedule[i] plus up to 10% jitter, and at least the Retry-After
// the previous answer asked for (at most 24 h). A 2xx marks the delivery
// delivered; a 410 disables the endpoint and fails it; any other 4xx
// except 408, 425 and 429 fails it at once; 5xx, those three and network
// errors go on to the next attempt, and when the schedule runs out the
// delivery fails. Every attempt is recorded by the activity. It returns an
// ErrTypeInvalidWebhookDelivery error for a nil id, and an activity's error
// only if the run is cancelled while one retries.
func WebhookDelivery(ctx workflow.Context, in contract.WebhookDeliveryInput) (*WebhookDeliveryResult, error) {
	if in.DeliveryID == uuid.Nil {
		return nil, temporal.NewNonRetryableApplicationError("webhook delivery: no delivery id", contract.ErrTypeInvalidWebhookDelivery, nil)
	}
	var plan activities.WebhookPlan
	err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, webhookPlanOptions), a.WebhookDeliveryPlan, in.DeliveryID).Get(ctx, &plan)
	if err != nil {
		return nil, fmt.Errorf("webhook delivery %s: plan: %w", in.DeliveryID, err)
	}
	res := &WebhookDeliveryResult{Reason: WebhookEndSkipped}
	if !plan.Found || plan.Status != models.WebhookPending {
		res.Status = plan.Status
		return res, nil
	}
	if plan.DeveloperAccount != "" {
		if err := workflow.UpsertTypedSearchAttributes(ctx, contract.AttrDeveloperAccount.ValueSet(plan.DeveloperAccount)); err != nil {
			return nil, fmt.Errorf("webhook delivery %s: search attributes: %w", in.DeliveryID, err)
		}
	}

	actx := workflow.WithActivityOptions(ctx, webhookAttemptOptions)
	retryAfter := 0
	for i, planned := range plan.Schedule {
		n := i + 1
		wait := activities.WebhookRetryWait(webhookJitter(in.DeliveryID, n, planned), retryAfter)
		if wait > 0 {
			timer := workflow.NewTimerWithOptions(ctx, wait, workflow.TimerOptions{Summary: fmt.Sprintf("Before attempt %d", n)})
			if err := timer.Get(ctx, nil); err != nil {
				return nil, err
			}
		}
		attempt := activities.WebhookAttemptInput{DeliveryID: in.DeliveryID, Attempt: n, Last: n == len(plan.Schedule)}
		if !attempt.Last {
			attempt.NextDelay = webhookJitter(in.DeliveryID, n+1, plan.Schedule[n])
		}
		var r activities.WebhookAttemptResult
		if err := workflow.ExecuteActivity(actx, a.AttemptWebhook, attempt).Get(ctx, &r); err != nil {
			return nil, fmt.Errorf("webhook delivery %s: attempt %d: %w", in.DeliveryID, n, err)
		}
		outcome := r.Outcome()
		if outcome != activities.WebhookOutcomeSkipped {
			res.Attempts, res.LastStatusCode = n, r.StatusCode
		}
		switch outcome {
		case activities.WebhookOutcomeDelivered:
			return finishWebhook(ctx, res, WebhookEndDelivered, activities.FinishWebhookInput{DeliveryID: in.DeliveryID, Status: models.WebhookDelivered})
		case activities.WebhookOutcomeGone:
			return finishWebhook(ctx, res, WebhookEndGone, activities.FinishWebhookInput{DeliveryID: in.DeliveryID, Status: models.WebhookFailed,
				Reason: "The receiver answered 410 Gone: the endpoint was disabled.", DisableEndpoint: true})
		case activities.WebhookOutcomeRejected:
			return finishWebhook(ctx, res, WebhookEndRejected, activities.FinishWebhookInput{DeliveryID: in.DeliveryID, Status: models.WebhookFailed})
		case activities.WebhookOutcomeSkipped:
			return finishWebhook(ctx, res, WebhookEndSkipped, activities.FinishWebhookInput{DeliveryID: in.DeliveryID, Status: models.WebhookFailed,
				Reason: "Not sent: " + r.Skipped})
		}
		retryAfter = r.RetryAfterSeconds
	}
	return finishWebhook(ctx, res, WebhookEndExhausted, activities.FinishWebhookInput{DeliveryID: in.DeliveryID, Status: models.WebhookFailed})
}

// finishWebhook records the end through an activity and returns res.
func finishWebhook(ctx workflow.Context, res *WebhookDeliveryResult, reason string, in activities.FinishWebhookInput) (*WebhookDeliveryResult, error) {
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, webhookAttemptOptions), a.FinishWebhookDelivery, in).Get(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("webhook delivery %s: finish: %w", in.DeliveryID, err)
	}
	res.Status, res.Reason = in.Status, reason
	return res, nil
}

// webhookJitter adds up to 10% to d, drawn from a hash of the delivery and
// the attempt number: deterministic on replay, yet different for
// deliveries that failed together, so their retries spread out.
func webhookJitter(id uuid.UUID, attempt int, d time.Duration) time.Duration {
	h := fnv.New64a()
	h.Write(id[:])
	binary.Write(h, binary.BigEndian, int64(attempt))
	return d + d*time.Duration(h.Sum64()%1000)/10_000
}

// StartWebhookDeliveries starts one child WebhookDelivery per id and waits
// until each has started. The children outlive the caller (parent close
// policy ABANDON), and an id whose delivery already ran or runs (workflow
// id reuse REJECT_DUPLICATE) counts as started, so a replayed or retried
// caller starts nothing twice. It returns the first other start error.
func StartWebhookDeliveries(ctx workflow.Context, ids []uuid.UUID) error {
	futures := make([]workflow.ChildWorkflowFuture, len(ids))
	for i, id := range ids {
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:            contract.WebhookDeliveryWorkflowID(id),
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		})
		futures[i] = workflow.ExecuteChildWorkflow(cctx, WebhookDelivery, contract.WebhookDeliveryInput{DeliveryID: id})
	}
	for i, f := range futures {
		err := f.GetChildWorkflowExecution().Get(ctx, nil)
		if err != nil && !temporal.IsWorkflowExecutionAlreadyStartedError(err) {
			return fmt.Errorf("start webhook delivery %s: %w", ids[i], err)
		}
	}
	return nil
}
