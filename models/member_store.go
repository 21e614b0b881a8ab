package models

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// DeveloperAccountMemberView is a member as the team page shows them.
type DeveloperAccountMemberView struct {
	UserID   uuid.UUID     `json:"user_id"`
	Email    string        `json:"email"`
	Name     string        `json:"name"`
	Role     DeveloperRole `json:"role"`
	JoinedAt time.Time     `json:"joined_at"`
}

var (
	errMemberNotFound = &Error{Kind: KindNotFound, Code: "member_not_found", Message: "This user is not a member of the developer account."}
	errLastAdmin      = &Error{Kind: KindConflict, Code: "last_admin",
		Message: "A developer account needs at least one admin: make someone else an admin first."}
)

// validDeveloperRole returns an invalid error ("invalid_role") unless role is admin or member.
func validDeveloperRole(role DeveloperRole) error {
	if role != DevRoleAdmin && role != DevRoleMember {
		return Invalid("invalid_role", "The role must be admin or member.",
			FieldError{Field: "role", Message: "must be admin or member"})
	}
	return nil
}

// lockDeveloperAccount locks the account's row until tx ends; see membership.lock.
func lockDeveloperAccount(tx *gorm.DB, id uuid.UUID) error {
	return developerAccountMembership.lock(tx, id)
}

// ListDeveloperAccountMembers returns the members of accountID ordered by email.
func (s *Store) ListDeveloperAccountMembers(ctx context.Context, accountID uuid.UUID) ([]DeveloperAccountMemberView, error) {
	members := []DeveloperAccountMemberView{}
	if err := s.listMembers(ctx, developerAccountMembership, accountID, &members); err != nil {
		return nil, err
	}
	return members, nil
}

// ChangeDeveloperAccountRole gives member userID of accountID the role. It
// returns a not-found error when they are not a member, an invalid error
// ("invalid_role"), and a conflict ("last_admin") for demoting the last
// admin. Setting the role a member already has changes nothing.
func (s *Store) ChangeDeveloperAccountRole(ctx context.Context, accountID, userID uuid.UUID, role DeveloperRole) error {
	if err := validDeveloperRole(role); err != nil {
		return err
	}
	err := s.changeMemberRole(ctx, developerAccountMembership, accountID, userID, string(role))
	return storeError("change developer account role", err)
}

// RemoveDeveloperAccountMember removes userID from accountID: a removal, or
// leaving when the actor in ctx is userID. It returns a not-found error when
// they are not a member and a conflict ("last_admin") for the last admin.
func (s *Store) RemoveDeveloperAccountMember(ctx context.Context, accountID, userID uuid.UUID) error {
	err := s.removeMember(ctx, developerAccountMembership, accountID, userID)
	return storeError("remove developer account member", err)
}
