package models

import (
	"context"
	"fmt"

	"github.com/google/uuid"
)

// RevokeInstallationTokens revokes the OpenID Connect access and refresh
// tokens issued for installation installationID: all of them when userID is
// nil (uninstall), else that user's (access removed). Tokens already
// revoked keep their time, so calling it again changes nothing.
func (s *Store) RevokeInstallationTokens(ctx context.Context, installationID uuid.UUID, userID *uuid.UUID) error {
	q := s.db.WithContext(ctx).Table("oidc_tokens").Where("installation_id = ? AND revoked_at IS NULL", installationID)
	if userID != nil {
		q = q.Where("user_id = ?", *userID)
	}
	if err := q.Update("revoked_at", s.now()).Error; err != nil {
		return fmt.Errorf("store: revoke installation tokens: %w", err)
	}
	return nil
}
