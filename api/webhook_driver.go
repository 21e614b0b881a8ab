package api

import (
	"context"

	"github.com/google/uuid"
)

// WebhookDeliveries starts the WebhookDelivery runs of deliveries the
// handlers make (test events, redeliveries). workflows/client implements
// it.
type WebhookDeliveries interface {
	// Start starts webhook-<id> for each id; an id already started is
	// not an error.
	Start(ctx context.Context, ids []uuid.UUID) error
}
