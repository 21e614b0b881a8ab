package models

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// RevokeInstallationTokens revokes every live OIDC access and refresh token
// issued for installation installationID, or only userID's when userID is
// not nil (access removed, or the app uninstalled). Revoking twice is a
// no-op. It returns only internal errors.
func (s *Store) RevokeInstallationTokens(ctx context.Context, installationID uuid.UUID, userID *uuid.UUID) error {
	q := s.db.WithContext(ctx).Table("oidc_tokens").
		Where("installation_id = ? AND revoked_at IS NULL", installationID)
	if userID != nil {
		q = q.Where("user_id = ?", *userID)
	}
	if err := q.Update("revoked_at", time.Now().UTC()).Error; err != nil {
		return fmt.Errorf("store: revoke installation tokens: %w", err)
	}
	return nil
}
