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

// Invitation Query and Update names.
const (
	InvitationStatusQuery  = "status" // -> InvitationState
	InvitationResendUpdate = "resend" // ActorArgs -> InvitationState
	InvitationCancelUpdate = "cancel" // ActorArgs -> InvitationState
	InvitationAcceptUpdate = "accept" // AcceptArgs -> InvitationState
)

// ErrTypeInvitationBusy is the application error type of an Update
// rejected because the same change is already under way (a double click).
const ErrTypeInvitationBusy = "invitation_busy"

// Mail may wait out an SMTP outage for as long as the invitation lives, so
// its retries are unbounded; the store skips a generation already mailed.
var invitationMailOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 2 * time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    10 * time.Minute,
	},
}

// State changes run while an Update caller waits, so their retries are
// short and bounded: a caller gets an answer rather than a hang. Domain
// failures (email mismatch, not pending) are non-retryable anyway.
var invitationChangeOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    10 * time.Second,
		MaximumAttempts:    5,
	},
}

// Expiry has no caller waiting, so it retries until the database is back.
var invitationExpireOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    10 * time.Minute,
	},
}

// InvitationWorkflowID is the workflow ID of invitation id: "invitation-<id>".
func InvitationWorkflowID(id uuid.UUID) string { return "invitation-" + id.String() }

// InvitationInput starts the Invitation workflow of a pending invitation
// row. It carries ids only: the token is made and mailed by an activity.
// An invitation to a developer account sets DeveloperAccountID and
// DeveloperAccountSlug; one to an organization sets OrganizationID (and the
// account fields stay zero). The activities need only InvitationID: the
// store knows the target from the row.
type InvitationInput struct {
	InvitationID         uuid.UUID
	DeveloperAccountID   uuid.UUID
	DeveloperAccountSlug string
	OrganizationID       uuid.UUID `json:",omitzero"`
	ExpiresAt            time.Time
}

// targetAttribute is the search attribute naming what the invitation is
// to: DeveloperAccount (the slug) or OrganizationID.
func (in InvitationInput) targetAttribute() temporal.SearchAttributeUpdate {
	if in.OrganizationID != uuid.Nil {
		return AttrOrganizationID.ValueSet(in.OrganizationID.String())
	}
	return AttrDeveloperAccount.ValueSet(in.DeveloperAccountSlug)
}

// InvitationSearchAttributes are the search attributes an Invitation run
// starts with: its target and status pending. The API starts runs with
// them; the workflow upserts the same.
func InvitationSearchAttributes(in InvitationInput) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(in.targetAttribute(), AttrInvitationStatus.ValueSet(string(models.InvitationPending)))
}

// InvitationState is what the status Query and every Update return, and
// the workflow's result.
type InvitationState struct {
	Status      models.InvitationStatus `json:"status"`
	ExpiresAt   time.Time               `json:"expires_at"`
	ResendCount int                     `json:"resend_count"`
}

// ActorArgs is the argument of the resend and cancel Updates: the admin
// asking, so the events they cause name them.
type ActorArgs struct {
	ActorID uuid.UUID
}

// AcceptArgs is the argument of the accept Update: the signed-in user.
type AcceptArgs struct {
	UserID uuid.UUID
}

// invitation is one run's state. Update handlers and the main loop share
// it; mu serialises the changes that call activities.
type invitation struct {
	in         InvitationInput
	state      InvitationState
	generation int
	mu         workflow.Mutex
	inFlight   map[string]bool // Updates queued or running, by name
}

// Invitation mails the invitation, to a developer account or an
// organization alike, and waits for its expiry on a durable timer. Resend mails a new link and resets the expiry to now + 7 days;
// cancel and accept end it; the timer firing marks it expired. Each Update's
// validator rejects it unless the invitation is pending. The result is the
// final state; the error is the context's when the run is cancelled.
func Invitation(ctx workflow.Context, in InvitationInput) (InvitationState, error) {
	inv := &invitation{
		in:         in,
		state:      InvitationState{Status: models.InvitationPending, ExpiresAt: in.ExpiresAt},
		generation: 1,
		mu:         workflow.NewMutex(ctx),
		inFlight:   map[string]bool{},
	}
	if err := inv.setHandlers(ctx); err != nil {
		return inv.state, err
	}
	// One upsert for either kind: runs of both kinds issue the same commands.
	err := workflow.UpsertTypedSearchAttributes(ctx,
		in.targetAttribute(),
		AttrInvitationStatus.ValueSet(string(models.InvitationPending)))
	if err != nil {
		return inv.state, fmt.Errorf("invitation: search attributes: %w", err)
	}

	// The first mail runs beside the timer and outside mu: a cancel or
	// resend meanwhile must not wait for an SMTP outage, and the store mails
	// a generation once, only while the invitation is pending, in any order.
	mailCtx, cancelMail := workflow.WithCancel(ctx)
	defer cancelMail()
	workflow.Go(mailCtx, func(ctx workflow.Context) {
		// Retries are unbounded: only a vanished invitation fails here, and
		// the timer still ends the run.
		if err := inv.mail(ctx, 1); err != nil && !temporal.IsCanceledError(err) {
			workflow.GetLogger(ctx).Error("Invitation mail failed", "Error", err)
		}
	})

	for inv.state.Status == models.InvitationPending {
		if err := inv.waitForExpiry(ctx); err != nil {
			return inv.state, err
		}
	}
	// An Update accepted before the status changed still finishes.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return inv.state, err
	}
	return inv.state, nil
}

// waitForExpiry sleeps on a durable timer until the current expiry. An
// Update that changes the status or the expiry cancels the timer (the main
// loop sets a new one); when it fires, the invitation expires.
func (inv *invitation) waitForExpiry(ctx workflow.Context) error {
	deadline := inv.state.ExpiresAt
	if wait := deadline.Sub(workflow.Now(ctx)); wait > 0 {
		timerCtx, cancelTimer := workflow.WithCancel(ctx)
		defer cancelTimer()
		timer := workflow.NewTimerWithOptions(timerCtx, wait, workflow.TimerOptions{Summary: "Invitation expiry"})
		err := workflow.Await(ctx, func() bool {
			return timer.IsReady() || inv.state.Status != models.InvitationPending || !inv.state.ExpiresAt.Equal(deadline)
		})
		if err != nil || !timer.IsReady() {
			return err
		}
		if err := timer.Get(ctx, nil); err != nil {
			return err
		}
	}
	if err := inv.mu.Lock(ctx); err != nil {
		return err
	}
	defer inv.mu.Unlock()
	// A resend or accept may have run while this waited for the lock.
	if inv.state.Status != models.InvitationPending || workflow.Now(ctx).Before(inv.state.ExpiresAt) {
		return nil
	}
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, invitationExpireOptions),
		a.ExpireInvitation, inv.in.InvitationID).Get(ctx, nil)
	if err != nil {
		return fmt.Errorf("invitation: expire: %w", err)
	}
	return inv.setStatus(ctx, models.InvitationExpired)
}

// setHandlers registers the Query and the three Updates.
func (inv *invitation) setHandlers(ctx workflow.Context) error {
	err := workflow.SetQueryHandler(ctx, InvitationStatusQuery, func() (InvitationState, error) {
		return inv.state, nil
	})
	if err != nil {
		return err
	}
	updates := []struct {
		name    string
		handler any
		valid   any
	}{
		{InvitationResendUpdate, inv.resend, func(workflow.Context, ActorArgs) error { return inv.validate(InvitationResendUpdate) }},
		{InvitationCancelUpdate, inv.cancel, func(workflow.Context, ActorArgs) error { return inv.validate(InvitationCancelUpdate) }},
		{InvitationAcceptUpdate, inv.accept, func(_ workflow.Context, args AcceptArgs) error {
			if args.UserID == uuid.Nil {
				return temporal.NewNonRetryableApplicationError("Sign in to accept the invitation.",
					"invalid_user", nil, models.KindInvalid)
			}
			return inv.validate(InvitationAcceptUpdate)
		}},
	}
	for _, u := range updates {
		err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler, workflow.UpdateHandlerOptions{Validator: u.valid})
		if err != nil {
			return err
		}
	}
	return nil
}

// validate rejects an Update unless the invitation is pending and the same
// Update is not already under way. Errors have the shape of
// activities.DomainError, so the API maps them like activity errors.
func (inv *invitation) validate(update string) error {
	if err := notPending(inv.state.Status); err != nil {
		return err
	}
	if inv.inFlight[update] {
		return temporal.NewNonRetryableApplicationError("This invitation is already being changed; try again in a moment.",
			ErrTypeInvitationBusy, nil, models.KindConflict)
	}
	return nil
}

// notPending is the error for a change to an invitation in status, or nil
// when it is pending. Codes are those of the models store.
func notPending(status models.InvitationStatus) error {
	switch status {
	case models.InvitationPending:
		return nil
	case models.InvitationExpired:
		return temporal.NewNonRetryableApplicationError(
			"This invitation has expired. Ask an admin to resend it.",
			"invitation_expired", nil, models.KindConflict)
	case models.InvitationCancelled:
		return temporal.NewNonRetryableApplicationError(
			"This invitation was cancelled. Ask an admin to invite you again.",
			"invitation_cancelled", nil, models.KindConflict)
	default:
		return temporal.NewNonRetryableApplicationError("This invitation has already been accepted.",
			"invitation_already_accepted", nil, models.KindConflict)
	}
}

// lock takes the lock for a change and checks the invitation is still
// pending: a change queued behind another one finds the status as that one
// left it. On error the lock is not held.
func (inv *invitation) lock(ctx workflow.Context) error {
	if err := inv.mu.Lock(ctx); err != nil {
		return err
	}
	if err := notPending(inv.state.Status); err != nil {
		inv.mu.Unlock()
		return err
	}
	return nil
}

func (inv *invitation) resend(ctx workflow.Context, args ActorArgs) (InvitationState, error) {
	inv.inFlight[InvitationResendUpdate] = true
	defer delete(inv.inFlight, InvitationResendUpdate)
	if err := inv.lock(ctx); err != nil {
		return inv.state, err
	}
	gen := inv.generation + 1
	expiresAt := workflow.Now(ctx).Add(models.InvitationTTL)
	err := inv.change(ctx, a.MarkInvitationResent,
		activities.MarkResentInput{InvitationID: inv.in.InvitationID, Generation: gen, ExpiresAt: expiresAt, ActorID: args.ActorID})
	if err == nil {
		inv.generation = gen
		inv.state.ResendCount = gen - 1
		inv.state.ExpiresAt = expiresAt // wakes the main loop, which sets a new timer
	}
	inv.mu.Unlock()
	if err != nil {
		return inv.state, err
	}
	// Mailing is outside the lock, like the first mail: a cancel need not
	// wait for it, and the store mails only a pending invitation.
	if err := inv.mail(ctx, gen); err != nil {
		return inv.state, err
	}
	return inv.state, nil
}

func (inv *invitation) cancel(ctx workflow.Context, args ActorArgs) (InvitationState, error) {
	inv.inFlight[InvitationCancelUpdate] = true
	defer delete(inv.inFlight, InvitationCancelUpdate)
	if err := inv.lock(ctx); err != nil {
		return inv.state, err
	}
	defer inv.mu.Unlock()
	if err := inv.change(ctx, a.CancelInvitation,
		activities.CancelInvitationInput{InvitationID: inv.in.InvitationID, ActorID: args.ActorID}); err != nil {
		return inv.state, err
	}
	return inv.state, inv.setStatus(ctx, models.InvitationCancelled)
}

func (inv *invitation) accept(ctx workflow.Context, args AcceptArgs) (InvitationState, error) {
	inv.inFlight[InvitationAcceptUpdate] = true
	defer delete(inv.inFlight, InvitationAcceptUpdate)
	if err := inv.lock(ctx); err != nil {
		return inv.state, err
	}
	defer inv.mu.Unlock()
	err := inv.change(ctx, a.AcceptInvitation,
		activities.AcceptInvitationInput{InvitationID: inv.in.InvitationID, UserID: args.UserID})
	if err != nil {
		// An email mismatch leaves the invitation pending for the right user.
		return inv.state, err
	}
	return inv.state, inv.setStatus(ctx, models.InvitationAccepted)
}

// mail sends generation gen's mail, retrying until it is sent or skipped.
func (inv *invitation) mail(ctx workflow.Context, gen int) error {
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, invitationMailOptions),
		a.MailInvitation, activities.MailInvitationInput{InvitationID: inv.in.InvitationID, Generation: gen}).Get(ctx, nil)
	return domainCause(err)
}

// change runs a state-changing activity and returns its domain error as
// the activity made it, so the Update caller sees the models Code.
func (inv *invitation) change(ctx workflow.Context, activity any, arg any) error {
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, invitationChangeOptions), activity, arg).Get(ctx, nil)
	return domainCause(err)
}

// domainCause unwraps the ApplicationError an activity returned, so the
// Update's failure is that error rather than an ActivityError around it.
func domainCause(err error) error {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.HasDetails() {
		return appErr
	}
	return err
}

// setStatus records a new status and mirrors it in the search attribute.
func (inv *invitation) setStatus(ctx workflow.Context, status models.InvitationStatus) error {
	inv.state.Status = status
	err := workflow.UpsertTypedSearchAttributes(ctx, AttrInvitationStatus.ValueSet(string(status)))
	if err != nil {
		return fmt.Errorf("invitation: search attributes: %w", err)
	}
	return nil
}
