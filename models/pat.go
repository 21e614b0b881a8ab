package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// PersonalAccessToken authenticates the CLI as its user. The token itself is
// shown once at creation; only its hash and a short prefix are kept.
type PersonalAccessToken struct {
	ID          uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	UserID      uuid.UUID  `gorm:"type:uuid" json:"user_id"`
	Name        string     `json:"name"`
	TokenHash   TokenHash  `json:"-"`
	TokenPrefix string     `json:"token_prefix"`
	ExpiresAt   *time.Time `json:"expires_at"`
	LastUsedAt  *time.Time `json:"last_used_at"`
	RevokedAt   *time.Time `json:"revoked_at"`
	CreatedAt   time.Time  `json:"created_at"`
}

// PATPage is one page of a user's tokens, newest first.
type PATPage struct {
	Tokens     []PersonalAccessToken `json:"tokens"`
	NextCursor string                `json:"next_cursor,omitempty"`
}

// MaxPATLifetime bounds a token's expiry; tokens without one never expire.
const MaxPATLifetime = 366 * 24 * time.Hour

// CreatePAT creates a token named name for userID, expiring at expiresAt
// (nil: never). It returns the plaintext token, which is never stored.
func (s *Store) CreatePAT(ctx context.Context, userID uuid.UUID, name string, expiresAt *time.Time) (string, *PersonalAccessToken, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return "", nil, Invalid("invalid_token_name", "Give the token a name of 1 to 100 characters.",
			FieldError{Field: "name", Message: "must be 1 to 100 characters"})
	}
	now := s.now()
	if expiresAt != nil && (!expiresAt.After(now) || expiresAt.Sub(now) > MaxPATLifetime) {
		return "", nil, Invalid("invalid_token_expiry", "The expiry must be in the future and within a year.",
			FieldError{Field: "expires_at", Message: "must be in the future and within 366 days"})
	}
	token := NewToken(PATPrefix)
	pat := &PersonalAccessToken{
		ID: newID(), UserID: userID, Name: name, TokenHash: HashToken(token),
		TokenPrefix: token[:len(PATPrefix)+6], ExpiresAt: expiresAt, CreatedAt: now,
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(pat).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, Event{Type: EventTokenCreated,
			Data: JSONMap{"token_id": pat.ID.String(), "name": pat.Name, "prefix": pat.TokenPrefix}})
	})
	if err != nil {
		return "", nil, fmt.Errorf("store: create token: %w", err)
	}
	return token, pat, nil
}

// ListPATs returns userID's tokens, newest first, one keyset page at a time.
func (s *Store) ListPATs(ctx context.Context, userID uuid.UUID, cursor string, limit int) (*PATPage, error) {
	if limit < 1 || limit > 100 {
		return nil, Invalid("invalid_limit", "limit must be between 1 and 100.",
			FieldError{Field: "limit", Message: "must be between 1 and 100"})
	}
	q := s.db.WithContext(ctx).Where("user_id = ?", userID)
	tokens, next, err := keysetPage(q, cursor, limit, func(t *PersonalAccessToken) Cursor { return Cursor{CreatedAt: t.CreatedAt, ID: t.ID} })
	if err != nil {
		if _, ok := AsError(err); ok {
			return nil, err
		}
		return nil, fmt.Errorf("store: list tokens: %w", err)
	}
	return &PATPage{Tokens: tokens, NextCursor: next}, nil
}

// RevokePAT revokes userID's token id. Revoking another user's token, or one
// already revoked, is not found.
func (s *Store) RevokePAT(ctx context.Context, userID, id uuid.UUID) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE personal_access_tokens SET revoked_at = now()
			WHERE id = ? AND user_id = ? AND revoked_at IS NULL`, id, userID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("token %s: %w", id, ErrNotFound)
		}
		return appendEvent(ctx, tx, Event{Type: EventTokenRevoked, Data: JSONMap{"token_id": id.String()}})
	})
	if err != nil {
		return fmt.Errorf("store: revoke token: %w", err)
	}
	return nil
}

var errPATInvalid = &Error{Kind: KindUnauthorized, Code: "invalid_token", Message: "The access token is invalid, expired or revoked."}

// AuthenticatePAT returns the user a live token belongs to. last_used_at is
// refreshed at most once a minute, so busy CLIs do not write on every call.
func (s *Store) AuthenticatePAT(ctx context.Context, token string) (*User, error) {
	if !strings.HasPrefix(token, PATPrefix) {
		return nil, errPATInvalid
	}
	var row struct {
		TokenID    uuid.UUID
		LastUsedAt *time.Time
		User
	}
	res := s.db.WithContext(ctx).Raw(`SELECT t.id AS token_id, t.last_used_at, u.*
		FROM personal_access_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())`,
		HashToken(token)).Scan(&row)
	if res.Error != nil && !errors.Is(res.Error, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: authenticate token: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, errPATInvalid
	}
	now := s.now()
	if row.LastUsedAt == nil || now.Sub(*row.LastUsedAt) > touchInterval {
		s.db.WithContext(ctx).Exec(`UPDATE personal_access_tokens SET last_used_at = ? WHERE id = ?`, now, row.TokenID)
	}
	u := row.User
	return &u, nil
}
