package models

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// EnqueueAppEvent runs enqueueAppEventTx in a transaction of its own, for
// the external tests.
func (s *Store) EnqueueAppEvent(ctx context.Context, appID uuid.UUID, eventType EventType, dedupeKey string, payload JSONMap) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		ids, err = s.enqueueAppEventTx(tx, appID, eventType, dedupeKey, payload)
		return err
	})
	return ids, err
}

// WebhookURLProblem exposes webhookURLProblem to the external tests.
var WebhookURLProblem = webhookURLProblem
