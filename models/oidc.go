package models

import (
	"time"

	"github.com/google/uuid"
)

// OIDCAuthRequest is one authorization request of the OpenID Connect
// provider: created by /oauth/authorize, completed by the login step for a
// user, exchanged once for tokens by its code (kept only as a digest). Its
// id is the grant id of every token that descends from the code.
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
	// AuthTime is when the user signed in to the platform (the session's
	// start), not when the request was completed.
	AuthTime *time.Time
	// MaxAge is the longest time since sign-in the client accepts, in
	// seconds (prompt=login is 0); nil when it sets no limit.
	MaxAge *int
	// RedeemedAt is when the code was exchanged; the request is kept after
	// that so a second exchange is recognised as a replay.
	RedeemedAt *time.Time
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// TableName is oidc_auth_requests.
func (OIDCAuthRequest) TableName() string { return "oidc_auth_requests" }

// OIDC token kinds.
const (
	OIDCAccessToken  = "access"
	OIDCRefreshToken = "refresh"
)

// OIDCToken is an issued access or refresh token, kept as its digest.
// GrantID is the authorization request whose code started the chain the
// token belongs to: revoking a grant revokes every token of the chain.
type OIDCToken struct {
	ID             uuid.UUID `gorm:"type:uuid;primaryKey"`
	GrantID        uuid.UUID `gorm:"type:uuid"`
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
	// RotatedAt is when a refresh token was exchanged for its successor:
	// presenting it again is a replay.
	RotatedAt *time.Time
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
	return c.Authenticates() && (c.InstallationID == nil || c.InstallationActive)
}

// Authenticates reports whether the client's credentials still count: it
// is enabled and not revoked. An installation client whose installation is
// inactive still authenticates, so that its grants can be refused as
// invalid_grant rather than the client as unknown.
func (c *OIDCClient) Authenticates() bool { return c.Enabled && c.RevokedAt == nil }

// Errors of the OpenID provider.
var (
	ErrOIDCRequestNotFound = &Error{Kind: KindNotFound, Code: "auth_request_not_found", Message: "No such authorization request, or it has expired."}
	ErrOIDCTokenInvalid    = &Error{Kind: KindUnauthorized, Code: "invalid_token", Message: "The token is unknown, expired or revoked."}
)

// OIDCRequestRetention is how long an authorization request is kept after
// it expires: a code replayed within it still revokes its grant.
const OIDCRequestRetention = 24 * time.Hour

// OIDCExchange is what a token request uses up, each at most once: the
// code of an authorization request, or a refresh token (which is rotated).
type OIDCExchange struct {
	Code    *uuid.UUID // the authorization request whose code is exchanged
	Refresh *uuid.UUID // the refresh token exchanged for its successor
}

// ErrOIDCReplay is CreateOIDCTokens's answer when the code or refresh token
// was used already: the grant it belongs to has then been revoked.
var ErrOIDCReplay = &Error{Kind: KindUnauthorized, Code: "grant_replayed",
	Message: "This code or refresh token was already used, so every token issued from it has been revoked. Sign in again."}
