package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models"
)

// Events stores the audit events.
type Events struct{ *core }

// appendEvent writes e inside tx, filling the id, time, actor and request
// from ctx's Audit when e leaves them empty. Callers pass their transaction
// so the event commits or rolls back with the change it records.
func appendEvent(ctx context.Context, tx *gorm.DB, e models.Event) error {
	a := models.AuditFrom(ctx)
	if e.ID == uuid.Nil {
		e.ID = newID()
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now().UTC().Truncate(time.Microsecond)
	}
	if e.ActorID == nil {
		e.ActorID = a.ActorID
	}
	if e.RequestID == "" {
		e.RequestID, e.RequestMethod, e.RequestPath = a.RequestID, a.RequestMethod, a.RequestPath
	}
	if e.Data == nil {
		e.Data = models.JSONMap{}
	}
	if err := tx.WithContext(ctx).Create(&e).Error; err != nil {
		return fmt.Errorf("append event %s: %w", e.Type, err)
	}
	return nil
}

// RecordEvent writes a standalone event, for actions that change nothing else
// in the database (a logout, a retention run).
func (s *Events) RecordEvent(ctx context.Context, e models.Event) error {
	return appendEvent(ctx, s.db, e)
}

// ListEvents returns one page of events visible to viewer, newest first.
// It returns an invalid error for a bad cursor or limit.
func (s *Events) ListEvents(ctx context.Context, viewer models.EventViewer, f models.EventFilter) (*models.EventPage, error) {
	limit := f.Limit
	if limit == 0 {
		limit = models.DefaultEventLimit
	}
	if limit < 1 || limit > models.MaxEventLimit {
		return nil, models.Invalid("invalid_limit", fmt.Sprintf("limit must be between 1 and %d.", models.MaxEventLimit),
			models.FieldError{Field: "limit", Message: fmt.Sprintf("must be between 1 and %d", models.MaxEventLimit)})
	}
	q := s.db.WithContext(ctx).Model(&models.Event{})
	if viewer.Role != models.PlatformRoleStaffAdmin {
		// Parenthesised explicitly: GORM only wraps ORs it recognises, and
		// an unwrapped OR would escape the filters ANDed after it.
		q = q.Where(`(organization_id IN (SELECT organization_id FROM organization_members WHERE user_id = @u)
			OR developer_account_id IN (SELECT developer_account_id FROM developer_account_members WHERE user_id = @u)
			OR (actor_id = @u AND organization_id IS NULL AND developer_account_id IS NULL))`,
			map[string]any{"u": viewer.UserID})
	}
	if len(f.Types) > 0 {
		q = q.Where("type IN ?", f.Types)
	}
	if text := strings.TrimSpace(f.Query); text != "" {
		q = q.Where("search @@ websearch_to_tsquery('simple', ?)", text)
	}
	if f.AppID != nil {
		q = q.Where("app_id = ?", *f.AppID)
	}
	if f.OrganizationID != nil {
		q = q.Where("organization_id = ?", *f.OrganizationID)
	}
	if f.DeveloperAccountID != nil {
		q = q.Where("developer_account_id = ?", *f.DeveloperAccountID)
	}
	if f.From != nil {
		q = q.Where("created_at >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("created_at < ?", *f.To)
	}
	events, next, err := keysetPage(q, f.Cursor, limit, func(e *models.Event) models.Cursor { return models.Cursor{CreatedAt: e.CreatedAt, ID: e.ID} })
	if err != nil {
		if _, ok := models.AsError(err); ok {
			return nil, err
		}
		return nil, fmt.Errorf("store: list events: %w", err)
	}
	return &models.EventPage{Events: events, NextCursor: next}, nil
}

// DeleteEventsBefore deletes at most batch event rows created before cutoff,
// oldest first, and returns how many it deleted. The retention workflow calls
// it in a loop so no single statement holds locks for long.
func (s *Events) DeleteEventsBefore(ctx context.Context, cutoff time.Time, batch int) (int64, error) {
	res := s.db.WithContext(ctx).Exec(`DELETE FROM event_logs WHERE id IN (
		SELECT id FROM event_logs WHERE created_at < ? ORDER BY created_at LIMIT ?)`, cutoff, batch)
	if res.Error != nil {
		return 0, fmt.Errorf("store: delete events: %w", res.Error)
	}
	return res.RowsAffected, nil
}
