package postgres

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"appstore/models"
)

// RotateClientSecret makes a new secret for app appID's OAuth client and
// returns it (once; only its hash is stored) with its generation. The new
// secret is valid at once; the current one becomes the previous one and
// keeps working until now + grace, when the SecretRotation workflow revokes
// it by generation. A previous secret still in its grace period is revoked
// at once (recorded as oauth.secret_revoked): only two generations are ever
// valid. It records oauth.secret_rotated and returns an invalid error for a
// negative grace, a conflict ("oauth_disabled"), and not-found errors
// ("app_not_found", "oauth_not_enabled").
func (s *OAuthClients) RotateClientSecret(ctx context.Context, appID uuid.UUID, grace time.Duration) (string, int, error) {
	if grace < 0 {
		return "", 0, models.Invalid("invalid_grace", "The grace period cannot be negative.")
	}
	secret := models.NewToken(models.OAuthClientSecretPrefix)
	var generation int
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		acct, err := lockOAuthApp(tx, appID)
		if err != nil {
			return err
		}
		c, err := lockedAppClient(tx, appID)
		if err != nil {
			return err
		}
		if !c.Enabled {
			return models.ErrOAuthDisabled
		}
		now := s.now().Truncate(time.Microsecond)
		if c.PreviousValid(now) {
			if err := appendEvent(ctx, tx, oauthEvent(models.EventOAuthSecretRevoked, acct, appID, models.JSONMap{
				"client_id": c.ClientID, "generation": *c.PreviousGeneration, "reason": "rotated_again"})); err != nil {
				return err
			}
		}
		generation = c.SecretGeneration + 1
		expires := now.Add(grace)
		err = tx.Model(&models.OAuthClient{}).Where("id = ?", c.ID).Updates(map[string]any{
			"previous_secret_hash": c.SecretHash,
			"previous_generation":  c.SecretGeneration,
			"previous_expires_at":  expires,
			"secret_hash":          models.HashToken(secret),
			"secret_generation":    generation,
			"updated_at":           now,
		}).Error
		if err != nil {
			return err
		}
		return appendEvent(ctx, tx, oauthEvent(models.EventOAuthSecretRotated, acct, appID, models.JSONMap{
			"client_id": c.ClientID, "generation": generation, "previous_generation": c.SecretGeneration,
			"previous_expires_at": expires.Format(time.RFC3339)}))
	})
	if err != nil {
		return "", 0, storeError("rotate client secret", err)
	}
	return secret, generation, nil
}

// RevokePreviousSecret revokes client clientID's previous secret if it is
// of generation, and reports whether it did. A later rotation has already
// replaced (and revoked) that generation, so a stale call changes nothing;
// so does a call for an unknown client (its app is gone). It records
// oauth.secret_revoked when it revokes.
func (s *OAuthClients) RevokePreviousSecret(ctx context.Context, clientID string, generation int) (bool, error) {
	revoked := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var c models.OAuthClient
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&c, "client_id = ?", clientID).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		if err != nil || c.PreviousGeneration == nil || *c.PreviousGeneration != generation {
			return err
		}
		err = tx.Model(&models.OAuthClient{}).Where("id = ?", c.ID).Updates(map[string]any{
			"previous_secret_hash": nil, "previous_generation": nil, "previous_expires_at": nil,
			"updated_at": s.now().Truncate(time.Microsecond),
		}).Error
		if err != nil {
			return err
		}
		var app struct{ DeveloperAccountID uuid.UUID }
		if err := tx.Raw(`SELECT developer_account_id FROM apps WHERE id = ?`, c.AppID).Scan(&app).Error; err != nil {
			return err
		}
		revoked = true
		return appendEvent(ctx, tx, oauthEvent(models.EventOAuthSecretRevoked, app.DeveloperAccountID, c.AppID, models.JSONMap{
			"client_id": c.ClientID, "generation": generation, "reason": "grace_period_ended"}))
	})
	if err != nil {
		return false, fmt.Errorf("store: revoke previous secret: %w", err)
	}
	return revoked, nil
}

// zeroHash stands in for a missing previous secret, so that verification
// always makes both comparisons.
var zeroHash = make(models.TokenHash, 32)

// VerifyClientSecret returns enabled client clientID when secret is its
// current secret or its previous one within the grace period. Both hashes
// are compared, in constant time, whichever matches. It returns an
// unauthorized error ("invalid_client") for an unknown or disabled client
// and a wrong or expired secret alike.
func (s *OAuthClients) VerifyClientSecret(ctx context.Context, clientID, secret string) (*models.OAuthClient, error) {
	var c models.OAuthClient
	err := s.db.WithContext(ctx).Take(&c, "client_id = ?", clientID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.ErrInvalidClient
	}
	if err != nil {
		return nil, fmt.Errorf("store: verify client secret: %w", err)
	}
	h := models.HashToken(secret)
	previous := c.PreviousSecretHash
	if len(previous) != len(h) {
		previous = zeroHash
	}
	current := subtle.ConstantTimeCompare(h, c.SecretHash)
	old := subtle.ConstantTimeCompare(h, previous)
	if !c.Enabled || c.RevokedAt != nil || (current != 1 && (old != 1 || !c.PreviousValid(s.now()))) {
		return nil, models.ErrInvalidClient
	}
	return &c, nil
}
