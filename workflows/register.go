package workflows

import (
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"appstore/activities"
)

// TaskQueue is the default task queue of Appstore's worker; configuration
// may name another, so functions that start work take the queue as a
// parameter.
const TaskQueue = "appstore"

// Register registers every workflow and the activities of act with r, a
// worker or a test environment. It panics, as the SDK does, on a duplicate.
func Register(r worker.Registry, act *activities.Activities) {
	r.RegisterWorkflow(Retention)
	r.RegisterWorkflow(Invitation)
	r.RegisterWorkflow(AccountMail)
	r.RegisterWorkflow(SecretRotation)
	r.RegisterWorkflow(RotationReminder)
	r.RegisterWorkflow(WebhookDelivery)
	r.RegisterWorkflow(Promotion)
	r.RegisterWorkflow(Installation)
	r.RegisterWorkflowWithOptions(InstallationSecretRotation, workflow.RegisterOptions{Name: activities.InstallationSecretRotationWorkflow})
	r.RegisterActivity(act)
}
