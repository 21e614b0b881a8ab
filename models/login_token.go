package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// LoginTokenTTL is how long a login token may wait to be exchanged.
const LoginTokenTTL = 2 * time.Minute

var errLoginTokenInvalid = &Error{Kind: KindUnauthorized, Code: "invalid_login_token",
	Message: "This sign-in link is invalid, expired or already used. Sign in again."}

// IssueLoginToken creates a single-use login token for userID. Only its hash
// is stored; the token itself is returned once.
func (s *Store) IssueLoginToken(ctx context.Context, userID uuid.UUID) (string, time.Time, error) {
	token := NewToken(LoginTokenPrefix)
	expires := s.now().Add(LoginTokenTTL)
	err := s.db.WithContext(ctx).Exec(
		`INSERT INTO login_tokens (token_hash, user_id, expires_at) VALUES (?, ?, ?)`,
		HashToken(token), userID, expires).Error
	if err != nil {
		return "", time.Time{}, fmt.Errorf("store: issue login token: %w", err)
	}
	return token, expires, nil
}

// ExchangeLoginToken consumes a login token and returns its user. The single
// UPDATE ... WHERE used_at IS NULL makes a replay fail even when two
// exchanges race. The sign-in is recorded in the same transaction.
func (s *Store) ExchangeLoginToken(ctx context.Context, token string) (*User, error) {
	var u User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var userID uuid.UUID
		row := tx.Raw(`UPDATE login_tokens SET used_at = now()
			WHERE token_hash = ? AND used_at IS NULL AND expires_at > now()
			RETURNING user_id`, HashToken(token)).Row()
		if err := row.Scan(&userID); errors.Is(err, sql.ErrNoRows) {
			return errLoginTokenInvalid
		} else if err != nil {
			return err
		}
		if err := tx.First(&u, "id = ?", userID).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, Event{Type: EventLogin, ActorID: &u.ID})
	})
	if err != nil {
		var de *Error
		if errors.As(err, &de) {
			return nil, err
		}
		return nil, fmt.Errorf("store: exchange login token: %w", err)
	}
	return &u, nil
}

// DeleteExpiredLoginTokens removes login tokens that expired before cutoff,
// used or not, and returns how many.
func (s *Store) DeleteExpiredLoginTokens(ctx context.Context, cutoff time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Exec(`DELETE FROM login_tokens WHERE expires_at < ?`, cutoff)
	if res.Error != nil {
		return 0, fmt.Errorf("store: delete login tokens: %w", res.Error)
	}
	return res.RowsAffected, nil
}
