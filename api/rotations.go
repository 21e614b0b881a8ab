package api

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"appstore/workflows"
)

// Rotations is how the OAuth handlers drive client secret rotation: a
// SecretRotation run per new secret generation, and a reminder Schedule
// per enabled client.
type Rotations interface {
	// Start starts the run that revokes the generation before generation
	// once grace has passed; starting it twice is harmless.
	Start(ctx context.Context, clientID string, generation int, grace time.Duration) error
	// EnsureReminder creates or updates the client's reminder Schedule.
	EnsureReminder(ctx context.Context, clientID string, appID uuid.UUID, every time.Duration) error
	// RemoveReminder deletes the client's reminder Schedule, if any.
	RemoveReminder(ctx context.Context, clientID string) error
}

// TemporalRotations implements Rotations with a Temporal client.
type TemporalRotations struct {
	Client    client.Client
	TaskQueue string
}

// Start starts rotate-<clientID>-<generation>.
func (t *TemporalRotations) Start(ctx context.Context, clientID string, generation int, grace time.Duration) error {
	_, err := t.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        workflows.SecretRotationWorkflowID(clientID, generation),
		TaskQueue: t.TaskQueue,
		// A generation is rotated in once: its run is never repeated.
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.SecretRotation, workflows.SecretRotationInput{ClientID: clientID, Generation: generation, Grace: grace})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return fmt.Errorf("start secret rotation workflow: %w", err)
	}
	return nil
}

// EnsureReminder creates or updates rotation-schedule-<clientID>.
func (t *TemporalRotations) EnsureReminder(ctx context.Context, clientID string, appID uuid.UUID, every time.Duration) error {
	return workflows.EnsureRotationSchedule(ctx, t.Client, t.TaskQueue, clientID, appID, every)
}

// RemoveReminder deletes rotation-schedule-<clientID>.
func (t *TemporalRotations) RemoveReminder(ctx context.Context, clientID string) error {
	return workflows.RemoveRotationSchedule(ctx, t.Client, clientID)
}
