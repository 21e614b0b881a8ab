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

// Invitation asks the owner of Email to join a developer account with Role.
// Its link carries a token whose hash is TokenHash; Generation counts
// resends and MailedGeneration is the last generation whose mail went out.
type Invitation struct {
	ID                 uuid.UUID        `gorm:"type:uuid;primaryKey" json:"id"`
	DeveloperAccountID uuid.UUID        `gorm:"type:uuid" json:"developer_account_id"`
	Email              string           `json:"email"`
	Role               DeveloperRole    `json:"role"`
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

// TableName is developer_account_invitations.
func (Invitation) TableName() string { return "developer_account_invitations" }

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
