package models

import (
	"time"

	"github.com/google/uuid"
)

// Purposes of an account mail request.
const (
	AccountMailVerifyEmail    = "verify_email"    // a link that verifies the address
	AccountMailPasswordReset  = "password_reset"  // a link that sets a new password
	AccountMailSignupExisting = "signup_existing" // no link: tells the owner someone tried to sign up
)

// Link token prefixes of account mails.
const (
	VerifyEmailTokenPrefix   = "asv_"
	PasswordResetTokenPrefix = "asr_"
)

// How long links stay valid, and how long a dead request is kept after that.
const (
	VerifyEmailTTL   = 24 * time.Hour
	PasswordResetTTL = 30 * time.Minute
	// AccountMailRetention is how long after its expiry retention keeps a
	// request, so a late click still hears "expired" rather than "invalid".
	AccountMailRetention = 24 * time.Hour
)

// AccountMailRequest is one mail about a user's account. Its link token is
// made when the mail goes out (MailAccountToken); only its hash is stored.
// A signup_existing request has no token; it expires too, so retention
// removes it.
type AccountMailRequest struct {
	ID        uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	UserID    uuid.UUID  `gorm:"type:uuid" json:"user_id"`
	Purpose   string     `json:"purpose"`
	ExpiresAt *time.Time `json:"expires_at"`
	MailedAt  *time.Time `json:"mailed_at"`
	UsedAt    *time.Time `json:"used_at"`
	CreatedAt time.Time  `json:"created_at"`
	TokenHash TokenHash  `json:"-"`
}

// TableName is account_mail_requests.
func (AccountMailRequest) TableName() string { return "account_mail_requests" }

// ErrAccountMailNotFound is the answer for an account mail request that does
// not exist.
var ErrAccountMailNotFound = &Error{Kind: KindNotFound, Code: "account_mail_not_found", Message: "No such account mail."}

// AccountMailTTL is the lifetime of a request of purpose.
func AccountMailTTL(purpose string) time.Duration {
	if purpose == AccountMailPasswordReset {
		return PasswordResetTTL
	}
	return VerifyEmailTTL
}

// AccountTokenPrefix is the link token prefix of purpose; "" for none.
func AccountTokenPrefix(purpose string) string {
	switch purpose {
	case AccountMailVerifyEmail:
		return VerifyEmailTokenPrefix
	case AccountMailPasswordReset:
		return PasswordResetTokenPrefix
	}
	return ""
}

// Expired reports whether req's link is dead at now.
func (req *AccountMailRequest) Expired(now time.Time) bool {
	return req.ExpiresAt != nil && !now.Before(*req.ExpiresAt)
}
