package models

import (
	"time"
)

// LoginTokenTTL is how long a login token may wait to be exchanged.
const LoginTokenTTL = 2 * time.Minute

// ErrLoginTokenInvalid is the answer for a login token that is unknown,
// used or expired.
var ErrLoginTokenInvalid = &Error{Kind: KindUnauthorized, Code: "invalid_login_token",
	Message: "This sign-in link is invalid, expired or already used. Sign in again."}
