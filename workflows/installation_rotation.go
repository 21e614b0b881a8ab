package workflows

import (
	"fmt"

	"github.com/google/uuid"
	"go.temporal.io/sdk/workflow"

	"appstore/activities"
	"appstore/models"
	"appstore/workflows/contract"
)

// InstallationRotationResult is how a rotation run ended.
type InstallationRotationResult struct {
	Rotated         bool `json:"rotated"` // false: the installation is uninstalled
	Generation      int  `json:"generation"`
	Delivered       bool `json:"delivered"`        // secret.rotated reached the app
	PreviousRevoked bool `json:"previous_revoked"` // after the grace period
}

// InstallationSecretRotation rotates an installation client's secret
// (DESIGN §6), started by the client's Schedule: it reads the current
// generation once (so a retried rotation makes one new secret), makes the
// next one (previous kept valid for the grace period), enqueues and
// delivers secret.rotated — the attempt adds the new secret to the body —
// erases the secret's encrypted copy once delivered, then waits out the
// grace period on a durable timer and revokes the previous generation.
// An uninstalled installation's client is left alone.
func InstallationSecretRotation(ctx workflow.Context, in contract.InstallationRotationInput) (*InstallationRotationResult, error) {
	if in.Grace <= 0 {
		in.Grace = contract.DefaultSecretGrace
	}
	actx := workflow.WithActivityOptions(ctx, installationActivityOptions)
	res := &InstallationRotationResult{}
	var cur activities.InstallationClientGeneration
	if err := workflow.ExecuteActivity(actx, a.ReadInstallationClient, in.InstallationID).Get(ctx, &cur); err != nil {
		return nil, fmt.Errorf("installation rotation: read client: %w", err)
	}
	if cur.Revoked {
		return res, nil
	}
	err := workflow.ExecuteActivity(actx, a.RotateInstallationSecret, activities.RotateInstallationSecretInput{
		ClientID: in.ClientID, From: cur.Generation, Grace: in.Grace}).Get(ctx, &res.Generation)
	if err != nil {
		if me, ok := contract.ModelError(err); ok && me.Code == contract.ErrTypeInstallationInactive {
			return res, nil // uninstalled meanwhile
		}
		return nil, fmt.Errorf("installation rotation: rotate: %w", err)
	}
	res.Rotated = true
	var ids []uuid.UUID
	err = workflow.ExecuteActivity(actx, a.EnqueueInstallationEvent, activities.InstallationEventInput{
		InstallationID: in.InstallationID, EventType: models.EventSecretRotated,
		DedupeKey: contract.SecretRotationWorkflowID(in.ClientID, res.Generation) + ":secret.rotated"}).Get(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("installation rotation: enqueue: %w", err)
	}
	for _, id := range ids {
		var d WebhookDeliveryResult
		if err := startDeliveryChild(ctx, id).Get(ctx, &d); err != nil {
			return nil, fmt.Errorf("installation rotation: deliver: %w", err)
		}
		res.Delivered = d.Status == models.WebhookDelivered
	}
	if res.Delivered {
		err := workflow.ExecuteActivity(actx, a.EraseInstallationSecret,
			activities.EraseSecretInput{ClientID: in.ClientID, Generation: res.Generation}).Get(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("installation rotation: erase: %w", err)
		}
	}
	if err := workflow.NewTimerWithOptions(ctx, in.Grace, workflow.TimerOptions{Summary: "Secret grace period"}).Get(ctx, nil); err != nil {
		return nil, err
	}
	err = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, revokeSecretOptions), a.RevokePreviousSecret,
		activities.RevokePreviousSecretInput{ClientID: in.ClientID, Generation: res.Generation - 1}).Get(ctx, &res.PreviousRevoked)
	if err != nil {
		return nil, fmt.Errorf("installation rotation: revoke: %w", err)
	}
	return res, nil
}
