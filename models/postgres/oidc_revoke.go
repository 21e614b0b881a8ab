package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models"
)

// RevokeInstallationTokens ends the OpenID Connect access and refresh tokens
// issued for an installation: every user's (userID nil, on uninstall) or one
// user's (when their access is revoked). Validation refuses them from then on.
func (s *OIDC) RevokeInstallationTokens(ctx context.Context, installationID uuid.UUID, userID *uuid.UUID) error {
	q := s.db.WithContext(ctx).Table("oidc_tokens").
		Where("installation_id = ? AND revoked_at IS NULL", installationID)
	if userID != nil {
		q = q.Where("user_id = ?", *userID)
	}
	if err := q.Update("revoked_at", s.now()).Error; err != nil {
		return fmt.Errorf("store: revoke installation tokens: %w", err)
	}
	return nil
}

// RevokeOIDCGrant ends every token of grantID: all access and refresh
// tokens that descend from one authorization code.
func (s *OIDC) RevokeOIDCGrant(ctx context.Context, grantID uuid.UUID) error {
	err := s.db.WithContext(ctx).Model(&models.OIDCToken{}).Where("grant_id = ? AND revoked_at IS NULL", grantID).
		Update("revoked_at", s.now()).Error
	if err != nil {
		return fmt.Errorf("store: revoke grant: %w", err)
	}
	return nil
}

// RevokeReusedOIDCGrant is for a refresh token that no longer works: if it
// was rotated already, presenting it again is a replay, and its whole grant
// is revoked (RFC 9700 §4.14.2). It reports whether that was the case.
func (s *OIDC) RevokeReusedOIDCGrant(ctx context.Context, refreshToken string) (bool, error) {
	var t models.OIDCToken
	err := s.db.WithContext(ctx).Select("grant_id").
		Where("token_hash = ? AND kind = ? AND rotated_at IS NOT NULL", models.HashToken(refreshToken), models.OIDCRefreshToken).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: reused refresh token: %w", err)
	}
	return true, s.RevokeOIDCGrant(ctx, t.GrantID)
}
