package contract

import (
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"

	"appstore/models"
)

// InvitationWorkflow is the workflow type of an Invitation run.
const InvitationWorkflow = "Invitation"

// Invitation Query and Update names.
const (
	InvitationStatusQuery  = "status" // -> InvitationState
	InvitationResendUpdate = "resend" // ActorArgs -> InvitationState
	InvitationCancelUpdate = "cancel" // ActorArgs -> InvitationState
	InvitationAcceptUpdate = "accept" // AcceptArgs -> InvitationState
)

// Error types (models.Error codes) an Invitation run refuses Updates with.
const (
	// ErrTypeInvitationBusy: the same change is already under way (a
	// double click).
	ErrTypeInvitationBusy = "invitation_busy"
	// ErrTypeInvalidUser: an accept without a signed-in user.
	ErrTypeInvalidUser = "invalid_user"
	// The invitation is no longer pending.
	ErrTypeInvitationExpired   = "invitation_expired"
	ErrTypeInvitationCancelled = "invitation_cancelled"
	ErrTypeInvitationAccepted  = "invitation_already_accepted"
)

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

// TargetAttribute is the search attribute naming what the invitation is
// to: DeveloperAccount (the slug) or OrganizationID.
func (in InvitationInput) TargetAttribute() temporal.SearchAttributeUpdate {
	if in.OrganizationID != uuid.Nil {
		return AttrOrganizationID.ValueSet(in.OrganizationID.String())
	}
	return AttrDeveloperAccount.ValueSet(in.DeveloperAccountSlug)
}

// InvitationSearchAttributes are the search attributes an Invitation run
// starts with: its target and status pending. The API starts runs with
// them; the workflow upserts the same.
func InvitationSearchAttributes(in InvitationInput) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(in.TargetAttribute(), AttrInvitationStatus.ValueSet(string(models.InvitationPending)))
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
