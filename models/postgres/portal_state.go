package postgres

import (
	"context"

	"github.com/google/uuid"

	"appstore/models"
)

// PortalState loads the portal state of userID. It returns ErrNotFound when
// the user does not exist.
func (s *Users) PortalState(ctx context.Context, userID uuid.UUID) (*models.PortalState, error) {
	// LoadedAt is taken before the queries, so it never claims more freshness
	// than the data has.
	loadedAt := s.now()
	u, err := s.GetUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	orgs, accounts, err := s.Memberships(ctx, userID)
	if err != nil {
		return nil, err
	}
	return &models.PortalState{User: u, Organizations: orgs, DeveloperAccounts: accounts, LoadedAt: loadedAt}, nil
}
