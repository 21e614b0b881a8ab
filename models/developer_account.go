package models

import (
	"net"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// MaxLogoURLLen bounds a developer account's logo URL.
const MaxLogoURLLen = 2048

// ValidDeveloperAccountTitle trims title and checks it is 1 to 100
// characters; otherwise it returns an invalid error ("invalid_title").
func ValidDeveloperAccountTitle(title string) (string, error) {
	title = strings.TrimSpace(title)
	if n := utf8.RuneCountInString(title); n == 0 || n > 100 {
		return "", Invalid("invalid_title", "Give the developer account a title of 1 to 100 characters.",
			FieldError{Field: "title", Message: "must be 1 to 100 characters"})
	}
	return title, nil
}

// ValidLogoURL accepts "" (no logo) or an absolute https URL; plain http
// only for localhost, where development serves its assets. Anything else is
// an invalid error ("invalid_logo_url").
func ValidLogoURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	bad := Invalid("invalid_logo_url", "The logo must be an https:// address (http:// only on localhost) of at most 2048 characters.",
		FieldError{Field: "logo_url", Message: "must be an absolute https URL"})
	u, err := url.Parse(raw)
	if err != nil || len(raw) > MaxLogoURLLen || u.Host == "" || u.User != nil {
		return "", bad
	}
	switch u.Scheme {
	case "https":
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return "", bad
		}
	default:
		return "", bad
	}
	return raw, nil
}

// ErrDeveloperAccountNotFound is the answer for a developer account that does
// not exist or that the caller may not see.
var ErrDeveloperAccountNotFound = &Error{Kind: KindNotFound, Code: "developer_account_not_found", Message: "No such developer account."}

// DeveloperAccountUpdate changes the fields that are not nil.
type DeveloperAccountUpdate struct {
	Title   *string
	LogoURL *string // "" removes the logo
}

// DeveloperAccountMemberView is a member as the team page shows them.
type DeveloperAccountMemberView struct {
	UserID   uuid.UUID     `json:"user_id"`
	Email    string        `json:"email"`
	Name     string        `json:"name"`
	Role     DeveloperRole `json:"role"`
	JoinedAt time.Time     `json:"joined_at"`
}

// Errors of developer account membership.
var (
	ErrMemberNotFound = &Error{Kind: KindNotFound, Code: "member_not_found", Message: "This user is not a member of the developer account."}
	ErrLastAdmin      = &Error{Kind: KindConflict, Code: "last_admin",
		Message: "A developer account needs at least one admin: make someone else an admin first."}
)

// ValidDeveloperRole returns an invalid error ("invalid_role") unless role is admin or member.
func ValidDeveloperRole(role DeveloperRole) error {
	if role != DevRoleAdmin && role != DevRoleMember {
		return Invalid("invalid_role", "The role must be admin or member.",
			FieldError{Field: "role", Message: "must be admin or member"})
	}
	return nil
}
