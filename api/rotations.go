package api

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Rotations is how the OAuth handlers drive client secret rotation: a
// SecretRotation run per new secret generation, and a reminder Schedule
// per enabled client. workflows/client implements it.
type Rotations interface {
	// Start starts the run that revokes the generation before generation
	// once grace has passed; starting it twice is harmless.
	Start(ctx context.Context, clientID string, generation int, grace time.Duration) error
	// EnsureReminder creates or updates the client's reminder Schedule.
	EnsureReminder(ctx context.Context, clientID string, appID uuid.UUID, every time.Duration) error
	// RemoveReminder deletes the client's reminder Schedule, if any.
	RemoveReminder(ctx context.Context, clientID string) error
}
