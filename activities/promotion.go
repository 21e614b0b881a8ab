package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/workflows/contract"
)

// PromoteInput names the development deployment to promote and who asked.
type PromoteInput struct {
	DevDeploymentID uuid.UUID
	ReleaseNotes    string
	ActorID         uuid.UUID
}

// PromoteResult is the production deployment a promotion made (or found,
// when it had been made before) and the deliveries of deployment.promoted.
type PromoteResult struct {
	DeploymentID uuid.UUID
	Version      string
	Status       models.DeploymentStatus
	DeliveryIDs  []uuid.UUID
}

// PromoteDeployment creates the production deployment of a development
// deployment, or returns the one made before: the database allows one per
// source, so a retry after a crash finds the first. Then it queues the
// deployment.promoted webhooks, again idempotently.
func (a *Activities) PromoteDeployment(ctx context.Context, in PromoteInput) (*PromoteResult, error) {
	d, err := a.Store.PromoteDeployment(models.WithActor(ctx, in.ActorID), in.DevDeploymentID, in.ReleaseNotes)
	if err != nil {
		return nil, contract.DomainError(wrap("promote deployment", in.DevDeploymentID, err))
	}
	ids, err := a.Store.EnqueuePromotedEvent(ctx, d.ID)
	if err != nil {
		return nil, contract.DomainError(wrap("enqueue deployment.promoted", d.ID, err))
	}
	version := ""
	if d.Version != nil {
		version = *d.Version
	}
	return &PromoteResult{DeploymentID: d.ID, Version: version, Status: d.Status, DeliveryIDs: ids}, nil
}

// ReviewTransitionResult is what a review move did, in workflow terms.
type ReviewTransitionResult struct {
	Status      models.DeploymentStatus
	ReviewerID  *uuid.UUID
	DeliveryIDs []uuid.UUID
	// PreviousPublishedID and PreviousSourceID name the deployment a
	// publish makes obsolete and the development deployment its Promotion
	// run is keyed by.
	PreviousPublishedID *uuid.UUID
	PreviousSourceID    *uuid.UUID
}

// ApplyReviewTransition mirrors a review move into the database with its
// event and webhook deliveries (one transaction, idempotent by Seq). Rule
// breaks (publication checks failing, another deployment in review) come
// back as non-retryable errors of the models Code.
func (a *Activities) ApplyReviewTransition(ctx context.Context, t models.ReviewTransition) (*ReviewTransitionResult, error) {
	if t.ActorID != nil {
		ctx = models.WithActor(ctx, *t.ActorID)
	}
	out, err := a.Store.ApplyReviewTransition(ctx, t)
	if err != nil {
		return nil, contract.DomainError(wrap("review "+string(t.Action), t.DeploymentID, err))
	}
	r := &ReviewTransitionResult{Status: out.Status, ReviewerID: out.ReviewerID, DeliveryIDs: out.DeliveryIDs}
	if p := out.PreviousPublished; p != nil {
		r.PreviousPublishedID, r.PreviousSourceID = &p.ID, p.SourceDeploymentID
	}
	return r, nil
}

// DeprecateInput names the deployment a newer publication replaces.
type DeprecateInput struct {
	DeploymentID       uuid.UUID
	SourceDeploymentID uuid.UUID // keys its Promotion run
	ReplacedBy         uuid.UUID
}

// DeprecateDeployment deprecates a formerly published deployment through
// an Update to its own Promotion run, which owns its status. The update id
// is derived from the replacing deployment, so a retry is answered from
// the first attempt's result; a run that already deprecated it is fine. A
// deployment without a running run (the demo catalog's seed has none; a
// run may have ended) is deprecated in the database directly, unless it is
// deprecated already; the webhook deliveries that causes are returned for
// the calling workflow to start.
func (a *Activities) DeprecateDeployment(ctx context.Context, in DeprecateInput) ([]uuid.UUID, error) {
	if a.Temporal == nil {
		return nil, errors.New("deprecate deployment: activities have no Temporal client")
	}
	err := a.Temporal.Deprecate(ctx, in.SourceDeploymentID, in.ReplacedBy)
	switch {
	case err == nil:
		return nil, nil
	case errors.Is(err, contract.ErrNotFound), errors.Is(err, contract.ErrAlreadyCompleted):
		return a.deprecateWithoutRun(ctx, in.DeploymentID)
	}
	if me, ok := models.AsError(err); ok && me.Code == contract.ErrTypeIllegalTransition {
		return nil, nil // deprecated already
	}
	return nil, fmt.Errorf("deprecate deployment %s: %w", in.DeploymentID, err)
}

// deprecateWithoutRun moves a published deployment that has no Promotion
// run to deprecated, as its next move; one already deprecated (a retry)
// is left alone.
func (a *Activities) deprecateWithoutRun(ctx context.Context, id uuid.UUID) ([]uuid.UUID, error) {
	d, err := a.Store.GetDeployment(ctx, id)
	if err != nil {
		return nil, contract.DomainError(wrap("deprecate deployment", id, err))
	}
	if d.Status != models.DeploymentPublished {
		return nil, nil
	}
	out, err := a.Store.ApplyReviewTransition(ctx, models.ReviewTransition{DeploymentID: id, Seq: d.ReviewSeq + 1, Action: models.ReviewDeprecate})
	if me, ok := models.AsError(err); ok && me.Code == contract.ErrTypeIllegalTransition {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("deprecate deployment %s: %w", id, err)
	}
	return out.DeliveryIDs, nil
}

// RemindReviewersInput names the waiting submission and which reminder
// this is (1 for the first).
type RemindReviewersInput struct {
	DeploymentID uuid.UUID
	Reminder     int
	Waited       time.Duration
}

// RemindReviewers records deployment.review_reminder once and mails the
// reviewer who claimed the deployment, or every reviewer when nobody has;
// it returns how many mails it sent. Mail is at least once.
func (a *Activities) RemindReviewers(ctx context.Context, in RemindReviewersInput) (int, error) {
	d, app, users, err := a.Store.ReviewReminderTargets(ctx, in.DeploymentID)
	if err != nil {
		return 0, contract.DomainError(wrap("remind reviewers", in.DeploymentID, err))
	}
	if d.Status != models.DeploymentPendingReview && d.Status != models.DeploymentInReview {
		return 0, nil // decided meanwhile
	}
	if err := a.Store.RecordReviewReminder(ctx, d, app, in.Reminder, in.Waited.Hours()); err != nil {
		return 0, fmt.Errorf("remind reviewers: %w", err)
	}
	sent := 0
	for _, u := range users {
		m, err := reviewReminderMail(a.BaseURL, app, d, u.Email, in.Waited)
		if err != nil {
			return sent, err
		}
		if err := a.Mailer.Send(ctx, m); err != nil {
			return sent, fmt.Errorf("remind reviewers of %s: %w", d.ID, err)
		}
		sent++
	}
	return sent, nil
}

type reviewMailData struct {
	App, Version, Status, Link string
	Hours                      int
}

func reviewReminderMail(baseURL string, app *models.App, d *models.Deployment, to string, waited time.Duration) (Mail, error) {
	data := reviewMailData{App: app.Title, Status: string(d.Status), Hours: int(waited.Hours()),
		Link: strings.TrimSuffix(baseURL, "/") + "/review"}
	if d.Version != nil {
		data.Version = *d.Version
	}
	return renderMail("review_reminder", to, fmt.Sprintf("Review waiting: %s %s", app.Title, data.Version), data)
}
