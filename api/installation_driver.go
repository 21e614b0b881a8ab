package api

import (
	"context"
	"errors"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"appstore/activities"
	"appstore/workflows"
)

// Installations is how handlers drive Installation runs: install with
// Update-With-Start (installing twice attaches to the same run), uninstall
// with a validated Update.
type Installations interface {
	Install(ctx context.Context, in workflows.InstallationInput, args activities.InstallationArgs, updateID string) (*workflows.InstallationState, error)
	Uninstall(ctx context.Context, installationID uuid.UUID, generation int, args activities.InstallationArgs, updateID string) (*workflows.InstallationState, error)
}

// TemporalInstallations implements Installations with a Temporal client.
type TemporalInstallations struct {
	Client    client.Client
	TaskQueue string
}

// errInstallationClosed means the generation's run is over or missing;
// callers answer from the database.
var errInstallationClosed = errors.New("installation run closed or missing")

// Install starts install-<id>-<generation> if it is not running and sends
// it the install Update in one call, answered once installed.
func (t *TemporalInstallations) Install(ctx context.Context, in workflows.InstallationInput, args activities.InstallationArgs, updateID string) (*workflows.InstallationState, error) {
	start := t.Client.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       workflows.InstallationWorkflowID(in.InstallationID, in.Generation),
		TaskQueue:                t.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes:    workflows.InstallationSearchAttributes(in),
	}, workflows.Installation, in)
	handle, err := t.Client.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateID:     updateID,
			UpdateName:   workflows.InstallationInstallUpdate,
			Args:         []any{args},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	return installationResult(ctx, handle, err, "install "+in.InstallationID.String())
}

// Uninstall sends the uninstall Update to the generation's run.
func (t *TemporalInstallations) Uninstall(ctx context.Context, installationID uuid.UUID, generation int, args activities.InstallationArgs, updateID string) (*workflows.InstallationState, error) {
	handle, err := t.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.InstallationWorkflowID(installationID, generation),
		UpdateID:     updateID,
		UpdateName:   workflows.InstallationUninstallUpdate,
		Args:         []any{args},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	return installationResult(ctx, handle, err, "uninstall "+installationID.String())
}

func installationResult(ctx context.Context, handle client.WorkflowUpdateHandle, err error, op string) (*workflows.InstallationState, error) {
	return updateOutcome[workflows.InstallationState](ctx, handle, err, errInstallationClosed, "installation "+op)
}
