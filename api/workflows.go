package api

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"appstore/activities"
	"appstore/models"
	"appstore/workflows"
)

// Invitations is how handlers drive Invitation workflows: start one per
// invitation (to a developer account or an organization), then talk to it
// with validated Updates.
type Invitations interface {
	Start(ctx context.Context, inv *models.Invitation, target *models.InvitationTarget) error
	Resend(ctx context.Context, id, actor uuid.UUID) (*workflows.InvitationState, error)
	Cancel(ctx context.Context, id, actor uuid.UUID) (*workflows.InvitationState, error)
	Accept(ctx context.Context, id, userID uuid.UUID) (*workflows.InvitationState, error)
}

// TemporalInvitations implements Invitations with a Temporal client.
type TemporalInvitations struct {
	Client    client.Client
	TaskQueue string
}

// invitationInput is the workflow input of inv, whose target is target.
func invitationInput(inv *models.Invitation, target *models.InvitationTarget) workflows.InvitationInput {
	in := workflows.InvitationInput{InvitationID: inv.ID, ExpiresAt: inv.ExpiresAt}
	if target.Kind == models.InviteToOrganization {
		in.OrganizationID = target.ID
	} else {
		in.DeveloperAccountID, in.DeveloperAccountSlug = target.ID, target.Slug
	}
	return in
}

// Start starts invitation-<id>; starting it twice is harmless.
func (t *TemporalInvitations) Start(ctx context.Context, inv *models.Invitation, target *models.InvitationTarget) error {
	in := invitationInput(inv, target)
	_, err := t.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        workflows.InvitationWorkflowID(inv.ID),
		TaskQueue: t.TaskQueue,
		// One run per invitation, ever: a finished invitation is not reopened.
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: workflows.InvitationSearchAttributes(in),
	}, workflows.Invitation, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("start invitation workflow: %w", err)
	}
	return nil
}

// Resend mails a new link and moves the expiry to now + 7 days.
func (t *TemporalInvitations) Resend(ctx context.Context, id, actor uuid.UUID) (*workflows.InvitationState, error) {
	return t.update(ctx, id, workflows.InvitationResendUpdate, workflows.ActorArgs{ActorID: actor})
}

// Cancel ends the invitation.
func (t *TemporalInvitations) Cancel(ctx context.Context, id, actor uuid.UUID) (*workflows.InvitationState, error) {
	return t.update(ctx, id, workflows.InvitationCancelUpdate, workflows.ActorArgs{ActorID: actor})
}

// Accept makes userID a member through the invitation.
func (t *TemporalInvitations) Accept(ctx context.Context, id, userID uuid.UUID) (*workflows.InvitationState, error) {
	return t.update(ctx, id, workflows.InvitationAcceptUpdate, workflows.AcceptArgs{UserID: userID})
}

// errInvitationClosed means the workflow no longer takes Updates: it ended
// (accepted, cancelled, expired) or rejected this one. Callers read the row
// to say which.
var errInvitationClosed = errors.New("invitation workflow closed or rejected the update")

func (t *TemporalInvitations) update(ctx context.Context, id uuid.UUID, name string, args ...any) (*workflows.InvitationState, error) {
	handle, err := t.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.InvitationWorkflowID(id),
		UpdateName:   name,
		Args:         args,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		var state workflows.InvitationState
		if err = handle.Get(ctx, &state); err == nil {
			return &state, nil
		}
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) || strings.Contains(err.Error(), "already completed") {
		return nil, errInvitationClosed
	}
	if de, ok := activities.ModelError(err); ok {
		switch de.Code {
		case "invitation_email_mismatch", "invitation_busy", "invalid_user":
			return nil, de
		}
		// Expired, cancelled, accepted: the caller reads the row and
		// answers from its status.
		return nil, errInvitationClosed
	}
	return nil, fmt.Errorf("invitation %s update %s: %w", id, name, err)
}
