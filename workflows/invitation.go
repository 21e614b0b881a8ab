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

// invitation is one run's state. Update handlers and the main loop share
// it; mu serialises the changes that call activities.
type invitation struct {
	in         contract.InvitationInput
	state      contract.InvitationState
	generation int
	mu         workflow.Mutex
	inFlight   map[string]bool // Updates queued or running, by name
}

// Invitation mails the invitation, to a developer account or an
// organization alike, and waits for its expiry on a durable timer. Resend mails a new link and resets the expiry to now + 7 days;
// cancel and accept end it; the timer firing marks it expired. Each Update's
// validator rejects it unless the invitation is pending. The result is the
// final state; the error is the context's when the run is cancelled.
func Invitation(ctx workflow.Context, in contract.InvitationInput) (contract.InvitationState, error) {
	inv := &invitation{
		in:         in,
		state:      contract.InvitationState{Status: models.InvitationPending, ExpiresAt: in.ExpiresAt},
		generation: 1,
		mu:         workflow.NewMutex(ctx),
		inFlight:   map[string]bool{},
	}
	if err := inv.setHandlers(ctx); err != nil {
		return inv.state, err
	}
	// One upsert for either kind: runs of both kinds issue the same commands.
	err := workflow.UpsertTypedSearchAttributes(ctx,
		in.TargetAttribute(),
		contract.AttrInvitationStatus.ValueSet(string(models.InvitationPending)))
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
	err := workflow.SetQueryHandler(ctx, contract.InvitationStatusQuery, func() (contract.InvitationState, error) {
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
		{contract.InvitationResendUpdate, inv.resend, func(workflow.Context, contract.ActorArgs) error {
			return inv.validate(contract.InvitationResendUpdate)
		}},
		{contract.InvitationCancelUpdate, inv.cancel, func(workflow.Context, contract.ActorArgs) error {
			return inv.validate(contract.InvitationCancelUpdate)
		}},
		{contract.InvitationAcceptUpdate, inv.accept, func(_ workflow.Context, args contract.AcceptArgs) error {
			if args.UserID == uuid.Nil {
				return contract.ApplicationError(&models.Error{Kind: models.KindInvalid, Code: contract.ErrTypeInvalidUser,
					Message: "Sign in to accept the invitation."})
			}
			return inv.validate(contract.InvitationAcceptUpdate)
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
// Update is not already under way. Errors are encoded by
// contract.ApplicationError, so the API maps them like activity errors.
func (inv *invitation) validate(update string) error {
	if err := notPending(inv.state.Status); err != nil {
		return err
	}
	if inv.inFlight[update] {
		return contract.ApplicationError(&models.Error{Kind: models.KindConflict, Code: contract.ErrTypeInvitationBusy,
			Message: "This invitation is already being changed; try again in a moment."})
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
		return contract.ApplicationError(&models.Error{Kind: models.KindConflict, Code: contract.ErrTypeInvitationExpired,
			Message: "This invitation has expired. Ask an admin to resend it."})
	case models.InvitationCancelled:
		return contract.ApplicationError(&models.Error{Kind: models.KindConflict, Code: contract.ErrTypeInvitationCancelled,
			Message: "This invitation was cancelled. Ask an admin to invite you again."})
	default:
		return contract.ApplicationError(&models.Error{Kind: models.KindConflict, Code: contract.ErrTypeInvitationAccepted,
			Message: "This invitation has already been accepted."})
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

func (inv *invitation) resend(ctx workflow.Context, args contract.ActorArgs) (contract.InvitationState, error) {
	inv.inFlight[contract.InvitationResendUpdate] = true
	defer delete(inv.inFlight, contract.InvitationResendUpdate)
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

func (inv *invitation) cancel(ctx workflow.Context, args contract.ActorArgs) (contract.InvitationState, error) {
	inv.inFlight[contract.InvitationCancelUpdate] = true
	defer delete(inv.inFlight, contract.InvitationCancelUpdate)
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

func (inv *invitation) accept(ctx workflow.Context, args contract.AcceptArgs) (contract.InvitationState, error) {
	inv.inFlight[contract.InvitationAcceptUpdate] = true
	defer delete(inv.inFlight, contract.InvitationAcceptUpdate)
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

// domainCause unwraps the ApplicationError an activity returned for a
// models.Error (contract.DomainError), so the Update's failure is that
// error rather than an ActivityError around it.
func domainCause(err error) error {
	var appErr *temporal.ApplicationError
	if _, ok := contract.ModelError(err); ok && errors.As(err, &appErr) {
		return appErr
	}
	return err
}

// setStatus records a new status and mirrors it in the search attribute.
func (inv *invitation) setStatus(ctx workflow.Context, status models.InvitationStatus) error {
	inv.state.Status = status
	err := workflow.UpsertTypedSearchAttributes(ctx, contract.AttrInvitationStatus.ValueSet(string(status)))
	if err != nil {
		return fmt.Errorf("invitation: search attributes: %w", err)
	}
	return nil
}
