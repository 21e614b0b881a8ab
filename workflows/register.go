// Package workflows holds Appstore's Temporal workflow definitions. Code here
// is deterministic: side effects live in package activities. What callers
// share with these workflows (ids, names, messages) is in package contract.
package workflows

import (
	"go.temporal.io/sdk/workflow"

	"appstore/activities"
	"appstore/workflows/contract"
)

// TaskQueue is the default task queue of Appstore's worker; configuration
// may name another, so functions that start work take the queue as a
// parameter.
const TaskQueue = "appstore"

// Registry is what Register needs of a worker or a test environment: the
// part of the SDK's worker.Registry it uses, so that this package needs no
// SDK client.
type Registry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
	RegisterActivity(a any)
}

// workflowTypes are the workflows by the contract names callers start them
// by; the names are in recorded histories.
var workflowTypes = []struct {
	fn   any
	name string
}{
	{Retention, contract.RetentionWorkflow},
	{Invitation, contract.InvitationWorkflow},
	{AccountMail, contract.AccountMailWorkflow},
	{SecretRotation, contract.SecretRotationWorkflow},
	{RotationReminder, contract.RotationReminderWorkflow},
	{WebhookDelivery, contract.WebhookDeliveryWorkflow},
	{Promotion, contract.PromotionWorkflow},
	{Installation, contract.InstallationWorkflow},
	{InstallationSecretRotation, contract.InstallationSecretRotationWorkflow},
}

// Register registers every workflow, under its contract name, and the
// activities of act with r, a worker or a test environment. It panics, as
// the SDK does, on a duplicate.
func Register(r Registry, act *activities.Activities) {
	for _, w := range workflowTypes {
		r.RegisterWorkflowWithOptions(w.fn, workflow.RegisterOptions{Name: w.name})
	}
	r.RegisterActivity(act)
}
