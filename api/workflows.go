package api

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/workflows/contract"
)

// Invitations is how handlers drive Invitation workflows: start one per
// invitation (to a developer account or an organization), then talk to it
// with validated Updates. workflows/client implements it. A refusal is its
// *models.Error; a run that is missing or over is one that runClosed
// reports.
type Invitations interface {
	Start(ctx context.Context, inv *models.Invitation, target *models.InvitationTarget) error
	Resend(ctx context.Context, id, actor uuid.UUID) (*contract.InvitationState, error)
	Cancel(ctx context.Context, id, actor uuid.UUID) (*contract.InvitationState, error)
	Accept(ctx context.Context, id, userID uuid.UUID) (*contract.InvitationState, error)
}

// runClosed reports whether err says the workflow run a handler talks to
// is missing or over (or, for Update-With-Start, over and not started
// again); the handler then answers from the database.
func runClosed(err error) bool {
	return errors.Is(err, contract.ErrNotFound) || errors.Is(err, contract.ErrAlreadyCompleted)
}
