package contract

import "time"

// RetentionWorkflow is the workflow type the retention Schedule starts.
const RetentionWorkflow = "Retention"

// Retention Schedule identifiers. Runs started by the Schedule get the
// workflow ID followed by the scheduled time.
const (
	RetentionScheduleID = "retention-schedule"
	RetentionWorkflowID = "retention"
)

// Retention defaults, used when RetentionInput leaves a field zero.
const (
	DefaultEventRetention = 90 * 24 * time.Hour
	DefaultRetentionBatch = 5000
)

// ErrTypeInvalidRetentionInput is the application error type of a
// Retention run started with negative input.
const ErrTypeInvalidRetentionInput = "InvalidRetentionInput"

// RetentionInput configures one retention run. Zero fields take the defaults.
type RetentionInput struct {
	EventRetention time.Duration // events older than this are deleted
	BatchSize      int           // events deleted per statement
}
