package models

import (
	"time"
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
