package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"appstore/workflows"
)

// WebhookDeliveries starts the WebhookDelivery runs of deliveries the
// handlers make (test events, redeliveries).
type WebhookDeliveries interface {
	// Start starts webhook-<id> for each id; an id already started is
	// not an error.
	Start(ctx context.Context, ids []uuid.UUID) error
}

// TemporalWebhookDeliveries implements WebhookDeliveries with a Temporal
// client.
type TemporalWebhookDeliveries struct {
	Client    client.Client
	TaskQueue string
}

// Start starts one WebhookDelivery per id and returns the first error.
func (t *TemporalWebhookDeliveries) Start(ctx context.Context, ids []uuid.UUID) error {
	for _, id := range ids {
		_, err := t.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:        workflows.WebhookDeliveryWorkflowID(id),
			TaskQueue: t.TaskQueue,
			// A delivery is attempted by one run, ever; a redelivery is a
			// new delivery with its own id.
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		}, workflows.WebhookDelivery, workflows.WebhookDeliveryInput{DeliveryID: id})
		var started *serviceerror.WorkflowExecutionAlreadyStarted
		if err != nil && !errors.As(err, &started) {
			return fmt.Errorf("start webhook delivery %s: %w", id, err)
		}
	}
	return nil
}
