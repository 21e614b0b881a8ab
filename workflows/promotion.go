package workflows

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"appstore/activities"
	"appstore/models"
	"appstore/workflows/contract"
)

// reviewUpdates are the review moves a run takes as Updates
// (contract.PromotionReviewUpdate names them).
var reviewUpdates = []models.ReviewAction{
	models.ReviewSubmit, models.ReviewWithdraw, models.ReviewClaim, models.ReviewApprove,
	models.ReviewReject, models.ReviewPublish, models.ReviewDeprecate,
}

// Activities either wait for a person (nobody) or must eventually succeed
// (database writes), so they retry until the database is back; rule breaks
// come back non-retryable from contract.DomainError.
var promotionActivityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

type promotion struct {
	in    contract.PromotionInput
	state contract.ReviewState
	// mu serialises moves: Updates run as concurrent coroutines, and each
	// move's activity must see the state the previous move left.
	mu workflow.Mutex
}

// Promotion owns the production life of one development deployment
// (DESIGN §6): the promote Update creates the production deployment and its
// version (idempotently), then review Updates move it through the state
// machine of DESIGN §4, each validated against the current state before it
// is accepted, mirrored into the database with its event and webhooks by
// one activity. A submission that waits reminds reviewers on a durable
// timer that re-arms. The run ends when the deployment is deprecated, and
// continues as new when its history grows long.
func Promotion(ctx workflow.Context, in contract.PromotionInput) (*contract.ReviewState, error) {
	if in.ReminderAfter <= 0 {
		in.ReminderAfter = contract.DefaultReviewReminder
	}
	p := &promotion{in: in, mu: workflow.NewMutex(ctx)}
	if in.State != nil {
		p.state = *in.State
	} else {
		p.state = contract.ReviewState{DevDeploymentID: in.DevDeploymentID, History: []contract.ReviewStep{}, Reasons: []models.RejectionReason{}}
	}
	if err := workflow.SetQueryHandler(ctx, contract.PromotionStatusQuery, func() (contract.ReviewState, error) { return p.state, nil }); err != nil {
		return nil, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, contract.PromotionPromoteUpdate, p.promote,
		workflow.UpdateHandlerOptions{Validator: func(contract.ReviewArgs) error { return nil }}); err != nil {
		return nil, err
	}
	for _, action := range reviewUpdates {
		err := workflow.SetUpdateHandlerWithOptions(ctx, contract.PromotionReviewUpdate(action),
			func(ctx workflow.Context, args contract.ReviewArgs) (*contract.ReviewState, error) {
				return p.move(ctx, action, args)
			},
			workflow.UpdateHandlerOptions{Validator: func(args contract.ReviewArgs) error { return p.validate(action, args) }})
		if err != nil {
			return nil, err
		}
	}

	for p.state.Status != models.DeploymentDeprecated {
		seen := p.state.Seq
		changed := func() bool { return p.state.Seq != seen || p.state.Status == models.DeploymentDeprecated }
		waiting := p.state.Status == models.DeploymentPendingReview || p.state.Status == models.DeploymentInReview
		if waiting {
			ok, err := workflow.AwaitWithTimeout(ctx, p.in.ReminderAfter, changed)
			if err != nil {
				return nil, err
			}
			if !ok {
				if err := p.remind(ctx); err != nil {
					return nil, err
				}
			}
		} else {
			// Wake up for moves, and for Continue-As-New when the server
			// suggests it, so an idle run does not grow without bound.
			if err := workflow.Await(ctx, func() bool {
				return changed() || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
			}); err != nil {
				return nil, err
			}
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() && p.state.Status != models.DeploymentDeprecated {
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return nil, err
			}
			next := p.in
			state := p.state
			next.State = &state
			return nil, workflow.NewContinueAsNewError(ctx, Promotion, next)
		}
	}
	// Let a deprecate Update that is still returning finish before the run
	// closes, so its caller gets an answer.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return nil, err
	}
	return &p.state, nil
}

// promote creates the production deployment once; later calls (a double
// click, a retried request) answer with the same deployment and version.
func (p *promotion) promote(ctx workflow.Context, args contract.ReviewArgs) (*contract.ReviewState, error) {
	if err := p.mu.Lock(ctx); err != nil {
		return nil, err
	}
	defer p.mu.Unlock()
	if p.state.DeploymentID != uuid.Nil {
		return p.snapshot(), nil
	}
	var res activities.PromoteResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, promotionActivityOptions), a.PromoteDeployment,
		activities.PromoteInput{DevDeploymentID: p.in.DevDeploymentID, ReleaseNotes: args.ReleaseNotes, ActorID: args.ActorID}).Get(ctx, &res)
	if err != nil {
		return nil, err
	}
	p.state.DeploymentID, p.state.Version, p.state.Status = res.DeploymentID, res.Version, res.Status
	actor := args.ActorID
	p.state.History = append(p.state.History, contract.ReviewStep{Action: "promote", To: res.Status, ActorID: &actor, At: workflow.Now(ctx)})
	if err := p.upsertSearchAttributes(ctx); err != nil {
		return nil, err
	}
	if err := StartWebhookDeliveries(ctx, res.DeliveryIDs); err != nil {
		return nil, err
	}
	return p.snapshot(), nil
}

// validate refuses, before the Update is accepted, a move the state does
// not allow or an actor who may not make it. Errors are encoded by
// contract.ApplicationError, so the API maps them like activity errors.
func (p *promotion) validate(action models.ReviewAction, args contract.ReviewArgs) error {
	if p.state.DeploymentID == uuid.Nil {
		return contract.ApplicationError(&models.Error{Kind: models.KindConflict, Code: contract.ErrTypeNotPromoted,
			Message: "Promote the deployment before " + string(action) + "."})
	}
	if _, ok := models.ReviewTarget(p.state.Status, action); !ok {
		return contract.ApplicationError(models.IllegalTransition(p.state.Status, action))
	}
	decides := action == models.ReviewApprove || action == models.ReviewReject
	if decides && !args.ActorIsStaff && (p.state.ReviewerID == nil || *p.state.ReviewerID != args.ActorID) {
		return contract.ApplicationError(&models.Error{Kind: models.KindForbidden, Code: contract.ErrTypeNotReviewer,
			Message: "Only the reviewer who claimed this deployment (or platform staff) may decide it."})
	}
	if action == models.ReviewReject {
		if _, err := models.ValidateRejectionReasons(args.Reasons); err != nil {
			e, _ := models.AsError(err)
			return contract.ApplicationError(e)
		}
	}
	return nil
}

// move applies one review action: the activity mirrors it into the
// database (with its event and webhook deliveries), then the run records
// it, starts the deliveries and keeps the search attributes current.
func (p *promotion) move(ctx workflow.Context, action models.ReviewAction, args contract.ReviewArgs) (*contract.ReviewState, error) {
	if err := p.mu.Lock(ctx); err != nil {
		return nil, err
	}
	defer p.mu.Unlock()
	// Another move may have gone first while this one waited for the lock.
	if err := p.validate(action, args); err != nil {
		return nil, err
	}
	from := p.state.Status
	var actor *uuid.UUID
	if !args.System {
		id := args.ActorID
		actor = &id
	}
	t := models.ReviewTransition{DeploymentID: p.state.DeploymentID, Seq: p.state.Seq + 1, Action: action, ActorID: actor, Reasons: args.Reasons}
	var res activities.ReviewTransitionResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, promotionActivityOptions), a.ApplyReviewTransition, t).Get(ctx, &res)
	if err != nil {
		return nil, err
	}
	p.state.Seq++
	p.state.Status, p.state.ReviewerID = res.Status, res.ReviewerID
	switch action {
	case models.ReviewReject:
		p.state.Reasons = args.Reasons
	case models.ReviewSubmit:
		p.state.Reasons = []models.RejectionReason{}
	}
	p.state.History = append(p.state.History, contract.ReviewStep{Action: action, From: from, To: res.Status, ActorID: actor,
		At: workflow.Now(ctx), Reasons: args.Reasons})
	if err := p.upsertSearchAttributes(ctx); err != nil {
		return nil, err
	}
	if err := StartWebhookDeliveries(ctx, res.DeliveryIDs); err != nil {
		return nil, err
	}
	if res.PreviousPublishedID != nil && res.PreviousSourceID != nil {
		var deliveries []uuid.UUID
		err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, promotionActivityOptions), a.DeprecateDeployment,
			activities.DeprecateInput{DeploymentID: *res.PreviousPublishedID, SourceDeploymentID: *res.PreviousSourceID,
				ReplacedBy: p.state.DeploymentID}).Get(ctx, &deliveries)
		if err != nil {
			return nil, fmt.Errorf("deprecate the previous publication: %w", err)
		}
		// Deliveries come back only when the previous publication had no
		// run of its own to send them.
		if err := StartWebhookDeliveries(ctx, deliveries); err != nil {
			return nil, err
		}
	}
	return p.snapshot(), nil
}

// remind tells reviewers that the submission has waited ReminderAfter
// since its last move; the loop then re-arms the timer.
func (p *promotion) remind(ctx workflow.Context) error {
	p.state.RemindersSent++
	waited := p.in.ReminderAfter
	if n := len(p.state.History); n > 0 {
		waited = workflow.Now(ctx).Sub(p.state.History[n-1].At)
	}
	opts := promotionActivityOptions
	opts.StartToCloseTimeout = 2 * time.Minute
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), a.RemindReviewers,
		activities.RemindReviewersInput{DeploymentID: p.state.DeploymentID, Reminder: p.state.RemindersSent, Waited: waited}).Get(ctx, nil)
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.NonRetryable() {
		// The deployment is gone; the reminder has nobody to remind.
		workflow.GetLogger(ctx).Warn("Review reminder skipped", "error", err)
		return nil
	}
	return err
}

func (p *promotion) upsertSearchAttributes(ctx workflow.Context) error {
	return workflow.UpsertTypedSearchAttributes(ctx,
		contract.AttrDeploymentID.ValueSet(p.state.DeploymentID.String()),
		contract.AttrReviewStatus.ValueSet(string(p.state.Status)),
		contract.AttrVersion.ValueSet(p.state.Version),
	)
}

// snapshot copies the state for an Update's result.
func (p *promotion) snapshot() *contract.ReviewState {
	s := p.state
	return &s
}
