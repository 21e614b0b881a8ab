package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"appstore/models"
)

// createAccountMailRequest inserts a request of purpose for userID in tx.
func createAccountMailRequest(tx *gorm.DB, userID uuid.UUID, purpose string, now time.Time) (*models.AccountMailRequest, error) {
	expires := now.Add(models.AccountMailTTL(purpose))
	req := &models.AccountMailRequest{ID: newID(), UserID: userID, Purpose: purpose, ExpiresAt: &expires, CreatedAt: now}
	if err := tx.Create(req).Error; err != nil {
		return nil, fmt.Errorf("create %s request: %w", purpose, err)
	}
	return req, nil
}

// MailAccountToken mails request requestID once. With the row locked,
// unless it was already mailed, used or has expired (or, for verify_email,
// the address was verified meanwhile), it makes a link token for
// verify_email ("asv_") and password_reset ("asr_") requests and stores its
// hash (signup_existing gets none: token is ""), commits, calls send, and
// then marks the request mailed; a failed send leaves it unmailed, so a
// retry makes a fresh token. It reports whether send was called and
// succeeded, and returns a not-found error ("account_mail_not_found") for an
// unknown request.
func (s *Users) MailAccountToken(ctx context.Context, requestID uuid.UUID,
	send func(req *models.AccountMailRequest, user *models.User, token string) error) (sent bool, err error) {
	var (
		req   *models.AccountMailRequest
		user  models.User
		token string
	)
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r models.AccountMailRequest
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&r, "id = ?", requestID).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.ErrAccountMailNotFound
		}
		now := s.now().Truncate(time.Microsecond)
		if err != nil || r.MailedAt != nil || r.UsedAt != nil || r.Expired(now) {
			return err
		}
		if err := tx.First(&user, "id = ?", r.UserID).Error; err != nil {
			return err
		}
		if r.Purpose == models.AccountMailVerifyEmail && user.EmailVerifiedAt != nil {
			return nil
		}
		if prefix := models.AccountTokenPrefix(r.Purpose); prefix != "" {
			token = models.NewToken(prefix)
			r.TokenHash = models.HashToken(token)
			if err := tx.Exec(`UPDATE account_mail_requests SET token_hash = ? WHERE id = ?`, r.TokenHash, r.ID).Error; err != nil {
				return err
			}
		}
		req = &r
		return nil
	})
	if err == nil && req != nil {
		// The hash is committed before the mail leaves, so the link works
		// by the time anyone can follow it. A failed send leaves the request
		// unmailed; the retry makes a fresh token.
		if err = send(req, &user, token); err != nil {
			err = fmt.Errorf("send account mail %s: %w", requestID, err)
		} else {
			now := s.now().Truncate(time.Microsecond)
			req.MailedAt = &now
			sent = true
			err = s.db.WithContext(ctx).Exec(`UPDATE account_mail_requests SET mailed_at = ? WHERE id = ? AND mailed_at IS NULL`, now, req.ID).Error
		}
	}
	if err != nil {
		return false, storeError("mail account token", err)
	}
	return sent, nil
}

// lockAccountMailByToken finds the request of purpose whose link carries
// token and locks its row until tx ends; notFound when there is none.
func lockAccountMailByToken(tx *gorm.DB, token, purpose string, notFound error) (*models.AccountMailRequest, error) {
	var req models.AccountMailRequest
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
		First(&req, "token_hash = ? AND purpose = ?", models.HashToken(token), purpose).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, notFound
	}
	return &req, err
}

// DeleteExpiredAccountMailRequests removes account mail requests that
// expired before cutoff, used or not, and returns how many.
func (s *Users) DeleteExpiredAccountMailRequests(ctx context.Context, cutoff time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Exec(`DELETE FROM account_mail_requests WHERE expires_at < ?`, cutoff)
	if res.Error != nil {
		return 0, fmt.Errorf("store: delete account mail requests: %w", res.Error)
	}
	return res.RowsAffected, nil
}
