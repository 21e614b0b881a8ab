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
)

// Update and Query names of a Promotion run.
const (
	PromotionPromoteUpdate   = "promote"
	PromotionStatusQuery     = "status"
	DefaultReviewReminder    = 24 * time.Hour
	ErrTypeIllegalTransition = "illegal_transition"
	ErrTypeNotReviewer       = "not_the_reviewer"
	ErrTypeNotPromoted       = "not_promoted"
)

// PromotionWorkflowID is the run that owns the production life of a
// development deployment: "promotion-<devDeploymentID>".
func PromotionWorkflowID(devDeploymentID uuid.UUID) string {
	return "promotion-" + devDeploymentID.String()
}

// PromotionInput starts (or continues as new) a Promotion run.
type PromotionInput struct {
	DevDeploymentID    uuid.UUID
	AppID              uuid.UUID
	AppSlug            string
	DeveloperAccountID uuid.UUID
	// DeveloperAccountSlug is what ops filter by (DeveloperAccount), as
	// for invitations and webhook deliveries.
	DeveloperAccountSlug string
	// ReminderAfter is how long a submission may wait before reviewers
	// are reminded; zero means DefaultReviewReminder.
	ReminderAfter time.Duration
	// State is carried over by Continue-As-New; nil on the first run.
	State *ReviewState
}

// ReviewStep is one move in a deployment's review history.
type ReviewStep struct {
	Action  models.ReviewAction      `json:"action"`
	From    models.DeploymentStatus  `json:"from"`
	To      models.DeploymentStatus  `json:"to"`
	ActorID *uuid.UUID               `json:"actor_id,omitempty"`
	At      time.Time                `json:"at"`
	Reasons []models.RejectionReason `json:"reasons,omitempty"`
}

// ReviewState is what the status Query answers and every Update returns.
type ReviewState struct {
	DevDeploymentID uuid.UUID                `json:"dev_deployment_id"`
	DeploymentID    uuid.UUID                `json:"deployment_id"` // production; zero until promoted
	Version         string                   `json:"version"`
	Status          models.DeploymentStatus  `json:"status"`
	ReviewerID      *uuid.UUID               `json:"reviewer_id,omitempty"`
	Reasons         []models.RejectionReason `json:"reasons"`
	History         []ReviewStep             `json:"history"`
	RemindersSent   int                      `json:"reminders_sent"`
	// Seq counts the moves applied to the database (ReviewTransition.Seq).
	Seq int `json:"seq"`
}

// reviewUpdates are the Update names of the review moves.
var reviewUpdates = []models.ReviewAction{
	models.ReviewSubmit, models.ReviewWithdraw, models.ReviewClaim, models.ReviewApprove,
	models.ReviewReject, models.ReviewPublish, models.ReviewDeprecate,
}

// Activities either wait for a person (nobody) or must eventually succeed
// (database writes), so they retry until the database is back; rule breaks
// come back non-retryable from DomainError.
var promotionActivityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

type promotion struct {
	in    PromotionInput
	state ReviewState
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
func Promotion(ctx workflow.Context, in PromotionInput) (*ReviewState, error) {
	if in.ReminderAfter <= 0 {
		in.ReminderAfter = DefaultReviewReminder
	}
	p := &promotion{in: in, mu: workflow.NewMutex(ctx)}
	if in.State != nil {
		p.state = *in.State
	} else {
		p.state = ReviewState{DevDeploymentID: in.DevDeploymentID, History: []ReviewStep{}, Reasons: []models.RejectionReason{}}
	}
	if err := workflow.SetQueryHandler(ctx, PromotionStatusQuery, func() (ReviewState, error) { return p.state, nil }); err != nil {
		return nil, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, PromotionPromoteUpdate, p.promote,
		workflow.UpdateHandlerOptions{Validator: func(activities.ReviewArgs) error { return nil }}); err != nil {
		return nil, err
	}
	for _, action := range reviewUpdates {
		err := workflow.SetUpdateHandlerWithOptions(ctx, string(action),
			func(ctx workflow.Context, args activities.ReviewArgs) (*ReviewState, error) {
				return p.move(ctx, action, args)
			},
			workflow.UpdateHandlerOptions{Validator: func(args activities.ReviewArgs) error { return p.validate(action, args) }})
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
func (p *promotion) promote(ctx workflow.Context, args activities.ReviewArgs) (*ReviewState, error) {
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
	p.state.History = append(p.state.History, ReviewStep{Action: "promote", To: res.Status, ActorID: &actor, At: workflow.Now(ctx)})
	if err := p.upsertSearchAttributes(ctx); err != nil {
		return nil, err
	}
	if err := StartWebhookDeliveries(ctx, res.DeliveryIDs); err != nil {
		return nil, err
	}
	return p.snapshot(), nil
}

// validate refuses, before the Update is accepted, a move the state does
// not allow or an actor who may not make it. Errors have the shape of
// activities.DomainError, so the API maps them like activity errors.
func (p *promotion) validate(action models.ReviewAction, args activities.ReviewArgs) error {
	if p.state.DeploymentID == uuid.Nil {
		return temporal.NewNonRetryableApplicationError("Promote the deployment before "+string(action)+".",
			ErrTypeNotPromoted, nil, models.KindConflict)
	}
	if _, ok := models.ReviewTarget(p.state.Status, action); !ok {
		e := models.IllegalTransition(p.state.Status, action)
		return temporal.NewNonRetryableApplicationError(e.Message, e.Code, nil, e.Kind, e.Fields)
	}
	decides := action == models.ReviewApprove || action == models.ReviewReject
	if decides && !args.ActorIsStaff && (p.state.ReviewerID == nil || *p.state.ReviewerID != args.ActorID) {
		return temporal.NewNonRetryableApplicationError("Only the reviewer who claimed this deployment (or platform staff) may decide it.",
			ErrTypeNotReviewer, nil, models.KindForbidden)
	}
	if action == models.ReviewReject {
		if _, err := models.ValidateRejectionReasons(args.Reasons); err != nil {
			e, _ := models.AsError(err)
			return temporal.NewNonRetryableApplicationError(e.Message, e.Code, nil, e.Kind, e.Fields)
		}
	}
	return nil
}

// move applies one review action: the activity mirrors it into the
// database (with its event and webhook deliveries), then the run records
// it, starts the deliveries and keeps the search attributes current.
func (p *promotion) move(ctx workflow.Context, action models.ReviewAction, args activities.ReviewArgs) (*ReviewState, error) {
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
	p.state.History = append(p.state.History, ReviewStep{Action: action, From: from, To: res.Status, ActorID: actor,
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
		AttrDeploymentID.ValueSet(p.state.DeploymentID.String()),
		AttrReviewStatus.ValueSet(string(p.state.Status)),
		AttrVersion.ValueSet(p.state.Version),
	)
}

// snapshot copies the state for an Update's result.
func (p *promotion) snapshot() *ReviewState {
	s := p.state
	return &s
}

// PromotionSearchAttributes are the attributes a Promotion run starts with;
// the run adds DeploymentID, ReviewStatus and Version as they become known.
func PromotionSearchAttributes(in PromotionInput) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(
		AttrAppSlug.ValueSet(in.AppSlug),
		AttrDeveloperAccount.ValueSet(in.DeveloperAccountSlug),
	)
}
