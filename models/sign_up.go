package models

import (
	"github.com/google/uuid"
)

// MaxUserNameLength bounds a user's display name, in characters.
const MaxUserNameLength = 100

// Errors of sign-up and email verification.
var (
	ErrVerificationInvalid = &Error{Kind: KindNotFound, Code: "verification_invalid",
		Message: "This verification link is invalid. Request a new one from your account."}
	ErrVerificationExpired = &Error{Kind: KindGone, Code: "verification_expired",
		Message: "This verification link has expired. Request a new one from your account."}
	ErrAlreadyVerified = &Error{Kind: KindConflict, Code: "already_verified", Message: "Your email address is already verified."}
	ErrUserNotFound    = &Error{Kind: KindNotFound, Code: "user_not_found", Message: "No such user."}
)

// SignUpResult is what a sign-up did. The caller mails MailRequestID and
// answers the same whether Existing or not, so nobody learns which
// addresses have accounts.
type SignUpResult struct {
	User          *User
	Existing      bool // the email had an account: it is unchanged and its owner is told
	MailRequestID uuid.UUID
}
