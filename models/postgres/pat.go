package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models"
)

// CreatePAT creates a token named name for userID, expiring at expiresAt
// (nil: never). It returns the plaintext token, which is never stored.
func (s *Users) CreatePAT(ctx context.Context, userID uuid.UUID, name string, expiresAt *time.Time) (string, *models.PersonalAccessToken, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return "", nil, models.Invalid("invalid_token_name", "Give the token a name of 1 to 100 characters.",
			models.FieldError{Field: "name", Message: "must be 1 to 100 characters"})
	}
	now := s.now()
	if expiresAt != nil && (!expiresAt.After(now) || expiresAt.Sub(now) > models.MaxPATLifetime) {
		return "", nil, models.Invalid("invalid_token_expiry", "The expiry must be in the future and within a year.",
			models.FieldError{Field: "expires_at", Message: "must be in the future and within 366 days"})
	}
	token := models.NewToken(models.PATPrefix)
	pat := &models.PersonalAccessToken{
		ID: newID(), UserID: userID, Name: name, TokenHash: models.HashToken(token),
		TokenPrefix: token[:len(models.PATPrefix)+6], ExpiresAt: expiresAt, CreatedAt: now,
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(pat).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, models.Event{Type: models.EventTokenCreated,
			Data: models.JSONMap{"token_id": pat.ID.String(), "name": pat.Name, "prefix": pat.TokenPrefix}})
	})
	if err != nil {
		return "", nil, fmt.Errorf("store: create token: %w", err)
	}
	return token, pat, nil
}

// ListPATs returns userID's tokens, newest first, one keyset page at a time.
func (s *Users) ListPATs(ctx context.Context, userID uuid.UUID, cursor string, limit int) (*models.PATPage, error) {
	if limit < 1 || limit > 100 {
		return nil, models.Invalid("invalid_limit", "limit must be between 1 and 100.",
			models.FieldError{Field: "limit", Message: "must be between 1 and 100"})
	}
	q := s.db.WithContext(ctx).Where("user_id = ?", userID)
	tokens, next, err := keysetPage(q, cursor, limit, func(t *models.PersonalAccessToken) models.Cursor {
		return models.Cursor{CreatedAt: t.CreatedAt, ID: t.ID}
	})
	if err != nil {
		if _, ok := models.AsError(err); ok {
			return nil, err
		}
		return nil, fmt.Errorf("store: list tokens: %w", err)
	}
	return &models.PATPage{Tokens: tokens, NextCursor: next}, nil
}

// RevokePAT revokes userID's token id. Revoking another user's token, or one
// already revoked, is not found.
func (s *Users) RevokePAT(ctx context.Context, userID, id uuid.UUID) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE personal_access_tokens SET revoked_at = now()
			WHERE id = ? AND user_id = ? AND revoked_at IS NULL`, id, userID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("token %s: %w", id, models.ErrNotFound)
		}
		return appendEvent(ctx, tx, models.Event{Type: models.EventTokenRevoked, Data: models.JSONMap{"token_id": id.String()}})
	})
	if err != nil {
		return fmt.Errorf("store: revoke token: %w", err)
	}
	return nil
}

// AuthenticatePAT returns the user a live token belongs to. last_used_at is
// refreshed at most once a minute, so busy CLIs do not write on every call.
func (s *Users) AuthenticatePAT(ctx context.Context, token string) (*models.User, error) {
	if !strings.HasPrefix(token, models.PATPrefix) {
		return nil, models.ErrPATInvalid
	}
	var row struct {
		TokenID    uuid.UUID
		LastUsedAt *time.Time
		models.User
	}
	res := s.db.WithContext(ctx).Raw(`SELECT t.id AS token_id, t.last_used_at, u.*
		FROM personal_access_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())`,
		models.HashToken(token)).Scan(&row)
	if res.Error != nil && !errors.Is(res.Error, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: authenticate token: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, models.ErrPATInvalid
	}
	now := s.now()
	if row.LastUsedAt == nil || now.Sub(*row.LastUsedAt) > touchInterval {
		s.db.WithContext(ctx).Exec(`UPDATE personal_access_tokens SET last_used_at = ? WHERE id = ?`, now, row.TokenID)
	}
	u := row.User
	return &u, nil
}
