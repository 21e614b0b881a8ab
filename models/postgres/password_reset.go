package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models"
)

// RequestPasswordReset creates a password_reset request (30 min) for the
// account of email, recording user.password_reset_requested, and returns
// its id for the caller to mail. For an email without an account it returns
// nil, nil: the caller answers the same either way. It returns an invalid
// error ("invalid_email") for a malformed address.
func (s *Users) RequestPasswordReset(ctx context.Context, email string) (*uuid.UUID, error) {
	email, err := models.NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	var id *uuid.UUID
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var users []models.User
		if err := tx.Where("email = ?", email).Limit(1).Find(&users).Error; err != nil || len(users) == 0 {
			return err
		}
		u := users[0]
		req, err := createAccountMailRequest(tx, u.ID, models.AccountMailPasswordReset, s.now().Truncate(time.Microsecond))
		if err != nil {
			return err
		}
		id = &req.ID
		return appendEvent(ctx, tx, models.Event{Type: models.EventUserPasswordResetRequested,
			Data: models.JSONMap{"user_id": u.ID.String(), "email": u.Email}})
	})
	if err != nil {
		return nil, storeError("request password reset", err)
	}
	return id, nil
}

// ResetPassword follows a reset link: it checks newPassword against the
// rules (ValidatePassword; the link stays usable when it fails), sets it,
// uses up this and every other open reset link of the user, drops the
// user's unexchanged login tokens, revokes every personal access token,
// raises session_generation so every existing session stops working, records user.password_reset and, in the
// same transaction, notifies "<user-id>:<generation>" on the
// session_generation channel. It returns the updated user, a not-found
// error ("reset_invalid") for an unknown or used token, a gone error
// ("reset_expired") after 30 minutes, and an invalid one ("weak_password").
func (s *Users) ResetPassword(ctx context.Context, token, newPassword string) (*models.User, error) {
	if !strings.HasPrefix(token, models.PasswordResetTokenPrefix) {
		return nil, models.ErrResetInvalid
	}
	// A first, unlocked look finds the owner, whose email the rules need,
	// so the slow hash is computed before any lock is taken.
	var reqs []models.AccountMailRequest
	err := s.db.WithContext(ctx).Where("token_hash = ? AND purpose = ?", models.HashToken(token), models.AccountMailPasswordReset).
		Limit(1).Find(&reqs).Error
	if err != nil {
		return nil, fmt.Errorf("store: find reset request: %w", err)
	}
	if len(reqs) == 0 {
		return nil, models.ErrResetInvalid
	}
	if err := models.CheckResetRequest(&reqs[0], s.now()); err != nil {
		return nil, err
	}
	u, err := s.GetUser(ctx, reqs[0].UserID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, models.ErrResetInvalid
	}
	if err != nil {
		return nil, err
	}
	if err := models.ValidatePassword(newPassword, u.Email); err != nil {
		return nil, err
	}
	hash, err := models.HashPassword(newPassword)
	if err != nil {
		return nil, err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		req, err := lockAccountMailByToken(tx, token, models.AccountMailPasswordReset, models.ErrResetInvalid)
		if err != nil {
			return err
		}
		now := s.now().Truncate(time.Microsecond)
		if err := models.CheckResetRequest(req, now); err != nil { // a concurrent reset may have used it
			return err
		}
		if err := tx.Raw(`UPDATE users SET password_hash = ?, session_generation = session_generation + 1, updated_at = ?
			WHERE id = ? RETURNING *`, hash, now, req.UserID).Scan(u).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE account_mail_requests SET used_at = ?
			WHERE user_id = ? AND purpose = ? AND used_at IS NULL`, now, u.ID, models.AccountMailPasswordReset).Error; err != nil {
			return err
		}
		// A login token is a session about to be issued under the old password.
		if err := tx.Exec(`DELETE FROM login_tokens WHERE user_id = ? AND used_at IS NULL`, u.ID).Error; err != nil {
			return err
		}
		// A personal access token is a session that does not expire with the
		// password on its own: whoever reset the password may be evicting
		// someone who made tokens while holding it.
		revoked := tx.Exec(`UPDATE personal_access_tokens SET revoked_at = ?
			WHERE user_id = ? AND revoked_at IS NULL`, now, u.ID)
		if revoked.Error != nil {
			return revoked.Error
		}
		if err := appendEvent(ctx, tx, models.Event{Type: models.EventUserPasswordReset, ActorID: &u.ID,
			Data: models.JSONMap{"user_id": u.ID.String(), "email": u.Email, "session_generation": u.SessionGeneration,
				"personal_access_tokens_revoked": revoked.RowsAffected}}); err != nil {
			return err
		}
		// Delivered at commit, never for a rolled-back reset.
		return tx.Exec(`SELECT pg_notify(?, ?)`, models.SessionGenerationChannel,
			fmt.Sprintf("%s:%d", u.ID, u.SessionGeneration)).Error
	})
	if err != nil {
		return nil, storeError("reset password", err)
	}
	return u, nil
}

// SessionGenerations returns the session generation of every user whose
// generation is above 0; every other user's is 0. It returns the store's error.
func (s *Users) SessionGenerations(ctx context.Context) (map[uuid.UUID]int, error) {
	var rows []struct {
		ID                uuid.UUID
		SessionGeneration int
	}
	err := s.db.WithContext(ctx).Raw(`SELECT id, session_generation FROM users WHERE session_generation > 0`).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: session generations: %w", err)
	}
	gens := make(map[uuid.UUID]int, len(rows))
	for _, r := range rows {
		gens[r.ID] = r.SessionGeneration
	}
	return gens, nil
}
