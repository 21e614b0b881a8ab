package models

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"
)

// RecordEventOnce writes a standalone event unless an event with the same ID
// already exists. Temporal activities call it with an ID derived from their
// workflow run, so a retry after a committed insert writes nothing twice.
// It returns an invalid error when e has no ID.
func (s *Store) RecordEventOnce(ctx context.Context, e Event) error {
	if e.ID == uuid.Nil {
		return Invalid("event_id_required", "An event recorded once needs an ID.")
	}
	return appendEvent(ctx, s.db.Clauses(clause.OnConflict{DoNothing: true}), e)
}
