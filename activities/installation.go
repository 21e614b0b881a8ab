package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"appstore/models"
	"appstore/workflows/contract"
)

// ActivateInstallation makes the generation's installation row active and
// grants every organization member access (models.ActivateInstallation).
func (a *Activities) ActivateInstallation(ctx context.Context, in models.ActivateInstallationInput) error {
	if _, err := a.Store.ActivateInstallation(ctx, in); err != nil {
		return contract.DomainError(fmt.Errorf("activate installation %s: %w", in.InstallationID, err))
	}
	return nil
}

// InstallationClientResult names the installation's client and the secret
// generation awaiting delivery — never the secret.
type InstallationClientResult struct {
	ClientID         string
	SecretGeneration int
}

// EnsureInstallationClient creates the installation's OAuth client, or a
// fresh secret generation after an uninstall; the secret is generated in
// the store's transaction, here, never in workflow code.
func (a *Activities) EnsureInstallationClient(ctx context.Context, installationID uuid.UUID) (*InstallationClientResult, error) {
	id, gen, err := a.Store.EnsureInstallationClient(ctx, installationID)
	if err != nil {
		return nil, contract.DomainError(fmt.Errorf("installation client %s: %w", installationID, err))
	}
	return &InstallationClientResult{ClientID: id, SecretGeneration: gen}, nil
}

// InstallationEventInput enqueues one installation event.
type InstallationEventInput struct {
	InstallationID uuid.UUID
	EventType      models.EventType
	DedupeKey      string
}

// EnqueueInstallationEvent enqueues the event to the app's webhook URL
// (idempotent by dedupe key) and returns the delivery ids.
func (a *Activities) EnqueueInstallationEvent(ctx context.Context, in InstallationEventInput) ([]uuid.UUID, error) {
	ids, err := a.Store.EnqueueInstallationEvent(ctx, in.InstallationID, in.EventType, in.DedupeKey)
	if err != nil {
		return nil, contract.DomainError(fmt.Errorf("enqueue %s for %s: %w", in.EventType, in.InstallationID, err))
	}
	return ids, nil
}

// EraseSecretInput names a delivered secret generation.
type EraseSecretInput struct {
	ClientID   string
	Generation int
}

// EraseInstallationSecret erases the encrypted copy of a delivered secret.
func (a *Activities) EraseInstallationSecret(ctx context.Context, in EraseSecretInput) error {
	return a.Store.EraseInstallationSecret(ctx, in.ClientID, in.Generation)
}

// DeactivateInput uninstalls one generation.
type DeactivateInput struct {
	InstallationID uuid.UUID
	Generation     int
	ActorID        uuid.UUID
}

// DeactivateInstallation soft-deletes the installation and revokes its
// client and tokens (models.DeactivateInstallation); it returns the
// client id.
func (a *Activities) DeactivateInstallation(ctx context.Context, in DeactivateInput) (string, error) {
	id, err := a.Store.DeactivateInstallation(ctx, in.InstallationID, in.Generation, in.ActorID)
	if err != nil {
		return "", contract.DomainError(fmt.Errorf("deactivate installation %s: %w", in.InstallationID, err))
	}
	return id, nil
}

// RotationScheduleInput creates an installation client's rotation Schedule.
type RotationScheduleInput struct {
	ClientID       string
	InstallationID uuid.UUID
	Every          time.Duration
	Grace          time.Duration
}

// EnsureInstallationRotationSchedule creates the client's rotation
// Schedule (contract.RotationScheduleID), running
// InstallationSecretRotation on this activity's task queue every in.Every
// (overlaps skipped). One that exists is kept, so a retry or a reinstall
// is safe.
func (a *Activities) EnsureInstallationRotationSchedule(ctx context.Context, in RotationScheduleInput) error {
	if a.Temporal == nil {
		return errors.New("rotation schedule: no Temporal client")
	}
	if in.Every <= 0 {
		return temporal.NewNonRetryableApplicationError("rotation schedule: interval must be positive", "invalid_interval", nil)
	}
	return a.Temporal.EnsureInstallationRotationSchedule(ctx, activity.GetInfo(ctx).TaskQueue, in.Every,
		contract.InstallationRotationInput{ClientID: in.ClientID, InstallationID: in.InstallationID, Grace: in.Grace})
}

// DeleteInstallationRotationSchedule deletes the client's rotation
// Schedule; one already gone is fine.
func (a *Activities) DeleteInstallationRotationSchedule(ctx context.Context, clientID string) error {
	if a.Temporal == nil {
		return errors.New("rotation schedule: no Temporal client")
	}
	return a.Temporal.DeleteRotationSchedule(ctx, clientID)
}

// InstallationClientGeneration is the client's current secret generation,
// which a rotation run reads once so that its rotation is idempotent.
// Revoked reports an uninstalled installation's client: nothing to rotate.
type InstallationClientGeneration struct {
	Generation int
	Revoked    bool
}

// ReadInstallationClient reads the client's secret generation.
func (a *Activities) ReadInstallationClient(ctx context.Context, installationID uuid.UUID) (*InstallationClientGeneration, error) {
	c, err := a.Store.InstallationClient(ctx, installationID)
	if errors.Is(err, models.ErrNotFound) {
		return &InstallationClientGeneration{Revoked: true}, nil
	}
	if err != nil {
		return nil, err
	}
	return &InstallationClientGeneration{Generation: c.SecretGeneration, Revoked: c.RevokedAt != nil || !c.Enabled}, nil
}

// RotateInstallationSecretInput rotates from one generation.
type RotateInstallationSecretInput struct {
	ClientID string
	From     int
	Grace    time.Duration
}

// RotateInstallationSecret makes the next secret generation (idempotent
// by From) and returns it.
func (a *Activities) RotateInstallationSecret(ctx context.Context, in RotateInstallationSecretInput) (int, error) {
	gen, _, err := a.Store.RotateInstallationSecret(ctx, in.ClientID, in.From, in.Grace)
	if err != nil {
		return 0, contract.DomainError(fmt.Errorf("rotate installation secret %s: %w", in.ClientID, err))
	}
	return gen, nil
}
