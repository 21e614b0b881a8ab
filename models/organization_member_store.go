package models

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// OrganizationMemberView is a member as the organization settings page shows them.
type OrganizationMemberView struct {
	UserID   uuid.UUID        `json:"user_id"`
	Email    string           `json:"email"`
	Name     string           `json:"name"`
	Role     OrganizationRole `json:"role"`
	JoinedAt time.Time        `json:"joined_at"`
}

var (
	errOrgMemberNotFound = &Error{Kind: KindNotFound, Code: "member_not_found", Message: "This user is not a member of the organization."}
	errLastOwner         = &Error{Kind: KindConflict, Code: "last_owner",
		Message: "An organization needs at least one owner: make someone else an owner first."}
)

// validOrganizationRole returns an invalid error ("invalid_role") unless
// role is owner, admin or member.
func validOrganizationRole(role OrganizationRole) error {
	switch role {
	case OrgRoleOwner, OrgRoleAdmin, OrgRoleMember:
		return nil
	}
	return Invalid("invalid_role", "The role must be owner, admin or member.",
		FieldError{Field: "role", Message: "must be owner, admin or member"})
}

// lockOrganization locks the organization's row until tx ends; see membership.lock.
func lockOrganization(tx *gorm.DB, id uuid.UUID) error {
	return organizationMembership.lock(tx, id)
}

// AddOrganizationMember makes userID a member of orgID with role. It
// returns a not-found error ("organization_not_found"), an invalid one
// ("invalid_role") and a conflict ("already_member") when they already are
// a member.
func (s *Store) AddOrganizationMember(ctx context.Context, orgID, userID uuid.UUID, role OrganizationRole) error {
	if err := validOrganizationRole(role); err != nil {
		return err
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockOrganization(tx, orgID); err != nil {
			return err
		}
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
	return storeError("add organization member", err)
}

// ListOrganizationMembers returns the members of orgID ordered by email.
func (s *Store) ListOrganizationMembers(ctx context.Context, orgID uuid.UUID) ([]OrganizationMemberView, error) {
	members := []OrganizationMemberView{}
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
func (s *Store) ChangeOrganizationRole(ctx context.Context, orgID, userID uuid.UUID, role OrganizationRole) error {
	if err := validOrganizationRole(role); err != nil {
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
func (s *Store) RemoveOrganizationMember(ctx context.Context, orgID, userID uuid.UUID) error {
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
		if err := s.RevokeInstallationTokens(ctx, id, &userID); err != nil {
			return err
		}
	}
	return nil
}
