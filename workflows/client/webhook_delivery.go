package client

import (
	"context"

	"github.com/google/uuid"
	sdkclient "go.temporal.io/sdk/client"

	"appstore/workflows/contract"
)

// WebhookDeliveries starts the WebhookDelivery runs of deliveries the API
// makes (test events, redeliveries).
type WebhookDeliveries struct {
	Client    sdkclient.Client
	TaskQueue string
}

// Start starts webhook-<id> for each id and returns the first error. A
// delivery is attempted by one run, ever (a redelivery is a new delivery
// with its own id), so an id already started is not an error.
func (w *WebhookDeliveries) Start(ctx context.Context, ids []uuid.UUID) error {
	c := New(w.Client)
	for _, id := range ids {
		err := c.Start(ctx, Start{
			Workflow:  contract.WebhookDeliveryWorkflow,
			ID:        contract.WebhookDeliveryWorkflowID(id),
			TaskQueue: w.TaskQueue,
			Input:     contract.WebhookDeliveryInput{DeliveryID: id},
		})
		if err != nil {
			return err
		}
	}
	return nil
}
