package contract

import (
	"fmt"
	"time"
)

// SecretRotationWorkflow is the workflow type of the run that revokes an
// app client's previous secret once its grace period is over.
const SecretRotationWorkflow = "SecretRotation"

// DefaultSecretGrace is how long a rotated-out client secret keeps working
// unless configuration says otherwise.
const DefaultSecretGrace = 7 * 24 * time.Hour

// ErrTypeInvalidSecretRotation is the application error type of a
// SecretRotation started with input it cannot act on.
const ErrTypeInvalidSecretRotation = "InvalidSecretRotationInput"

// SecretRotationWorkflowID is the workflow ID of the rotation that made
// generation of client clientID: "rotate-<clientID>-<generation>".
func SecretRotationWorkflowID(clientID string, generation int) string {
	return fmt.Sprintf("rotate-%s-%d", clientID, generation)
}

// RotationScheduleID is the ID of client clientID's rotation Schedule:
// "rotation-schedule-<clientID>". An app client's Schedule reminds its
// developers (RotationReminder); an installation client's rotates the
// secret (InstallationSecretRotation). Their client ids never collide.
func RotationScheduleID(clientID string) string { return "rotation-schedule-" + clientID }

// SecretRotationInput starts a SecretRotation. It carries no secret: the
// API made the new one, showed it once and stored its hash before starting
// the run.
type SecretRotationInput struct {
	ClientID   string
	Generation int           // the new generation; Generation-1 is revoked
	Grace      time.Duration // how long the previous generation keeps working
}
