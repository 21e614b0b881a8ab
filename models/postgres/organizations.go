package postgres

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models"
)

// Organizations stores organizations and their members.
type Organizations struct{ *core }

// CreateOrganization creates an organization named name with owner as its
// first owner. It returns an invalid error ("invalid_organization_name").
func (s *Organizations) CreateOrganization(ctx context.Context, name string, owner uuid.UUID) (*models.Organization, error) {
	name, err := models.ValidOrganizationName(name)
	if err != nil {
		return nil, err
	}
	now := s.now()
	org := &models.Organization{ID: newID(), Name: name, CreatedBy: &owner, CreatedAt: now, UpdatedAt: now}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(org).Error; err != nil {
			return err
		}
		if err := tx.Create(&models.OrganizationMember{OrganizationID: org.ID, UserID: owner, Role: models.OrgRoleOwner, CreatedAt: now}).Error; err != nil {
			return err
		}
		if err := appendEvent(ctx, tx, models.Event{Type: models.EventOrganizationCreated, OrganizationID: &org.ID,
			Data: models.JSONMap{"name": org.Name}}); err != nil {
			return err
		}
		return notifyOrganizationChange(ctx, tx, org.ID)
	})
	if err != nil {
		return nil, fmt.Errorf("store: create organization: %w", err)
	}
	return org, nil
}

// GetOrganization returns the organization with id, or a not-found error
// ("organization_not_found").
func (s *Organizations) GetOrganization(ctx context.Context, id uuid.UUID) (*models.Organization, error) {
	var org models.Organization
	if err := first(s.db.WithContext(ctx), &org, "get organization", models.ErrOrganizationNotFound, "id = ?", id); err != nil {
		return nil, err
	}
	return &org, nil
}

// OrganizationRole returns userID's role in organization orgID. To someone
// who is not a member an organization does not exist: the not-found error
// is "organization_not_found" whether or not it does.
func (s *Organizations) OrganizationRole(ctx context.Context, orgID, userID uuid.UUID) (models.OrganizationRole, error) {
	var m models.OrganizationMember
	if err := first(s.db.WithContext(ctx), &m, "organization role", models.ErrOrganizationNotFound, "organization_id = ? AND user_id = ?", orgID, userID); err != nil {
		return "", err
	}
	return m.Role, nil
}

// RenameOrganization names organization id name and records
// organization.renamed when the name changed. It returns a not-found error
// ("organization_not_found") or an invalid one ("invalid_organization_name").
func (s *Organizations) RenameOrganization(ctx context.Context, id uuid.UUID, name string) (*models.Organization, error) {
	name, err := models.ValidOrganizationName(name)
	if err != nil {
		return nil, err
	}
	var org models.Organization
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT * FROM organizations WHERE id = ? FOR UPDATE`, id).Scan(&org).Error; err != nil {
			return err
		}
		if org.ID == uuid.Nil {
			return models.ErrOrganizationNotFound
		}
		if org.Name == name {
			return nil
		}
		previous := org.Name
		org.Name, org.UpdatedAt = name, s.now()
		if err := tx.Exec(`UPDATE organizations SET name = ?, updated_at = ? WHERE id = ?`, org.Name, org.UpdatedAt, id).Error; err != nil {
			return err
		}
		if err := appendEvent(ctx, tx, models.Event{Type: models.EventOrganizationRenamed, OrganizationID: &id,
			Data: models.JSONMap{"name": name, "previous_name": previous}}); err != nil {
			return err
		}
		// Members' cached portal state shows the name.
		return notifyOrganizationChange(ctx, tx, id)
	})
	if err != nil {
		return nil, storeError("rename organization", err)
	}
	return &org, nil
}
