package contract

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"

	"appstore/models"
)

// Workflow types of an installation: one Installation run per generation,
// and the InstallationSecretRotation runs its client's Schedule starts.
const (
	InstallationWorkflow               = "Installation"
	InstallationSecretRotationWorkflow = "InstallationSecretRotation"
)

// Update and Query names of an Installation run.
const (
	InstallationInstallUpdate   = "install"   // InstallationArgs -> InstallationState
	InstallationUninstallUpdate = "uninstall" // InstallationArgs -> InstallationState
	InstallationStatusQuery     = "status"    // -> InstallationState
)

// Error types (models.Error codes) an Installation run's validators refuse
// Updates with, and its rotation runs recognise.
const (
	ErrTypeInstallationInactive = "installation_not_active"
	ErrTypeInstallationBusy     = "installation_uninstalling"
)

// InstallationWorkflowID is the run of one generation of an installation:
// "install-<installationID>-<generation>". A reinstall is a new run.
func InstallationWorkflowID(installationID uuid.UUID, generation int) string {
	return fmt.Sprintf("install-%s-%d", installationID, generation)
}

// InstallationRotationWorkflowID is the workflow ID an installation
// client's rotation Schedule (RotationScheduleID) gives its runs
// (Temporal appends the scheduled time).
func InstallationRotationWorkflowID(clientID string) string {
	return "installation-rotation-" + clientID
}

// InstallationInput starts an Installation run: ids and durations only.
type InstallationInput struct {
	InstallationID uuid.UUID
	Generation     int
	AppID          uuid.UUID
	AppSlug        string
	OrganizationID uuid.UUID
	// RotateEvery is the interval of the client's rotation Schedule and
	// SecretGrace how long a rotated-out secret keeps working; zero means
	// DefaultRotationReminderEvery and DefaultSecretGrace.
	RotateEvery time.Duration
	SecretGrace time.Duration
}

// InstallationSearchAttributes are the run's typed search attributes.
func InstallationSearchAttributes(in InstallationInput) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(
		AttrOrganizationID.ValueSet(in.OrganizationID.String()),
		AttrInstallationID.ValueSet(in.InstallationID.String()),
		AttrAppSlug.ValueSet(in.AppSlug),
	)
}

// InstallationArgs are the arguments of an installation run's Updates.
type InstallationArgs struct {
	ActorID uuid.UUID
}

// InstallationState is what the status Query and the Updates answer.
type InstallationState struct {
	InstallationID uuid.UUID                 `json:"installation_id"`
	Generation     int                       `json:"generation"`
	Status         models.InstallationStatus `json:"status"` // "" until installed
	ClientID       string                    `json:"client_id"`
	// SecretDelivered is set once app.installed carried the secret.
	SecretDelivered bool `json:"secret_delivered"`
}

// InstallationRotationInput is what an installation client's rotation
// Schedule passes to each InstallationSecretRotation run: ids and
// durations only.
type InstallationRotationInput struct {
	ClientID       string
	InstallationID uuid.UUID
	Grace          time.Duration
}
