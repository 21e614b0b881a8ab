package models

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// MaxUserNameLength bounds a user's display name, in characters.
const MaxUserNameLength = 100

var (
	errVerificationInvalid = &Error{Kind: KindNotFound, Code: "verification_invalid",
		Message: "This verification link is invalid. Request a new one from your account."}
	errVerificationExpired = &Error{Kind: KindGone, Code: "verification_expired",
		Message: "This verification link has expired. Request a new one from your account."}
	errAlreadyVerified = &Error{Kind: KindConflict, Code: "already_verified", Message: "Your email address is already verified."}
	errUserNotFound    = &Error{Kind: KindNotFound, Code: "user_not_found", Message: "No such user."}
)

// SignUpResult is what a sign-up did. The caller mails MailRequestID and
// answers the same whether Existing or not, so nobody learns which
// addresses have accounts.
type SignUpResult struct {
	User          *User
	Existing      bool // the email had an account: it is unchanged and its owner is told
	MailRequestID uuid.UUID
}

// SignUp creates an unverified user with a verify_email mail request (24 h)
// and a user.signed_up event. For an email that already has an account it
// changes nothing about the user and instead creates a signup_existing mail
// request for the owner, with a user.signup_attempted event. Both paths hash
// the password, so they take as long. Concurrent sign-ups of one address
// make one user. It returns invalid errors for a bad email
// ("invalid_email"), a name over 100 characters ("invalid_name") and a weak
// password ("weak_password"); these depend on the input only.
func (s *Store) SignUp(ctx context.Context, email, name, password string) (*SignUpResult, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > MaxUserNameLength {
		return nil, Invalid("invalid_name", "Use at most 100 characters for your name.",
			FieldError{Field: "name", Message: "must be at most 100 characters"})
	}
	if err := ValidatePassword(password, email); err != nil {
		return nil, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	now := s.now().Truncate(time.Microsecond)
	res := &SignUpResult{}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u := &User{ID: newID(), Email: email, Name: name, PasswordHash: hash, PlatformRole: PlatformRoleNone,
			CreatedAt: now, UpdatedAt: now}
		// A concurrent sign-up of the same address waits here for the other
		// transaction, then finds its user below.
		ins := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(u)
		if ins.Error != nil {
			return ins.Error
		}
		purpose, typ := AccountMailVerifyEmail, EventUserSignedUp
		if ins.RowsAffected == 0 {
			u = &User{}
			if err := tx.First(u, "email = ?", email).Error; err != nil {
				return err
			}
			purpose, typ, res.Existing = AccountMailSignupExisting, EventUserSignupAttempted, true
		}
		req, err := createAccountMailRequest(tx, u.ID, purpose, now)
		if err != nil {
			return err
		}
		res.User, res.MailRequestID = u, req.ID
		ev := Event{Type: typ, Data: JSONMap{"user_id": u.ID.String(), "email": u.Email}}
		if !res.Existing {
			ev.ActorID = &u.ID
		}
		return appendEvent(ctx, tx, ev)
	})
	if err != nil {
		return nil, storeError("sign up", err)
	}
	return res, nil
}

// RequestEmailVerification creates a new verify_email request (24 h) for
// userID, recording user.email_verification_requested, and returns its id
// for the caller to mail. It returns a conflict ("already_verified") when
// the address is verified and a not-found error ("user_not_found").
func (s *Store) RequestEmailVerification(ctx context.Context, userID uuid.UUID) (uuid.UUID, error) {
	var id uuid.UUID
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var u User
		err := tx.First(&u, "id = ?", userID).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return errUserNotFound
		}
		if err != nil {
			return err
		}
		if u.EmailVerifiedAt != nil {
			return errAlreadyVerified
		}
		req, err := createAccountMailRequest(tx, u.ID, AccountMailVerifyEmail, s.now().Truncate(time.Microsecond))
		if err != nil {
			return err
		}
		id = req.ID
		return appendEvent(ctx, tx, Event{Type: EventUserEmailVerificationRequested,
			Data: JSONMap{"user_id": u.ID.String(), "email": u.Email}})
	})
	if err != nil {
		return uuid.Nil, storeError("request email verification", err)
	}
	return id, nil
}

// VerifyEmail follows a verification link: it marks the request used and
// the user's address verified, recording user.email_verified, and returns
// the user. Following a used link again returns the user while the address
// stays verified. It returns a not-found error ("verification_invalid") for
// an unknown or superseded token and a gone error ("verification_expired")
// after 24 hours.
func (s *Store) VerifyEmail(ctx context.Context, token string) (*User, error) {
	if !strings.HasPrefix(token, VerifyEmailTokenPrefix) {
		return nil, errVerificationInvalid
	}
	var u User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		req, err := lockAccountMailByToken(tx, token, AccountMailVerifyEmail, errVerificationInvalid)
		if err != nil {
			return err
		}
		if err := tx.First(&u, "id = ?", req.UserID).Error; err != nil {
			return err
		}
		now := s.now().Truncate(time.Microsecond)
		switch {
		case req.UsedAt != nil && u.EmailVerifiedAt != nil:
			return nil // a second click
		case req.UsedAt != nil:
			return errVerificationInvalid
		case req.expired(now):
			return errVerificationExpired
		}
		if err := tx.Exec(`UPDATE account_mail_requests SET used_at = ? WHERE id = ?`, now, req.ID).Error; err != nil {
			return err
		}
		if u.EmailVerifiedAt != nil {
			return nil // verified through another link meanwhile
		}
		if err := tx.Raw(`UPDATE users SET email_verified_at = ?, updated_at = ? WHERE id = ? RETURNING *`,
			now, now, u.ID).Scan(&u).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, Event{Type: EventUserEmailVerified, ActorID: &u.ID,
			Data: JSONMap{"user_id": u.ID.String(), "email": u.Email}})
	})
	if err != nil {
		return nil, storeError("verify email", err)
	}
	return &u, nil
}
