package postgres

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"appstore/models"
)

// SignUp creates an unverified user with a verify_email mail request (24 h)
// and a user.signed_up event. For an email that already has an account it
// changes nothing about the user and instead creates a signup_existing mail
// request for the owner, with a user.signup_attempted event. Both paths hash
// the password, so they take as long. Concurrent sign-ups of one address
// make one user. It returns invalid errors for a bad email
// ("invalid_email"), a name over 100 characters ("invalid_name") and a weak
// password ("weak_password"); these depend on the input only.
func (s *Users) SignUp(ctx context.Context, email, name, password string) (*models.SignUpResult, error) {
	email, err := models.NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > models.MaxUserNameLength {
		return nil, models.Invalid("invalid_name", "Use at most 100 characters for your name.",
			models.FieldError{Field: "name", Message: "must be at most 100 characters"})
	}
	if err := models.ValidatePassword(password, email); err != nil {
		return nil, err
	}
	hash, err := models.HashPassword(password)
	if err != nil {
		return nil, err
	}
	now := s.now().Truncate(time.Microsecond)
	res := &models.SignUpResult{}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u := &models.User{ID: newID(), Email: email, Name: name, PasswordHash: hash, PlatformRole: models.PlatformRoleNone,
			CreatedAt: now, UpdatedAt: now}
		// A concurrent sign-up of the same address waits here for the other
		// transaction, then finds its user below.
		ins := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(u)
		if ins.Error != nil {
			return ins.Error
		}
		purpose, typ := models.AccountMailVerifyEmail, models.EventUserSignedUp
		if ins.RowsAffected == 0 {
			u = &models.User{}
			if err := tx.First(u, "email = ?", email).Error; err != nil {
				return err
			}
			purpose, typ, res.Existing = models.AccountMailSignupExisting, models.EventUserSignupAttempted, true
		}
		req, err := createAccountMailRequest(tx, u.ID, purpose, now)
		if err != nil {
			return err
		}
		res.User, res.MailRequestID = u, req.ID
		ev := models.Event{Type: typ, Data: models.JSONMap{"user_id": u.ID.String(), "email": u.Email}}
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
func (s *Users) RequestEmailVerification(ctx context.Context, userID uuid.UUID) (uuid.UUID, error) {
	var id uuid.UUID
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var u models.User
		err := tx.First(&u, "id = ?", userID).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.ErrUserNotFound
		}
		if err != nil {
			return err
		}
		if u.EmailVerifiedAt != nil {
			return models.ErrAlreadyVerified
		}
		req, err := createAccountMailRequest(tx, u.ID, models.AccountMailVerifyEmail, s.now().Truncate(time.Microsecond))
		if err != nil {
			return err
		}
		id = req.ID
		return appendEvent(ctx, tx, models.Event{Type: models.EventUserEmailVerificationRequested,
			Data: models.JSONMap{"user_id": u.ID.String(), "email": u.Email}})
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
func (s *Users) VerifyEmail(ctx context.Context, token string) (*models.User, error) {
	if !strings.HasPrefix(token, models.VerifyEmailTokenPrefix) {
		return nil, models.ErrVerificationInvalid
	}
	var u models.User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		req, err := lockAccountMailByToken(tx, token, models.AccountMailVerifyEmail, models.ErrVerificationInvalid)
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
			return models.ErrVerificationInvalid
		case req.Expired(now):
			return models.ErrVerificationExpired
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
		return appendEvent(ctx, tx, models.Event{Type: models.EventUserEmailVerified, ActorID: &u.ID,
			Data: models.JSONMap{"user_id": u.ID.String(), "email": u.Email}})
	})
	if err != nil {
		return nil, storeError("verify email", err)
	}
	return &u, nil
}
