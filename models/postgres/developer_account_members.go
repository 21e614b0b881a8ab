package postgres

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models"
)

// lockDeveloperAccount locks the account's row until tx ends; see membership.lock.
func lockDeveloperAccount(tx *gorm.DB, id uuid.UUID) error {
	return developerAccountMembership.lock(tx, id)
}

// ListDeveloperAccountMembers returns the members of accountID ordered by email.
func (s *DeveloperAccounts) ListDeveloperAccountMembers(ctx context.Context, accountID uuid.UUID) ([]models.DeveloperAccountMemberView, error) {
	members := []models.DeveloperAccountMemberView{}
	if err := s.listMembers(ctx, developerAccountMembership, accountID, &members); err != nil {
		return nil, err
	}
	return members, nil
}

// ChangeDeveloperAccountRole gives member userID of accountID the role. It
// returns a not-found error when they are not a member, an invalid error
// ("invalid_role"), and a conflict ("last_admin") for demoting the last
// admin. Setting the role a member already has changes nothing.
func (s *DeveloperAccounts) ChangeDeveloperAccountRole(ctx context.Context, accountID, userID uuid.UUID, role models.DeveloperRole) error {
	if err := models.ValidDeveloperRole(role); err != nil {
		return err
	}
	err := s.changeMemberRole(ctx, developerAccountMembership, accountID, userID, string(role))
	return storeError("change developer account role", err)
}

// RemoveDeveloperAccountMember removes userID from accountID: a removal, or
// leaving when the actor in ctx is userID. It returns a not-found error when
// they are not a member and a conflict ("last_admin") for the last admin.
func (s *DeveloperAccounts) RemoveDeveloperAccountMember(ctx context.Context, accountID, userID uuid.UUID) error {
	err := s.removeMember(ctx, developerAccountMembership, accountID, userID)
	return storeError("remove developer account member", err)
}
