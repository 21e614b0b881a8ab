package models

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// CreateOrganization creates an organization named name with owner as its
// first owner.
func (s *Store) CreateOrganization(ctx context.Context, name string, owner uuid.UUID) (*Organization, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return nil, Invalid("invalid_organization_name", "Name the organization with 1 to 100 characters.",
			FieldError{Field: "name", Message: "must be 1 to 100 characters"})
	}
	now := s.now()
	org := &Organization{ID: newID(), Name: name, CreatedBy: &owner, CreatedAt: now, UpdatedAt: now}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(org).Error; err != nil {
			return err
		}
		if err := tx.Create(&OrganizationMember{OrganizationID: org.ID, UserID: owner, Role: OrgRoleOwner, CreatedAt: now}).Error; err != nil {
			return err
		}
		if err := appendEvent(ctx, tx, Event{Type: EventOrganizationCreated, OrganizationID: &org.ID,
			Data: JSONMap{"name": org.Name}}); err != nil {
			return err
		}
		return notifyOrganizationChange(ctx, tx, org.ID)
	})
	if err != nil {
		return nil, fmt.Errorf("store: create organization: %w", err)
	}
	return org, nil
}

// AddOrganizationMember makes userID a member of orgID with role.
func (s *Store) AddOrganizationMember(ctx context.Context, orgID, userID uuid.UUID, role OrganizationRole) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		m := OrganizationMember{OrganizationID: orgID, UserID: userID, Role: role, CreatedAt: s.now()}
		if err := tx.Create(&m).Error; err != nil {
			return err
		}
		if err := appendEvent(ctx, tx, Event{Type: EventOrganizationMemberAdded, OrganizationID: &orgID,
			Data: JSONMap{"user_id": userID.String(), "role": string(role)}}); err != nil {
			return err
		}
		return notifyOrganizationChange(ctx, tx, orgID)
	})
	if isUniqueViolation(err, "") {
		return &Error{Kind: KindConflict, Code: "already_member", Message: "This user is already a member.", Err: err}
	}
	if err != nil {
		return fmt.Errorf("store: add organization member: %w", err)
	}
	return nil
}
