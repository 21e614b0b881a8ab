package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models"
)

// OIDC stores the OpenID Connect provider's state: signing keys, authorization
// requests, tokens and grants.
type OIDC struct{ *core }

// OIDCClient returns the OAuth client clientID with its installation's state.
func (s *OIDC) OIDCClient(ctx context.Context, clientID string) (*models.OIDCClient, error) {
	var c models.OIDCClient
	err := s.db.WithContext(ctx).Take(&c.OAuthClient, "client_id = ?", clientID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.ErrInvalidClient
	}
	if err != nil {
		return nil, fmt.Errorf("store: oidc client: %w", err)
	}
	var extra struct {
		RevokedAt          *time.Time
		OrganizationID     *uuid.UUID
		Status             *models.InstallationStatus
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
	c.InstallationActive = extra.Status != nil && *extra.Status == models.InstallationActive
	return &c, nil
}

// CreateOIDCAuthRequest stores a new authorization request, and drops
// requests expired longer than OIDCRequestRetention ago.
func (s *OIDC) CreateOIDCAuthRequest(ctx context.Context, r *models.OIDCAuthRequest) error {
	if r.ID == uuid.Nil {
		r.ID = newID()
	}
	r.CreatedAt = s.now()
	db := s.db.WithContext(ctx)
	if err := db.Delete(&models.OIDCAuthRequest{}, "expires_at < ?", r.CreatedAt.Add(-models.OIDCRequestRetention)).Error; err != nil {
		return fmt.Errorf("store: purge auth requests: %w", err)
	}
	if err := db.Create(r).Error; err != nil {
		return fmt.Errorf("store: create auth request: %w", err)
	}
	return nil
}

// OIDCAuthRequest returns an unexpired authorization request by id.
func (s *OIDC) OIDCAuthRequest(ctx context.Context, id uuid.UUID) (*models.OIDCAuthRequest, error) {
	return s.findAuthRequest(ctx, "id = ?", id)
}

// OIDCAuthRequestByCode returns the completed request that code was issued
// for (looked up by the code's digest): unexpired, or already redeemed
// (RedeemedAt set, whatever its expiry) so that the caller can treat the
// second use as the replay it is.
func (s *OIDC) OIDCAuthRequestByCode(ctx context.Context, code string) (*models.OIDCAuthRequest, error) {
	var r models.OIDCAuthRequest
	err := s.db.WithContext(ctx).Where("code_hash = ? AND done", models.HashToken(code)).
		Where("redeemed_at IS NOT NULL OR expires_at > ?", s.now()).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.ErrOIDCRequestNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: auth request by code: %w", err)
	}
	return &r, nil
}

func (s *OIDC) findAuthRequest(ctx context.Context, where string, arg any) (*models.OIDCAuthRequest, error) {
	var r models.OIDCAuthRequest
	err := s.db.WithContext(ctx).Where(where, arg).Where("expires_at > ?", s.now()).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.ErrOIDCRequestNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: auth request: %w", err)
	}
	return &r, nil
}

// CompleteOIDCAuthRequest records that userID, signed in to the platform at
// authTime, is the user of request id (and may use the client's
// installation, which the caller checked).
func (s *OIDC) CompleteOIDCAuthRequest(ctx context.Context, id, userID uuid.UUID, installationID *uuid.UUID, authTime time.Time) error {
	res := s.db.WithContext(ctx).Model(&models.OIDCAuthRequest{}).
		Where("id = ? AND NOT done AND expires_at > ?", id, s.now()).
		Updates(map[string]any{"user_id": userID, "installation_id": installationID, "done": true, "auth_time": authTime})
	if res.Error != nil {
		return fmt.Errorf("store: complete auth request: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return models.ErrOIDCRequestNotFound
	}
	return nil
}

// SaveOIDCAuthCode keeps the digest of the code issued for request id.
func (s *OIDC) SaveOIDCAuthCode(ctx context.Context, id uuid.UUID, code string) error {
	err := s.db.WithContext(ctx).Model(&models.OIDCAuthRequest{}).Where("id = ?", id).Update("code_hash", models.HashToken(code)).Error
	if err != nil {
		return fmt.Errorf("store: save auth code: %w", err)
	}
	return nil
}

// CreateOIDCTokens stores issued tokens (their digests) in one transaction
// with the use of what they were exchanged for: a code is marked redeemed,
// a refresh token rotated. When that was used already (a replay, or two
// uses racing) nothing is stored, the whole grant is revoked and the answer
// is models.ErrOIDCReplay; a refresh token revoked otherwise is
// models.ErrOIDCTokenInvalid.
func (s *OIDC) CreateOIDCTokens(ctx context.Context, from models.OIDCExchange, tokens ...*models.OIDCToken) error {
	now := s.now()
	var replayed *uuid.UUID
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if from.Code != nil {
			res := tx.Model(&models.OIDCAuthRequest{}).Where("id = ? AND done AND redeemed_at IS NULL", *from.Code).Update("redeemed_at", now)
			if res.Error != nil {
				return fmt.Errorf("store: redeem code: %w", res.Error)
			}
			if res.RowsAffected == 0 {
				replayed = from.Code
				return models.ErrOIDCReplay
			}
		}
		if from.Refresh != nil {
			res := tx.Model(&models.OIDCToken{}).Where("id = ? AND kind = ? AND revoked_at IS NULL", *from.Refresh, models.OIDCRefreshToken).
				Updates(map[string]any{"revoked_at": now, "rotated_at": now})
			if res.Error != nil {
				return fmt.Errorf("store: rotate refresh token: %w", res.Error)
			}
			if res.RowsAffected == 0 {
				grant, err := rotatedGrant(tx, *from.Refresh)
				if err != nil {
					return err
				}
				replayed = &grant
				return models.ErrOIDCReplay
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
	if replayed != nil {
		if rerr := s.RevokeOIDCGrant(ctx, *replayed); rerr != nil {
			return rerr
		}
	}
	return err
}

// rotatedGrant is the grant of refresh token id if it was rotated before
// (so using it again is a replay); a token revoked otherwise is
// models.ErrOIDCTokenInvalid.
func rotatedGrant(tx *gorm.DB, id uuid.UUID) (uuid.UUID, error) {
	var t models.OIDCToken
	if err := tx.Select("grant_id", "rotated_at").Take(&t, "id = ?", id).Error; err != nil || t.RotatedAt == nil {
		return uuid.Nil, models.ErrOIDCTokenInvalid
	}
	return t.GrantID, nil
}

// ActiveOIDCToken returns the token of kind whose secret is token if it
// still works: not expired, not revoked, its client enabled and not revoked,
// and its installation (if any) still active. Anything else is invalid_token.
func (s *OIDC) ActiveOIDCToken(ctx context.Context, kind, token string) (*models.OIDCToken, error) {
	var t models.OIDCToken
	err := s.db.WithContext(ctx).Raw(`
SELECT t.* FROM oidc_tokens t
JOIN oauth_clients c ON c.client_id = t.client_id
LEFT JOIN app_installations i ON i.id = t.installation_id
WHERE t.token_hash = ? AND t.kind = ? AND t.revoked_at IS NULL AND t.expires_at > ?
  AND c.enabled AND c.revoked_at IS NULL
  AND (t.installation_id IS NULL OR i.status = 'active')`, models.HashToken(token), kind, s.now()).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.ErrOIDCTokenInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("store: active token: %w", err)
	}
	return &t, nil
}

// RevokeOIDCToken revokes the token whose secret is token if clientID owns
// it; an unknown token is not an error (RFC 7009). Revoking a refresh token
// ends its whole grant, the access tokens issued with it included (RFC 7009
// §2.1): the client is done with that sign-in.
func (s *OIDC) RevokeOIDCToken(ctx context.Context, token, clientID string) error {
	err := s.db.WithContext(ctx).Exec(`UPDATE oidc_tokens SET revoked_at = ?
		WHERE revoked_at IS NULL AND client_id = ? AND (token_hash = ? OR grant_id IN (
			SELECT grant_id FROM oidc_tokens WHERE token_hash = ? AND client_id = ? AND kind = ?))`,
		s.now(), clientID, models.HashToken(token), models.HashToken(token), clientID, models.OIDCRefreshToken).Error
	if err != nil {
		return fmt.Errorf("store: revoke token: %w", err)
	}
	return nil
}

// RevokeOIDCTokensOfUser revokes every token clientID holds for userID.
func (s *OIDC) RevokeOIDCTokensOfUser(ctx context.Context, userID uuid.UUID, clientID string) error {
	err := s.db.WithContext(ctx).Model(&models.OIDCToken{}).
		Where("user_id = ? AND client_id = ? AND revoked_at IS NULL", userID, clientID).
		Update("revoked_at", s.now()).Error
	if err != nil {
		return fmt.Errorf("store: revoke user tokens: %w", err)
	}
	return nil
}
