package postgres

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models"
)

// lockOrganization locks the organization's row until tx ends; see membership.lock.
func lockOrganization(tx *gorm.DB, id uuid.UUID) error {
	return organizationMembership.lock(tx, id)
}

// AddOrganizationMember makes userID a member of orgID with role. It
// returns a not-found error ("organization_not_found"), an invalid one
// ("invalid_role") and a conflict ("already_member") when they already are
// a member.
func (s *Organizations) AddOrganizationMember(ctx context.Context, orgID, userID uuid.UUID, role models.OrganizationRole) error {
	if err := models.ValidOrganizationRole(role); err != nil {
		return err
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockOrganization(tx, orgID); err != nil {
			return err
		}
		m := models.OrganizationMember{OrganizationID: orgID, UserID: userID, Role: role, CreatedAt: s.now()}
		if err := tx.Create(&m).Error; err != nil {
			return err
		}
		if err := appendEvent(ctx, tx, models.Event{Type: models.EventOrganizationMemberAdded, OrganizationID: &orgID,
			Data: models.JSONMap{"user_id": userID.String(), "role": string(role)}}); err != nil {
			return err
		}
		return notifyOrganizationChange(ctx, tx, orgID)
	})
	if isUniqueViolation(err, "") {
		return &models.Error{Kind: models.KindConflict, Code: "already_member", Message: "This user is already a member.", Err: err}
	}
	return storeError("add organization member", err)
}

// ListOrganizationMembers returns the members of orgID ordered by email.
func (s *Organizations) ListOrganizationMembers(ctx context.Context, orgID uuid.UUID) ([]models.OrganizationMemberView, error) {
	members := []models.OrganizationMemberView{}
	if err := s.listMembers(ctx, organizationMembership, orgID, &members); err != nil {
		return nil, err
	}
	return members, nil
}

// ChangeOrganizationRole gives member userID of orgID the role. It returns
// a not-found error ("organization_not_found", "member_not_found"), an
// invalid one ("invalid_role"), and a conflict ("last_owner") for demoting
// the last owner. Setting the role a member already has changes nothing.
// Who may change roles is the caller's to check.
func (s *Organizations) ChangeOrganizationRole(ctx context.Context, orgID, userID uuid.UUID, role models.OrganizationRole) error {
	if err := models.ValidOrganizationRole(role); err != nil {
		return err
	}
	err := s.changeMemberRole(ctx, organizationMembership, orgID, userID, string(role))
	return storeError("change organization role", err)
}

// RemoveOrganizationMember removes userID from orgID: a removal, or leaving
// when the actor in ctx is userID. The member's permissions on the
// organization's installed apps go with the membership, and then their SSO
// tokens for those apps are revoked. It returns a not-found error
// ("organization_not_found", "member_not_found") and a conflict
// ("last_owner") for the last owner.
func (s *Organizations) RemoveOrganizationMember(ctx context.Context, orgID, userID uuid.UUID) error {
	if err := s.removeMember(ctx, organizationMembership, orgID, userID); err != nil {
		return storeError("remove organization member", err)
	}
	// After the commit: no longer a member, the user can get no new
	// tokens, so the live ones are the last; revoking again is harmless.
	var installations []uuid.UUID
	if err := s.db.WithContext(ctx).Raw(`SELECT id FROM app_installations WHERE organization_id = ?`, orgID).
		Scan(&installations).Error; err != nil {
		return fmt.Errorf("store: remove organization member: %w", err)
	}
	for _, id := range installations {
		if err := s.oidc().RevokeInstallationTokens(ctx, id, &userID); err != nil {
			return err
		}
	}
	return nil
}
