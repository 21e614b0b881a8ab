package api

import (
	"context"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/workflows/contract"
)

// Promotions is how handlers drive Promotion runs: promote with
// Update-With-Start (a double click attaches to the same run), then review
// moves as validated Updates, and the status Query. workflows/client
// implements it. A refusal is its *models.Error; a run that is missing or
// over is one that runClosed reports, and the handler answers from the
// database.
type Promotions interface {
	Promote(ctx context.Context, in contract.PromotionInput, args contract.ReviewArgs, updateID string) (*contract.ReviewState, error)
	Move(ctx context.Context, devDeploymentID uuid.UUID, action models.ReviewAction, args contract.ReviewArgs, updateID string) (*contract.ReviewState, error)
	Status(ctx context.Context, devDeploymentID uuid.UUID) (*contract.ReviewState, error)
}
