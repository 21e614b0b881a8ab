package models

import (
	"time"
)

// SessionGenerationChannel is the PostgreSQL NOTIFY channel on which a
// password reset announces "<user-id>:<new generation>".
const SessionGenerationChannel = "session_generation"

// Errors of password reset links.
var (
	ErrResetInvalid = &Error{Kind: KindNotFound, Code: "reset_invalid",
		Message: "This password reset link is invalid or was already used. Request a new one."}
	ErrResetExpired = &Error{Kind: KindGone, Code: "reset_expired",
		Message: "This password reset link has expired. Request a new one."}
)

// CheckResetRequest returns why req's link no longer works at now
// (ErrResetInvalid once used, ErrResetExpired once expired), or nil.
func CheckResetRequest(req *AccountMailRequest, now time.Time) error {
	if req.UsedAt != nil {
		return ErrResetInvalid
	}
	if req.Expired(now) {
		return ErrResetExpired
	}
	return nil
}
