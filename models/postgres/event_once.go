package postgres

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"

	"appstore/models"
)

// RecordEventOnce writes a standalone event unless an event with the same ID
// already exists. Temporal activities call it with an ID derived from their
// workflow run, so a retry after a committed insert writes nothing twice.
// It returns an invalid error when e has no ID.
func (s *Events) RecordEventOnce(ctx context.Context, e models.Event) error {
	if e.ID == uuid.Nil {
		return models.Invalid("event_id_required", "An event recorded once needs an ID.")
	}
	return appendEvent(ctx, s.db.Clauses(clause.OnConflict{DoNothing: true}), e)
}
