package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"appstore/models"
)

// RotateInstallationSecret rotates installation client clientID's secret
// if it is still of generation from, and returns the current generation and
// whether this call rotated. The new secret is generated here (crypto/rand),
// stored as its hash and, until secret.rotated delivers it, encrypted; the
// previous one keeps verifying until now + grace, when the rotation run
// revokes it by generation. A client already past from (a retried
// activity) changes nothing; a revoked client (uninstalled) or a missing
// one is a conflict ("installation_not_active").
func (s *Installations) RotateInstallationSecret(ctx context.Context, clientID string, from int, grace time.Duration) (int, bool, error) {
	if s.enc == nil {
		return 0, false, models.ErrNoEncrypter
	}
	generation, rotated := 0, false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var c models.OAuthClient
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			First(&c, "client_id = ? AND installation_id IS NOT NULL", clientID).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.ErrInstallationInactive
		}
		if err != nil {
			return err
		}
		if c.RevokedAt != nil || !c.Enabled {
			return models.ErrInstallationInactive
		}
		generation = c.SecretGeneration
		if c.SecretGeneration != from {
			return nil
		}
		now := s.now().Truncate(time.Microsecond)
		secret := models.NewToken(models.OAuthClientSecretPrefix)
		generation, rotated = from+1, true
		err = tx.Model(&models.OAuthClient{}).Where("id = ?", c.ID).Updates(map[string]any{
			"previous_secret_hash": c.SecretHash, "previous_generation": from, "previous_expires_at": now.Add(grace),
			"secret_hash": models.HashToken(secret), "secret_generation": generation,
			"secret_ciphertext": s.enc.Encrypt([]byte(secret), installationSecretPurpose(clientID, generation)),
			"updated_at":        now,
		}).Error
		if err != nil {
			return err
		}
		var app struct{ DeveloperAccountID, OrganizationID uuid.UUID }
		err = tx.Raw(`SELECT a.developer_account_id, i.organization_id FROM apps a JOIN app_installations i ON i.app_id = a.id
			WHERE i.id = ?`, c.InstallationID).Scan(&app).Error
		if err != nil {
			return err
		}
		e := oauthEvent(models.EventOAuthSecretRotated, app.DeveloperAccountID, c.AppID, models.JSONMap{
			"client_id": clientID, "installation_id": c.InstallationID, "generation": generation, "previous_generation": from})
		e.OrganizationID = &app.OrganizationID
		return appendEvent(ctx, tx, e)
	})
	if err != nil {
		return 0, false, storeError("rotate installation secret", err)
	}
	return generation, rotated, nil
}
