package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

var (
	errOIDCRequestNotFound = &Error{Kind: KindNotFound, Code: "auth_request_not_found", Message: "No such authorization request, or it has expired."}
	errOIDCTokenInvalid    = &Error{Kind: KindUnauthorized, Code: "invalid_token", Message: "The token is unknown, expired or revoked."}
)

// OIDCClient returns the OAuth client clientID with its installation's state.
func (s *Store) OIDCClient(ctx context.Context, clientID string) (*OIDCClient, error) {
	var c OIDCClient
	err := s.db.WithContext(ctx).Take(&c.OAuthClient, "client_id = ?", clientID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errInvalidClient
	}
	if err != nil {
		return nil, fmt.Errorf("store: oidc client: %w", err)
	}
	var extra struct {
		RevokedAt          *time.Time
		OrganizationID     *uuid.UUID
		Status             *InstallationStatus
		DeveloperAccountID uuid.UUID
	}
	err = s.db.WithContext(ctx).Raw(`
SELECT c.revoked_at, i.organization_id, i.status, a.developer_account_id
FROM oauth_clients c JOIN apps a ON a.id = c.app_id
LEFT JOIN app_installations i ON i.id = c.installation_id
WHERE c.id = ?`, c.ID).Take(&extra).Error
	if err != nil {
		return nil, fmt.Errorf("store: oidc client state: %w", err)
	}
	c.RevokedAt, c.OrganizationID, c.DeveloperAccountID = extra.RevokedAt, extra.OrganizationID, extra.DeveloperAccountID
	c.InstallationActive = extra.Status != nil && *extra.Status == InstallationActive
	return &c, nil
}

// CreateOIDCAuthRequest stores a new authorization request.
func (s *Store) CreateOIDCAuthRequest(ctx context.Context, r *OIDCAuthRequest) error {
	if r.ID == uuid.Nil {
		r.ID = newID()
	}
	r.CreatedAt = s.now()
	if err := s.db.WithContext(ctx).Create(r).Error; err != nil {
		return fmt.Errorf("store: create auth request: %w", err)
	}
	return nil
}

// OIDCAuthRequest returns an unexpired authorization request by id.
func (s *Store) OIDCAuthRequest(ctx context.Context, id uuid.UUID) (*OIDCAuthRequest, error) {
	return s.findAuthRequest(ctx, "id = ?", id)
}

// OIDCAuthRequestByCode returns the unexpired, completed request that code
// was issued for (looked up by the code's digest).
func (s *Store) OIDCAuthRequestByCode(ctx context.Context, code string) (*OIDCAuthRequest, error) {
	return s.findAuthRequest(ctx, "code_hash = ? AND done", HashToken(code))
}

func (s *Store) findAuthRequest(ctx context.Context, where string, arg any) (*OIDCAuthRequest, error) {
	var r OIDCAuthRequest
	err := s.db.WithContext(ctx).Where(where, arg).Where("expires_at > ?", s.now()).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errOIDCRequestNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: auth request: %w", err)
	}
	return &r, nil
}

// CompleteOIDCAuthRequest records that userID signed in for request id (and
// may use the client's installation, which the caller checked).
func (s *Store) CompleteOIDCAuthRequest(ctx context.Context, id, userID uuid.UUID, installationID *uuid.UUID) error {
	res := s.db.WithContext(ctx).Model(&OIDCAuthRequest{}).
		Where("id = ? AND NOT done AND expires_at > ?", id, s.now()).
		Updates(map[string]any{"user_id": userID, "installation_id": installationID, "done": true, "auth_time": s.now()})
	if res.Error != nil {
		return fmt.Errorf("store: complete auth request: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return errOIDCRequestNotFound
	}
	return nil
}

// SaveOIDCAuthCode keeps the digest of the code issued for request id.
func (s *Store) SaveOIDCAuthCode(ctx context.Context, id uuid.UUID, code string) error {
	err := s.db.WithContext(ctx).Model(&OIDCAuthRequest{}).Where("id = ?", id).Update("code_hash", HashToken(code)).Error
	if err != nil {
		return fmt.Errorf("store: save auth code: %w", err)
	}
	return nil
}

// DeleteOIDCAuthRequest removes a request, so its code cannot be used twice.
func (s *Store) DeleteOIDCAuthRequest(ctx context.Context, id uuid.UUID) error {
	if err := s.db.WithContext(ctx).Delete(&OIDCAuthRequest{}, "id = ?", id).Error; err != nil {
		return fmt.Errorf("store: delete auth request: %w", err)
	}
	return nil
}

// CreateOIDCTokens stores issued tokens (their digests) in one transaction;
// replacing, when set, is a refresh token being exchanged, which is revoked
// so each refresh token works once.
func (s *Store) CreateOIDCTokens(ctx context.Context, replacing *uuid.UUID, tokens ...*OIDCToken) error {
	now := s.now()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if replacing != nil {
			res := tx.Model(&OIDCToken{}).Where("id = ? AND revoked_at IS NULL", *replacing).Update("revoked_at", now)
			if res.Error != nil {
				return fmt.Errorf("store: revoke refreshed token: %w", res.Error)
			}
			if res.RowsAffected == 0 {
				return errOIDCTokenInvalid // used concurrently
			}
		}
		for _, t := range tokens {
			if t.ID == uuid.Nil {
				t.ID = newID()
			}
			t.CreatedAt = now
			if err := tx.Create(t).Error; err != nil {
				return fmt.Errorf("store: create token: %w", err)
			}
		}
		return nil
	})
}

// ActiveOIDCToken returns the token of kind whose secret is token if it
// still works: not expired, not revoked, its client enabled and not revoked,
// and its installation (if any) still active. Anything else is invalid_token.
func (s *Store) ActiveOIDCToken(ctx context.Context, kind, token string) (*OIDCToken, error) {
	var t OIDCToken
	err := s.db.WithContext(ctx).Raw(`
SELECT t.* FROM oidc_tokens t
JOIN oauth_clients c ON c.client_id = t.client_id
LEFT JOIN app_installations i ON i.id = t.installation_id
WHERE t.token_hash = ? AND t.kind = ? AND t.revoked_at IS NULL AND t.expires_at > ?
  AND c.enabled AND c.revoked_at IS NULL
  AND (t.installation_id IS NULL OR i.status = 'active')`, HashToken(token), kind, s.now()).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errOIDCTokenInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("store: active token: %w", err)
	}
	return &t, nil
}

// RevokeOIDCToken revokes the token whose secret is token if clientID owns
// it; an unknown token is not an error (RFC 7009).
func (s *Store) RevokeOIDCToken(ctx context.Context, token, clientID string) error {
	err := s.db.WithContext(ctx).Model(&OIDCToken{}).
		Where("token_hash = ? AND client_id = ? AND revoked_at IS NULL", HashToken(token), clientID).
		Update("revoked_at", s.now()).Error
	if err != nil {
		return fmt.Errorf("store: revoke token: %w", err)
	}
	return nil
}

// RevokeOIDCTokensOfUser revokes every token clientID holds for userID.
func (s *Store) RevokeOIDCTokensOfUser(ctx context.Context, userID uuid.UUID, clientID string) error {
	err := s.db.WithContext(ctx).Model(&OIDCToken{}).
		Where("user_id = ? AND client_id = ? AND revoked_at IS NULL", userID, clientID).
		Update("revoked_at", s.now()).Error
	if err != nil {
		return fmt.Errorf("store: revoke user tokens: %w", err)
	}
	return nil
}
