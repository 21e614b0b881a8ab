package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"appstore/models"
)

var contactsTable = recordTable{typ: models.RecordContact, table: "contacts", notFound: models.ErrContactNotFound,
	columns: "id, organization_id, name, email, phone, company, title, notes, created_by, created_at, updated_at"}

// CreateContact adds a contact to organization orgID, created by the
// request's actor. It returns an invalid error ("invalid_contact",
// "invalid_email") listing every bad field.
func (s *Records) CreateContact(ctx context.Context, orgID uuid.UUID, in models.ContactInput) (*models.Contact, error) {
	c := &models.Contact{}
	if _, err := in.Apply(c); err != nil {
		return nil, err
	}
	now := s.now().Truncate(time.Microsecond)
	c.ID, c.OrganizationID, c.CreatedBy, c.CreatedAt, c.UpdatedAt = newID(), orgID, models.AuditFrom(ctx).ActorID, now, now
	if err := createRecord(ctx, s.db, contactsTable, orgID, c.ID, c); err != nil {
		return nil, err
	}
	return c, nil
}

// GetContact returns contact id of organization orgID, or a not-found
// error ("contact_not_found").
func (s *Records) GetContact(ctx context.Context, orgID, id uuid.UUID) (*models.Contact, error) {
	var c models.Contact
	if err := getRecord(ctx, s.db, contactsTable, orgID, id, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// UpdateContact changes the fields set in in (those not nil) and records
// record.updated naming them; a change to nothing records nothing.
// Errors: not found ("contact_not_found"), invalid as CreateContact's.
func (s *Records) UpdateContact(ctx context.Context, orgID, id uuid.UUID, in models.ContactInput) (*models.Contact, error) {
	var c models.Contact
	err := updateRecord(ctx, s.db, contactsTable, orgID, id, &c, func() ([]string, error) {
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

// DeleteContact deletes contact id of organization orgID; tickets and call
// recordings about them stay, without a contact. Errors: not found
// ("contact_not_found").
func (s *Records) DeleteContact(ctx context.Context, orgID, id uuid.UUID) error {
	return deleteRecord(ctx, s.db, contactsTable, orgID, id)
}

// ListContacts returns one page of organization orgID's contacts (see
// listRecords for the order and the errors).
func (s *Records) ListContacts(ctx context.Context, orgID uuid.UUID, f models.RecordFilter) (*models.RecordPage[models.Contact], error) {
	return listRecords(ctx, s.db, contactsTable, orgID, f, func(c *models.Contact) uuid.UUID { return c.ID })
}
