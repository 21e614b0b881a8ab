package models

import (
	"time"

	"github.com/google/uuid"
)

// OIDCAuthRequest is one authorization request of the OpenID Connect
// provider: created by /oauth/authorize, completed by the login step for a
// user, exchanged once for tokens by its code (kept only as a digest).
type OIDCAuthRequest struct {
	ID                  uuid.UUID  `gorm:"type:uuid;primaryKey"`
	ClientID            string     // oauth_clients.client_id
	UserID              *uuid.UUID `gorm:"type:uuid"`
	InstallationID      *uuid.UUID `gorm:"type:uuid"`
	RedirectURI         string
	Scopes              StringList `gorm:"type:jsonb"`
	State               string
	Nonce               string
	ResponseType        string
	CodeChallenge       string
	CodeChallengeMethod string
	CodeHash            TokenHash
	Done                bool
	AuthTime            *time.Time
	CreatedAt           time.Time
	ExpiresAt           time.Time
}

// TableName is oidc_auth_requests.
func (OIDCAuthRequest) TableName() string { return "oidc_auth_requests" }

// OIDC token kinds.
const (
	OIDCAccessToken  = "access"
	OIDCRefreshToken = "refresh"
)

// OIDCToken is an issued access or refresh token, kept as its digest.
type OIDCToken struct {
	ID             uuid.UUID `gorm:"type:uuid;primaryKey"`
	Kind           string
	TokenHash      TokenHash
	ClientID       string
	UserID         uuid.UUID  `gorm:"type:uuid"`
	InstallationID *uuid.UUID `gorm:"type:uuid"`
	Scopes         StringList `gorm:"type:jsonb"`
	Audience       StringList `gorm:"type:jsonb"`
	RefreshOf      *uuid.UUID `gorm:"type:uuid"`
	AuthTime       *time.Time
	CreatedAt      time.Time
	ExpiresAt      time.Time
	RevokedAt      *time.Time
}

// TableName is oidc_tokens.
func (OIDCToken) TableName() string { return "oidc_tokens" }

// OIDCClient is an OAuth client as the provider sees it: an app's own client
// or an installation's, with whether it may be used now.
type OIDCClient struct {
	OAuthClient
	RevokedAt *time.Time
	// OrganizationID is the installation's organization (installation
	// clients only).
	OrganizationID *uuid.UUID
	// InstallationActive is false for an app client or an installation that
	// is uninstalled or suspended.
	InstallationActive bool
	// DeveloperAccountID owns the app.
	DeveloperAccountID uuid.UUID
}

// Usable reports whether the client may authenticate and obtain tokens.
func (c *OIDCClient) Usable() bool {
	if !c.Enabled || c.RevokedAt != nil {
		return false
	}
	return c.InstallationID == nil || c.InstallationActive
}
