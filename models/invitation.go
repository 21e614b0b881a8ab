package models

import (
	"time"

	"github.com/google/uuid"
)

// InvitationStatus is where an invitation stands (DESIGN §4):
// pending -> accepted | cancelled | expired.
type InvitationStatus string

// Invitation statuses.
const (
	InvitationPending   InvitationStatus = "pending"
	InvitationAccepted  InvitationStatus = "accepted"
	InvitationCancelled InvitationStatus = "cancelled"
	InvitationExpired   InvitationStatus = "expired"
)

// InvitationTTL is how long an invitation, or a resent one, stays open.
const InvitationTTL = 7 * 24 * time.Hour

// InvitationTokenPrefix starts every invitation link token.
const InvitationTokenPrefix = "asi_"

// MaxInvitationEmails bounds the addresses of one invite request.
const MaxInvitationEmails = 50

// InvitationRole is the role an invitation grants: admin or member, of a
// developer account or of an organization (owners are made by a role change,
// never by a link).
type InvitationRole string

// Invitation roles.
const (
	InvitationRoleAdmin  InvitationRole = "admin"
	InvitationRoleMember InvitationRole = "member"
)

// InvitationKind says what an invitation is to.
type InvitationKind string

// Invitation kinds.
const (
	InviteToDeveloperAccount InvitationKind = "developer_account"
	InviteToOrganization     InvitationKind = "organization"
)

// Invitation asks the owner of Email to join a developer account or an
// organization (exactly one of DeveloperAccountID and OrganizationID is set)
// with Role. Its link carries a token whose hash is TokenHash; Generation
// counts resends and MailedGeneration is the last generation whose mail
// went out.
type Invitation struct {
	ID                 uuid.UUID        `gorm:"type:uuid;primaryKey" json:"id"`
	DeveloperAccountID *uuid.UUID       `gorm:"type:uuid" json:"developer_account_id,omitempty"`
	OrganizationID     *uuid.UUID       `gorm:"type:uuid" json:"organization_id,omitempty"`
	Email              string           `json:"email"`
	Role               InvitationRole   `json:"role"`
	Status             InvitationStatus `json:"status"`
	ExpiresAt          time.Time        `json:"expires_at"`
	ResendCount        int              `json:"resend_count"`
	Generation         int              `json:"-"`
	MailedGeneration   int              `json:"-"`
	TokenHash          TokenHash        `json:"-"`
	InvitedBy          *uuid.UUID       `gorm:"type:uuid" json:"invited_by"`
	AcceptedBy         *uuid.UUID       `gorm:"type:uuid" json:"accepted_by"`
	AcceptedAt         *time.Time       `json:"accepted_at"`
	CreatedAt          time.Time        `json:"created_at"`
	UpdatedAt          time.Time        `json:"updated_at"`
}

// TableName is invitations (developer_account_invitations is a view of
// the developer-account ones).
func (Invitation) TableName() string { return "invitations" }

// Kind says whether inv is to a developer account or an organization.
func (inv *Invitation) Kind() InvitationKind {
	if inv.OrganizationID != nil {
		return InviteToOrganization
	}
	return InviteToDeveloperAccount
}

// TargetID is the id of the developer account or organization inv is to.
func (inv *Invitation) TargetID() uuid.UUID {
	if inv.OrganizationID != nil {
		return *inv.OrganizationID
	}
	if inv.DeveloperAccountID != nil {
		return *inv.DeveloperAccountID
	}
	return uuid.Nil
}

// InvitationTarget is what an invitation asks someone to join, as its mail
// and accept page name it.
type InvitationTarget struct {
	Kind InvitationKind `json:"kind"`
	ID   uuid.UUID      `json:"id"`
	Name string         `json:"name"`           // the account's title or the organization's name
	Slug string         `json:"slug,omitempty"` // the developer account's slug; "" for an organization
}

// Noun is how mail and pages name the kind of target: "developer account"
// or "organization".
func (t *InvitationTarget) Noun() string {
	if t.Kind == InviteToOrganization {
		return "organization"
	}
	return "developer account"
}

// Results of inviting one email.
const (
	InviteInvited        = "invited"
	InviteAlreadyMember  = "already_member"
	InviteAlreadyInvited = "already_invited"
	InviteInvalidEmail   = "invalid_email"
)

// InviteOutcome is what became of one email of an invite request.
type InviteOutcome struct {
	Email      string      `json:"email"`
	Result     string      `json:"result"` // "invited" | "already_member" | "already_invited" | "invalid_email"
	Message    string      `json:"message,omitempty"`
	Invitation *Invitation `json:"invitation,omitempty"`
}

// AccountInvitationTarget is developer account a as an invitation target.
func AccountInvitationTarget(a *DeveloperAccount) *InvitationTarget {
	return &InvitationTarget{Kind: InviteToDeveloperAccount, ID: a.ID, Name: a.Title, Slug: a.Slug}
}

// OrganizationInvitationTarget is organization o as an invitation target.
func OrganizationInvitationTarget(o *Organization) *InvitationTarget {
	return &InvitationTarget{Kind: InviteToOrganization, ID: o.ID, Name: o.Name}
}

// Errors of invitations: finding, accepting, resending and cancelling them.
var (
	ErrInvitationNotFound   = &Error{Kind: KindNotFound, Code: "invitation_not_found", Message: "No such invitation."}
	ErrInvitationNotPending = &Error{Kind: KindConflict, Code: "invitation_not_pending", Message: "This invitation is no longer pending."}
	ErrInvitationAccepted   = &Error{Kind: KindConflict, Code: "invitation_already_accepted", Message: "This invitation has already been accepted."}
	ErrInvitationCancelled  = &Error{Kind: KindConflict, Code: "invitation_cancelled", Message: "This invitation was cancelled. Ask an admin to invite you again."}
	ErrInvitationExpired    = &Error{Kind: KindConflict, Code: "invitation_expired", Message: "This invitation has expired. Ask an admin to resend it."}
	ErrInvitationMismatch   = &Error{Kind: KindForbidden, Code: "invitation_email_mismatch", Message: "This invitation was sent to another email address. Sign in with that address to accept it."}
	ErrInvitationRole       = Invalid("invalid_role", "Invite as admin or member.", FieldError{Field: "role", Message: "must be admin or member"})
	// The invitations' own copy of ErrOrganizationNotFound, so either may change alone.
	ErrInvitationOrganizationNotFound = &Error{Kind: KindNotFound, Code: "organization_not_found", Message: "No such organization."}
)

// ValidInvitationRole returns an invalid error unless role is one an
// invitation may grant (admin or member).
func ValidInvitationRole(role InvitationRole) error {
	if role != InvitationRoleAdmin && role != InvitationRoleMember {
		return ErrInvitationRole
	}
	return nil
}
