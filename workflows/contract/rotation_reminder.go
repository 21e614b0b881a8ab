package contract

import (
	"time"

	"github.com/google/uuid"
)

// RotationReminderWorkflow is the workflow type an app client's rotation
// Schedule (RotationScheduleID) starts.
const RotationReminderWorkflow = "RotationReminder"

// DefaultRotationReminderEvery is how often developers are reminded to
// rotate an app's client secret (and an installation client's secret is
// rotated) unless configuration says otherwise.
const DefaultRotationReminderEvery = 90 * 24 * time.Hour

// RotationReminderWorkflowID is the workflow ID an app client's reminder
// Schedule gives its runs (Temporal appends the scheduled time).
func RotationReminderWorkflowID(clientID string) string { return "rotation-reminder-" + clientID }

// RotationReminderInput names the client whose developers are reminded.
type RotationReminderInput struct {
	ClientID string
	AppID    uuid.UUID
}
