package models

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// OrganizationMemberView is a member as the organization settings page shows them.
type OrganizationMemberView struct {
	UserID   uuid.UUID        `json:"user_id"`
	Email    string           `json:"email"`
	Name     string           `json:"name"`
	Role     OrganizationRole `json:"role"`
	JoinedAt time.Time        `json:"joined_at"`
}

// Errors of organization membership.
var (
	ErrOrgMemberNotFound = &Error{Kind: KindNotFound, Code: "member_not_found", Message: "This user is not a member of the organization."}
	ErrLastOwner         = &Error{Kind: KindConflict, Code: "last_owner",
		Message: "An organization needs at least one owner: make someone else an owner first."}
)

// ValidOrganizationRole returns an invalid error ("invalid_role") unless
// role is owner, admin or member.
func ValidOrganizationRole(role OrganizationRole) error {
	switch role {
	case OrgRoleOwner, OrgRoleAdmin, OrgRoleMember:
		return nil
	}
	return Invalid("invalid_role", "The role must be owner, admin or member.",
		FieldError{Field: "role", Message: "must be owner, admin or member"})
}

// ErrOrganizationNotFound is the answer for an organization that does not
// exist or that the caller may not see.
var ErrOrganizationNotFound = &Error{Kind: KindNotFound, Code: "organization_not_found", Message: "No such organization."}

// ValidOrganizationName trims name and checks it is 1 to 100 characters;
// otherwise it returns an invalid error ("invalid_organization_name").
func ValidOrganizationName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n == 0 || n > 100 {
		return "", Invalid("invalid_organization_name", "Name the organization with 1 to 100 characters.",
			FieldError{Field: "name", Message: "must be 1 to 100 characters"})
	}
	return name, nil
}
