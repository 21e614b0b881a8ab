package models

import (
	"time"

	"github.com/google/uuid"
)

// PersonalAccessToken authenticates the CLI as its user. The token itself is
// shown once at creation; only its hash and a short prefix are kept.
type PersonalAccessToken struct {
	ID          uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	UserID      uuid.UUID  `gorm:"type:uuid" json:"user_id"`
	Name        string     `json:"name"`
	TokenHash   TokenHash  `json:"-"`
	TokenPrefix string     `json:"token_prefix"`
	ExpiresAt   *time.Time `json:"expires_at"`
	LastUsedAt  *time.Time `json:"last_used_at"`
	RevokedAt   *time.Time `json:"revoked_at"`
	CreatedAt   time.Time  `json:"created_at"`
}

// PATPage is one page of a user's tokens, newest first.
type PATPage struct {
	Tokens     []PersonalAccessToken `json:"tokens"`
	NextCursor string                `json:"next_cursor,omitempty"`
}

// MaxPATLifetime bounds a token's expiry; tokens without one never expire.
const MaxPATLifetime = 366 * 24 * time.Hour

// ErrPATInvalid is the answer for a personal access token that is unknown,
// expired or revoked.
var ErrPATInvalid = &Error{Kind: KindUnauthorized, Code: "invalid_token", Message: "The access token is invalid, expired or revoked."}
