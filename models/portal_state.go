package models

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// PortalState is everything the portal layout shows about the signed-in
// user: who they are and what they belong to. The API caches it per user and
// drops an entry when a change is announced on the PortalChannel (see
// ListenPortalChanges), so a page is rendered without a database query.
// The user's apps join it when apps exist.
type PortalState struct {
	User              *User                        `json:"user"`
	Organizations     []OrganizationMembership     `json:"organizations"`
	DeveloperAccounts []DeveloperAccountMembership `json:"developer_accounts"`
	LoadedAt          time.Time                    `json:"loaded_at"`
}

// PortalState loads the portal state of userID. It returns ErrNotFound when
// the user does not exist.
func (s *Store) PortalState(ctx context.Context, userID uuid.UUID) (*PortalState, error) {
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
	return &PortalState{User: u, Organizations: orgs, DeveloperAccounts: accounts, LoadedAt: loadedAt}, nil
}
