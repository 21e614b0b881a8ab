package api

import (
	"context"

	"github.com/google/uuid"
)

// AccountMails sends the mail of an account mail request (verification,
// password reset, sign-up with an existing address) in the background.
// workflows/client implements it with an AccountMail run per request.
type AccountMails interface {
	Send(ctx context.Context, requestID uuid.UUID) error
}
