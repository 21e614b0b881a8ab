package contract

import "github.com/google/uuid"

// WebhookDeliveryWorkflow is the workflow type of a WebhookDelivery run.
const WebhookDeliveryWorkflow = "WebhookDelivery"

// ErrTypeInvalidWebhookDelivery is the application error type of a
// WebhookDelivery started without a delivery id.
const ErrTypeInvalidWebhookDelivery = "InvalidWebhookDeliveryInput"

// WebhookDeliveryWorkflowID is the workflow ID of delivery id: "webhook-<id>".
func WebhookDeliveryWorkflowID(id uuid.UUID) string { return "webhook-" + id.String() }

// WebhookDeliveryInput starts a WebhookDelivery. It carries the id only:
// the activity reads the payload and decrypts the secret when it sends.
type WebhookDeliveryInput struct {
	DeliveryID uuid.UUID
}
