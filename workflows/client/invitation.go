package client

import (
	"context"

	"github.com/google/uuid"
	sdkclient "go.temporal.io/sdk/client"

	"appstore/models"
	"appstore/workflows/contract"
)

// Invitations drives Invitation runs for the API: one per invitation (to a
// developer account or an organization), then validated Updates. A refusal
// is its *models.Error (the contract's ErrType codes, or the store's); a
// run that ended is contract.ErrAlreadyCompleted, a missing one
// contract.ErrNotFound.
type Invitations struct {
	Client    sdkclient.Client
	TaskQueue string
}

// Start starts invitation-<id>; starting it twice is harmless. One run per
// invitation, ever: a finished invitation is not reopened.
func (i *Invitations) Start(ctx context.Context, inv *models.Invitation, target *models.InvitationTarget) error {
	in := invitationInput(inv, target)
	return New(i.Client).Start(ctx, Start{
		Workflow:   contract.InvitationWorkflow,
		ID:         contract.InvitationWorkflowID(inv.ID),
		TaskQueue:  i.TaskQueue,
		Input:      in,
		Attributes: contract.InvitationSearchAttributes(in),
	})
}

// invitationInput is the workflow input of inv, whose target is target.
func invitationInput(inv *models.Invitation, target *models.InvitationTarget) contract.InvitationInput {
	in := contract.InvitationInput{InvitationID: inv.ID, ExpiresAt: inv.ExpiresAt}
	if target.Kind == models.InviteToOrganization {
		in.OrganizationID = target.ID
	} else {
		in.DeveloperAccountID, in.DeveloperAccountSlug = target.ID, target.Slug
	}
	return in
}

// Resend mails a new link and moves the expiry to now + 7 days.
func (i *Invitations) Resend(ctx context.Context, id, actor uuid.UUID) (*contract.InvitationState, error) {
	return i.update(ctx, id, contract.InvitationResendUpdate, contract.ActorArgs{ActorID: actor})
}

// Cancel ends the invitation.
func (i *Invitations) Cancel(ctx context.Context, id, actor uuid.UUID) (*contract.InvitationState, error) {
	return i.update(ctx, id, contract.InvitationCancelUpdate, contract.ActorArgs{ActorID: actor})
}

// Accept makes userID a member through the invitation.
func (i *Invitations) Accept(ctx context.Context, id, userID uuid.UUID) (*contract.InvitationState, error) {
	return i.update(ctx, id, contract.InvitationAcceptUpdate, contract.AcceptArgs{UserID: userID})
}

func (i *Invitations) update(ctx context.Context, id uuid.UUID, name string, arg any) (*contract.InvitationState, error) {
	var st contract.InvitationState
	err := New(i.Client).Update(ctx, Update{WorkflowID: contract.InvitationWorkflowID(id), Name: name, Arg: arg}, &st)
	return result(&st, err, "invitation %s update %s", id, name)
}
