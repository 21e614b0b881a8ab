package api

import (
	"context"

	"github.com/google/uuid"

	"appstore/workflows/contract"
)

// Installations is how handlers drive Installation runs: install with
// Update-With-Start (installing twice attaches to the same run), uninstall
// with a validated Update. workflows/client implements it. A refusal is
// its *models.Error; a generation whose run is over or missing is one that
// runClosed reports.
type Installations interface {
	Install(ctx context.Context, in contract.InstallationInput, args contract.InstallationArgs, updateID string) (*contract.InstallationState, error)
	Uninstall(ctx context.Context, installationID uuid.UUID, generation int, args contract.InstallationArgs, updateID string) (*contract.InstallationState, error)
}
