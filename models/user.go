package models

import (
	"net/mail"
	"strings"
	"time"

	"github.com/google/uuid"
)

// PlatformRole is a user's role on the platform itself, apart from any
// organization or developer account.
type PlatformRole string

// Platform roles.
const (
	PlatformRoleNone       PlatformRole = "none"
	PlatformRoleReviewer   PlatformRole = "reviewer"
	PlatformRoleStaffAdmin PlatformRole = "staff-admin"
)

// CanReview reports whether the role may claim, approve and reject submissions.
func (r PlatformRole) CanReview() bool {
	return r == PlatformRoleReviewer || r == PlatformRoleStaffAdmin
}

// User is a person who signs in. Email is unique case-insensitively.
type User struct {
	ID              uuid.UUID    `gorm:"type:uuid;primaryKey" json:"id"`
	Email           string       `json:"email"`
	Name            string       `json:"name"`
	PasswordHash    string       `json:"-"`
	PlatformRole    PlatformRole `json:"platform_role"`
	EmailVerifiedAt *time.Time   `json:"email_verified_at"`
	// SessionGeneration rises with every password reset; sessions issued
	// under a lower generation no longer authenticate.
	SessionGeneration int       `json:"-"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// OrganizationRole is a member's role in an organization.
type OrganizationRole string

// Organization roles.
const (
	OrgRoleOwner  OrganizationRole = "owner"
	OrgRoleAdmin  OrganizationRole = "admin"
	OrgRoleMember OrganizationRole = "member"
)

// Organization installs and uses apps.
type Organization struct {
	ID        uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	Name      string     `json:"name"`
	CreatedBy *uuid.UUID `gorm:"type:uuid" json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// OrganizationMember is one user's membership of one organization.
type OrganizationMember struct {
	OrganizationID uuid.UUID `gorm:"type:uuid;primaryKey"`
	UserID         uuid.UUID `gorm:"type:uuid;primaryKey"`
	Role           OrganizationRole
	CreatedAt      time.Time
}

// DeveloperRole is a member's role in a developer account.
type DeveloperRole string

// Developer account roles.
const (
	DevRoleAdmin  DeveloperRole = "admin"
	DevRoleMember DeveloperRole = "member"
)

// DeveloperAccount publishes apps; its members build them.
type DeveloperAccount struct {
	ID           uuid.UUID `gorm:"type:uuid;primaryKey" json:"id"`
	Slug         string    `json:"slug"`
	Title        string    `json:"title"`
	LogoURL      string    `json:"logo_url"`
	FeatureFlags JSONMap   `gorm:"type:jsonb" json:"feature_flags"`
	AutoApprove  bool      `json:"auto_approve"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// DeveloperAccountMember is one user's membership of one developer account.
type DeveloperAccountMember struct {
	DeveloperAccountID uuid.UUID `gorm:"type:uuid;primaryKey"`
	UserID             uuid.UUID `gorm:"type:uuid;primaryKey"`
	Role               DeveloperRole
	CreatedAt          time.Time
}

// OrganizationMembership is an organization as seen by one of its members.
type OrganizationMembership struct {
	Organization
	Role OrganizationRole `json:"role"`
}

// DeveloperAccountMembership is a developer account as seen by one of its members.
type DeveloperAccountMembership struct {
	DeveloperAccount
	Role DeveloperRole `json:"role"`
}

// NormalizeEmail trims and lowercases an address and checks its form.
func NormalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Address != e || len(e) > 254 {
		return "", Invalid("invalid_email", "Enter a valid email address.",
			FieldError{Field: "email", Message: "is not a valid email address"})
	}
	return e, nil
}

// NewUser describes a user to create.
type NewUser struct {
	Email        string
	Name         string
	Password     string
	PlatformRole PlatformRole
	Verified     bool
}

// ErrInvalidCredentials is deliberately the same for an unknown email and a
// wrong password, so the answer reveals nothing about which accounts exist.
var ErrInvalidCredentials = &Error{Kind: KindUnauthorized, Code: "invalid_credentials", Message: "Email or password is incorrect."}
