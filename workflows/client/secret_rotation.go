package client

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	sdkclient "go.temporal.io/sdk/client"

	"appstore/workflows/contract"
)

// Rotations drives app client secret rotation for the API: a
// SecretRotation run per new secret generation, and a reminder Schedule
// per enabled client.
type Rotations struct {
	Client    sdkclient.Client
	TaskQueue string
}

// Start starts rotate-<clientID>-<generation>, which revokes the
// generation before generation once grace has passed. A generation is
// rotated in once: starting it twice is harmless.
func (r *Rotations) Start(ctx context.Context, clientID string, generation int, grace time.Duration) error {
	return New(r.Client).Start(ctx, Start{
		Workflow:  contract.SecretRotationWorkflow,
		ID:        contract.SecretRotationWorkflowID(clientID, generation),
		TaskQueue: r.TaskQueue,
		Input:     contract.SecretRotationInput{ClientID: clientID, Generation: generation, Grace: grace},
	})
}

// EnsureReminder creates or updates rotation-schedule-<clientID>, which
// starts RotationReminder for the client every interval (EnsureSchedule).
// It returns an error for an empty client id, and those of EnsureSchedule.
func (r *Rotations) EnsureReminder(ctx context.Context, clientID string, appID uuid.UUID, every time.Duration) error {
	if clientID == "" {
		return errors.New("rotation schedule: client id is required")
	}
	return New(r.Client).EnsureSchedule(ctx, Schedule{
		ID:         contract.RotationScheduleID(clientID),
		Every:      every,
		Workflow:   contract.RotationReminderWorkflow,
		WorkflowID: contract.RotationReminderWorkflowID(clientID),
		Input:      contract.RotationReminderInput{ClientID: clientID, AppID: appID},
		TaskQueue:  r.TaskQueue,
	})
}

// RemoveReminder deletes rotation-schedule-<clientID>, if any.
func (r *Rotations) RemoveReminder(ctx context.Context, clientID string) error {
	return New(r.Client).DeleteRotationSchedule(ctx, clientID)
}
