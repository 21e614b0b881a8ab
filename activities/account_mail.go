package activities

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/workflows/contract"
)

// SendAccountMail mails account mail request requestID: a verification
// link, a password reset link, or the note to an owner that someone tried
// to sign up with their address. The link token is made inside the store's
// transaction and never leaves this activity. It reports whether it sent a
// mail: false when the request was already mailed (a retried attempt), used,
// expired, or is a verification of an address verified meanwhile. It
// returns a non-retryable account_mail_not_found error for an unknown
// request, and the Mailer's or store's error, which Temporal retries.
func (a *Activities) SendAccountMail(ctx context.Context, requestID uuid.UUID) (bool, error) {
	sent, err := a.Store.MailAccountToken(ctx, requestID,
		func(req *models.AccountMailRequest, user *models.User, token string) error {
			m, err := AccountMail(a.BaseURL, req, user, token)
			if err != nil {
				return err
			}
			return a.Mailer.Send(ctx, m)
		})
	if err != nil {
		return false, contract.DomainError(fmt.Errorf("send account mail %s: %w", requestID, err))
	}
	return sent, nil
}

// AccountMail builds the mail of req to user: for verify_email the link
// baseURL/verify-email?token=token, for password_reset
// baseURL/reset-password?token=token, for signup_existing (token "") links
// to sign in and to reset the password. The greeting names the user only
// when their address is verified. It returns an error for an unknown
// purpose or a template that fails to execute.
func AccountMail(baseURL string, req *models.AccountMailRequest, user *models.User, token string) (Mail, error) {
	base := strings.TrimSuffix(baseURL, "/")
	data := accountMailData{
		Email:     user.Email,
		SignInURL: base + "/login",
		ForgotURL: base + "/forgot-password",
	}
	// Anyone may sign up with any address and any name, so a name is used
	// only once its owner has proved the address: otherwise the sign-up form
	// would put a stranger's words into a mail to anyone.
	if user.EmailVerifiedAt != nil {
		data.Name = user.Name
	}
	if req.ExpiresAt != nil {
		data.Expires = req.ExpiresAt.UTC().Format("Monday, 2 January 2006, 15:04 MST")
	}
	var subject string
	switch req.Purpose {
	case models.AccountMailVerifyEmail:
		subject = "Verify your email address for Appstore"
		data.Link = base + "/verify-email?token=" + url.QueryEscape(token)
		data.Valid = "24 hours"
	case models.AccountMailPasswordReset:
		subject = "Reset your Appstore password"
		data.Link = base + "/reset-password?token=" + url.QueryEscape(token)
		data.Valid = fmt.Sprintf("%d minutes", int(models.PasswordResetTTL/time.Minute))
	case models.AccountMailSignupExisting:
		subject = "Someone tried to sign up to Appstore with your email address"
	default:
		return Mail{}, fmt.Errorf("account mail: unknown purpose %q", req.Purpose)
	}
	return renderMail(req.Purpose, user.Email, subject, data)
}

type accountMailData struct {
	Name, Email          string
	Link, Valid, Expires string
	SignInURL, ForgotURL string
}
