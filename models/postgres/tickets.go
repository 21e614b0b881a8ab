package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"appstore/models"
)

var ticketsTable = recordTable{typ: models.RecordTicket, table: "tickets", notFound: models.ErrTicketNotFound,
	columns: "id, organization_id, subject, description, status, priority, contact_id, created_by, created_at, updated_at"}

// CreateTicket adds a ticket to organization orgID, created by the
// request's actor, open and of normal priority unless in says otherwise.
// It returns an invalid error listing every bad field ("invalid_ticket",
// "invalid_status", "invalid_priority", "invalid_contact_id", also for a
// contact of another organization).
func (s *Records) CreateTicket(ctx context.Context, orgID uuid.UUID, in models.TicketInput) (*models.Ticket, error) {
	c := &models.Ticket{}
	if _, err := in.Apply(c); err != nil {
		return nil, err
	}
	now := s.now().Truncate(time.Microsecond)
	c.ID, c.OrganizationID, c.CreatedBy, c.CreatedAt, c.UpdatedAt = newID(), orgID, models.AuditFrom(ctx).ActorID, now, now
	if err := createRecord(ctx, s.db, ticketsTable, orgID, c.ID, c); err != nil {
		return nil, err
	}
	return c, nil
}

// GetTicket returns ticket id of organization orgID, or a not-found
// error ("ticket_not_found").
func (s *Records) GetTicket(ctx context.Context, orgID, id uuid.UUID) (*models.Ticket, error) {
	var c models.Ticket
	if err := getRecord(ctx, s.db, ticketsTable, orgID, id, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// UpdateTicket changes the fields set in in (those not nil) and records
// record.updated naming them; a change to nothing records nothing.
// Errors: not found ("ticket_not_found"), invalid as CreateTicket's.
func (s *Records) UpdateTicket(ctx context.Context, orgID, id uuid.UUID, in models.TicketInput) (*models.Ticket, error) {
	var c models.Ticket
	err := updateRecord(ctx, s.db, ticketsTable, orgID, id, &c, func() ([]string, error) {
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

// DeleteTicket deletes ticket id of organization orgID. Errors: not found
// ("ticket_not_found").
func (s *Records) DeleteTicket(ctx context.Context, orgID, id uuid.UUID) error {
	return deleteRecord(ctx, s.db, ticketsTable, orgID, id)
}

// ListTickets returns one page of organization orgID's tickets (see
// listRecords for the order and the errors).
func (s *Records) ListTickets(ctx context.Context, orgID uuid.UUID, f models.RecordFilter) (*models.RecordPage[models.Ticket], error) {
	return listRecords(ctx, s.db, ticketsTable, orgID, f, func(c *models.Ticket) uuid.UUID { return c.ID })
}
