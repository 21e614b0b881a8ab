package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"appstore/models"
)

var callRecordingsTable = recordTable{typ: models.RecordCallRecording, table: "call_recordings", notFound: models.ErrCallRecordingNotFound,
	columns: "id, organization_id, title, contact_id, duration_seconds, recorded_at, transcript, summary, insight, created_by, created_at, updated_at"}

// CreateCallRecording adds a call recording to organization orgID, created by the
// request's actor, recorded now unless in says when. It returns an invalid
// error listing every bad field ("invalid_call_recording",
// "invalid_contact_id", also for a contact of another organization).
func (s *Records) CreateCallRecording(ctx context.Context, orgID uuid.UUID, in models.CallRecordingInput) (*models.CallRecording, error) {
	now := s.now().Truncate(time.Microsecond)
	c := &models.CallRecording{RecordedAt: now}
	if _, err := in.Apply(c); err != nil {
		return nil, err
	}
	c.ID, c.OrganizationID, c.CreatedBy, c.CreatedAt, c.UpdatedAt = newID(), orgID, models.AuditFrom(ctx).ActorID, now, now
	if err := createRecord(ctx, s.db, callRecordingsTable, orgID, c.ID, c); err != nil {
		return nil, err
	}
	return c, nil
}

// GetCallRecording returns call recording id of organization orgID, or a not-found
// error ("call_recording_not_found").
func (s *Records) GetCallRecording(ctx context.Context, orgID, id uuid.UUID) (*models.CallRecording, error) {
	var c models.CallRecording
	if err := getRecord(ctx, s.db, callRecordingsTable, orgID, id, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// UpdateCallRecording changes the fields set in in (those not nil) and records
// record.updated naming them; a change to nothing records nothing.
// Errors: not found ("call_recording_not_found"), invalid as CreateCallRecording's.
func (s *Records) UpdateCallRecording(ctx context.Context, orgID, id uuid.UUID, in models.CallRecordingInput) (*models.CallRecording, error) {
	var c models.CallRecording
	err := updateRecord(ctx, s.db, callRecordingsTable, orgID, id, &c, func() ([]string, error) {
		next := c
		changed, err := in.Apply(&next)
		if err == nil {
			c, c.UpdatedAt = next, s.now().Truncate(time.Microsecond)
		}
		return changed, err
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// DeleteCallRecording deletes call recording id of organization orgID.
// Errors: not found
// ("call_recording_not_found").
func (s *Records) DeleteCallRecording(ctx context.Context, orgID, id uuid.UUID) error {
	return deleteRecord(ctx, s.db, callRecordingsTable, orgID, id)
}

// ListCallRecordings returns one page of organization orgID's call recordings (see
// listRecords for the order and the errors).
func (s *Records) ListCallRecordings(ctx context.Context, orgID uuid.UUID, f models.RecordFilter) (*models.RecordPage[models.CallRecording], error) {
	return listRecords(ctx, s.db, callRecordingsTable, orgID, f, func(c *models.CallRecording) uuid.UUID { return c.ID })
}
