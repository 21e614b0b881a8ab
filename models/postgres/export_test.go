package postgres

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models"
)

// EnqueueAppEvent runs enqueueAppEventTx in a transaction of its own, for
// the external tests.
func (s *Store) EnqueueAppEvent(ctx context.Context, appID uuid.UUID, eventType models.EventType, dedupeKey string, payload models.JSONMap) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		ids, err = s.enqueueAppEventTx(tx, appID, eventType, dedupeKey, payload)
		return err
	})
	return ids, err
}

// NotifyPortalChange exposes notifyPortalChange to the external tests.
var NotifyPortalChange = notifyPortalChange
