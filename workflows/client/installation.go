package client

import (
	"context"
	"time"

	"github.com/google/uuid"
	sdkclient "go.temporal.io/sdk/client"

	"appstore/workflows/contract"
)

// Installations drives Installation runs for the API: install with
// Update-With-Start (installing twice attaches to the same run), uninstall
// with a validated Update. A refusal is its *models.Error; a generation
// whose run is over or missing is contract.ErrAlreadyCompleted or
// contract.ErrNotFound.
type Installations struct {
	Client    sdkclient.Client
	TaskQueue string
}

// Install starts install-<id>-<generation> if it is not running and sends
// it the install Update in one call, answered once installed.
func (i *Installations) Install(ctx context.Context, in contract.InstallationInput, args contract.InstallationArgs, updateID string) (*contract.InstallationState, error) {
	var st contract.InstallationState
	err := New(i.Client).UpdateWithStart(ctx, Start{
		Workflow:   contract.InstallationWorkflow,
		ID:         contract.InstallationWorkflowID(in.InstallationID, in.Generation),
		TaskQueue:  i.TaskQueue,
		Input:      in,
		Attributes: contract.InstallationSearchAttributes(in),
	}, Update{ID: updateID, Name: contract.InstallationInstallUpdate, Arg: args}, &st)
	return result(&st, err, "installation install %s", in.InstallationID)
}

// Uninstall sends the uninstall Update to the generation's run.
func (i *Installations) Uninstall(ctx context.Context, installationID uuid.UUID, generation int, args contract.InstallationArgs, updateID string) (*contract.InstallationState, error) {
	var st contract.InstallationState
	err := New(i.Client).Update(ctx, Update{
		WorkflowID: contract.InstallationWorkflowID(installationID, generation),
		ID:         updateID,
		Name:       contract.InstallationUninstallUpdate,
		Arg:        args,
	}, &st)
	return result(&st, err, "installation uninstall %s", installationID)
}

// EnsureInstallationRotationSchedule creates the rotation Schedule of an
// installation client (contract.RotationScheduleID), which runs
// InstallationSecretRotation(in) on taskQueue every interval. One that
// exists is kept, so a retry or a reinstall is safe. Errors are those of
// EnsureSchedule.
func (c *Client) EnsureInstallationRotationSchedule(ctx context.Context, taskQueue string, every time.Duration, in contract.InstallationRotationInput) error {
	return c.EnsureSchedule(ctx, Schedule{
		ID:           contract.RotationScheduleID(in.ClientID),
		Every:        every,
		Workflow:     contract.InstallationSecretRotationWorkflow,
		WorkflowID:   contract.InstallationRotationWorkflowID(in.ClientID),
		Input:        in,
		TaskQueue:    taskQueue,
		KeepExisting: true,
	})
}

// DeleteRotationSchedule deletes client clientID's rotation Schedule (an
// app client's reminders or an installation client's rotations); one that
// does not exist is already deleted. It returns Temporal's error otherwise.
func (c *Client) DeleteRotationSchedule(ctx context.Context, clientID string) error {
	return c.DeleteSchedule(ctx, contract.RotationScheduleID(clientID))
}
