package models

import (
	"context"
	"errors"
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

// lockOrganization locks the organization's row until tx ends. Every
// transaction that changes the organization's members takes it first, so
// rules over all members (at least one owner) hold under concurrency and
// each sees the member list the previous one left.
func lockOrganization(tx *gorm.DB, id uuid.UUID) error {
	var found []uuid.UUID
	if err := tx.Raw(`SELECT id FROM organizations WHERE id = ? FOR UPDATE`, id).Scan(&found).Error; err != nil {
		return err
	}
	if len(found) == 0 {
		return errOrganizationNotFound
	}
	return nil
}

// lockedOrganizationMember returns userID's membership of the locked organization orgID.
func lockedOrganizationMember(tx *gorm.DB, orgID, userID uuid.UUID) (*OrganizationMember, error) {
	var m OrganizationMember
	err := tx.First(&m, "organization_id = ? AND user_id = ?", orgID, userID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errOrgMemberNotFound
	}
	return &m, err
}

// keepsAnOwner returns errLastOwner when m is the only owner of its
// (locked) organization, so it may be neither demoted nor removed.
func keepsAnOwner(tx *gorm.DB, m *OrganizationMember) error {
	if m.Role != OrgRoleOwner {
		return nil
	}
	var n int64
	err := tx.Model(&OrganizationMember{}).
		Where("organization_id = ? AND role = ?", m.OrganizationID, OrgRoleOwner).Count(&n).Error
	if err != nil {
		return err
	}
	if n <= 1 {
		return errLastOwner
	}
	return nil
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
	err := s.db.WithContext(ctx).Raw(`SELECT u.id AS user_id, u.email, u.name, m.role, m.created_at AS joined_at
		FROM organization_members m JOIN users u ON u.id = m.user_id
		WHERE m.organization_id = ? ORDER BY u.email, u.id`, orgID).Scan(&members).Error
	if err != nil {
		return nil, fmt.Errorf("store: list organization members: %w", err)
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
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockOrganization(tx, orgID); err != nil {
			return err
		}
		m, err := lockedOrganizationMember(tx, orgID, userID)
		if err != nil || m.Role == role {
			return err
		}
		if err := keepsAnOwner(tx, m); err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE organization_members SET role = ? WHERE organization_id = ? AND user_id = ?`,
			role, orgID, userID).Error; err != nil {
			return err
		}
		if err := appendEvent(ctx, tx, Event{Type: EventOrganizationMemberRoleChanged, OrganizationID: &orgID,
			Data: JSONMap{"user_id": userID.String(), "role": string(role), "previous_role": string(m.Role)}}); err != nil {
			return err
		}
		return notifyOrganizationChange(ctx, tx, orgID)
	})
	return storeError("change organization role", err)
}

// RemoveOrganizationMember removes userID from orgID: a removal, or leaving
// when the actor in ctx is userID. It returns a not-found error
// ("organization_not_found", "member_not_found") and a conflict
// ("last_owner") for the last owner.
func (s *Store) RemoveOrganizationMember(ctx context.Context, orgID, userID uuid.UUID) error {
	typ := EventOrganizationMemberRemoved
	if actor := AuditFrom(ctx).ActorID; actor != nil && *actor == userID {
		typ = EventOrganizationMemberLeft
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockOrganization(tx, orgID); err != nil {
			return err
		}
		m, err := lockedOrganizationMember(tx, orgID, userID)
		if err != nil {
			return err
		}
		if err := keepsAnOwner(tx, m); err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM organization_members WHERE organization_id = ? AND user_id = ?`,
			orgID, userID).Error; err != nil {
			return err
		}
		if err := appendEvent(ctx, tx, Event{Type: typ, OrganizationID: &orgID,
			Data: JSONMap{"user_id": userID.String(), "role": string(m.Role)}}); err != nil {
			return err
		}
		// The removed user is no longer a member but their cache lists the organization.
		return notifyOrganizationChange(ctx, tx, orgID, userID)
	})
	return storeError("remove organization member", err)
}
