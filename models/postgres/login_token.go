package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models"
)

// IssueLoginToken creates a single-use login token for userID. Only its hash
// is stored; the token itself is returned once.
func (s *Users) IssueLoginToken(ctx context.Context, userID uuid.UUID) (string, time.Time, error) {
	token := models.NewToken(models.LoginTokenPrefix)
	expires := s.now().Add(models.LoginTokenTTL)
	err := s.db.WithContext(ctx).Exec(
		`INSERT INTO login_tokens (token_hash, user_id, expires_at) VALUES (?, ?, ?)`,
		models.HashToken(token), userID, expires).Error
	if err != nil {
		return "", time.Time{}, fmt.Errorf("store: issue login token: %w", err)
	}
	return token, expires, nil
}

// ExchangeLoginToken consumes a login token and returns its user. The single
// UPDATE ... WHERE used_at IS NULL makes a replay fail even when two
// exchanges race. The sign-in is recorded in the same transaction.
func (s *Users) ExchangeLoginToken(ctx context.Context, token string) (*models.User, error) {
	var u models.User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var userID uuid.UUID
		row := tx.Raw(`UPDATE login_tokens SET used_at = now()
			WHERE token_hash = ? AND used_at IS NULL AND expires_at > now()
			RETURNING user_id`, models.HashToken(token)).Row()
		if err := row.Scan(&userID); errors.Is(err, sql.ErrNoRows) {
			return models.ErrLoginTokenInvalid
		} else if err != nil {
			return err
		}
		if err := tx.First(&u, "id = ?", userID).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, models.Event{Type: models.EventLogin, ActorID: &u.ID})
	})
	if err != nil {
		var de *models.Error
		if errors.As(err, &de) {
			return nil, err
		}
		return nil, fmt.Errorf("store: exchange login token: %w", err)
	}
	return &u, nil
}

// DeleteExpiredLoginTokens removes login tokens that expired before cutoff,
// used or not, and returns how many.
func (s *Users) DeleteExpiredLoginTokens(ctx context.Context, cutoff time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Exec(`DELETE FROM login_tokens WHERE expires_at < ?`, cutoff)
	if res.Error != nil {
		return 0, fmt.Errorf("store: delete login tokens: %w", res.Error)
	}
	return res.RowsAffected, nil
}
